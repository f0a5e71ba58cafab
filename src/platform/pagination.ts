// Relay cursor pagination over (createdAt, id). Cursors are opaque base64url; a forged or stale
// one is an input error, not a crash.
import { badInput } from "./errors.js";

export interface Page<T> {
  edges: { node: T; cursor: string }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

export const MAX_PAGE = 100;

export function pageSize(first: number | null | undefined): number {
  if (first === null || first === undefined) return 20;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE) throw badInput(`first must be between 1 and ${MAX_PAGE}`, "first");
  return first;
}

export function encodeCursor(row: { createdAt: Date; id: string }): string {
  return Buffer.from(JSON.stringify([row.createdAt.toISOString(), row.id])).toString("base64url");
}

export function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as [string, string];
    const createdAt = new Date(at);
    if (typeof id !== "string" || Number.isNaN(createdAt.getTime())) throw new Error("bad cursor");
    return { createdAt, id };
  } catch {
    throw badInput("Invalid cursor", "after");
  }
}

type Row = { createdAt: Date; id: string };

/** The where-clause part that starts a newest-first page after `cursor` (nothing for the first page). */
export function afterCursor(cursor: Row | undefined): { OR?: ({ createdAt: { lt: Date } } | { createdAt: Date; id: { lt: string } })[] } {
  return cursor ? { OR: [{ createdAt: { lt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { lt: cursor.id } }] } : {};
}

/** Newest first, ties by id: the order every connection is read in. */
export const NEWEST_FIRST = [{ createdAt: "desc" as const }, { id: "desc" as const }];

/** A page from `take + 1` rows read in NEWEST_FIRST order after `cursor` (the extra row says there is a next page). */
export function toPage<T extends Row>(rows: T[], take: number, cursor: Row | undefined): Page<T> {
  const nodes = rows.slice(0, take);
  const last = nodes.at(-1);
  return {
    edges: nodes.map((node) => ({ node, cursor: encodeCursor(node) })),
    pageInfo: {
      hasNextPage: rows.length > take,
      hasPreviousPage: Boolean(cursor),
      startCursor: nodes[0] ? encodeCursor(nodes[0]) : null,
      endCursor: last ? encodeCursor(last) : null,
    },
  };
}
