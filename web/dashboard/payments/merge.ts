// Merging what the list already shows with what arrives (a page, a live message, a gap filled
// after a reconnect). Payments carry `version`, which grows with every change: the higher one
// wins, whatever order things arrive in, so the same payment can come from both a query and the
// subscription without flicker or going back in time. Pure (no DOM): unit-tested.
import type { PaymentRow } from "../api/types.js";

/** Newest first, stable by (createdAt, id): the API's order. */
const newerFirst = (a: PaymentRow, b: PaymentRow): number =>
  Date.parse(b.createdAt) - Date.parse(a.createdAt) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

/**
 * `rows` with `incoming` applied: a known payment is replaced in place by a higher version; an
 * unknown one is added (in order) only if `admit` says it belongs (the filter). Returns `rows`
 * itself when nothing changed.
 */
export function mergeRows(rows: readonly PaymentRow[], incoming: readonly PaymentRow[], admit: (row: PaymentRow) => boolean = () => true): PaymentRow[] {
  const byId = new Map(rows.map((row, index) => [row.id, index]));
  let next: PaymentRow[] | undefined;
  let added = false;
  for (const row of incoming) {
    const index = byId.get(row.id);
    if (index !== undefined) {
      const known = (next ?? rows)[index]!;
      if (row.version <= known.version) continue;
      next ??= [...rows];
      next[index] = row;
    } else if (admit(row)) {
      next ??= [...rows];
      byId.set(row.id, next.length);
      next.push(row);
      added = true;
    }
  }
  if (!next) return rows as PaymentRow[];
  return added ? next.sort(newerFirst) : next;
}
