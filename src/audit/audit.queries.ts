// Reading the audit log: a merchant's records newest first, filtered, in stable (createdAt, id)
// pages, so a page never skips or repeats a record while new ones arrive.
import type { AuditRecord } from "../generated/prisma/client.js";
import type { Db } from "../platform/db.js";
import { badInput } from "../platform/errors.js";
import { afterCursor, decodeCursor, NEWEST_FIRST, pageSize, toPage, type Page } from "../platform/pagination.js";

export interface AuditFilter {
  entityId?: string | null;
  entityType?: string | null;
  action?: string | null;
  actor?: string | null;
  /** createdAt ≥ from */
  from?: Date | null;
  /** createdAt < to */
  to?: Date | null;
}

export async function listAuditRecords(
  db: Db, merchantId: string, args: { first?: number | null; after?: string | null; filter?: AuditFilter | null },
): Promise<Page<AuditRecord>> {
  const take = pageSize(args.first);
  const cursor = args.after ? decodeCursor(args.after) : undefined;
  const f = args.filter ?? {};
  if (f.from && f.to && f.from.getTime() >= f.to.getTime()) throw badInput("filter.from must be before filter.to", "filter.to");
  const rows = await db.auditRecord.findMany({
    where: {
      merchantId,
      ...(f.entityId ? { entityId: f.entityId } : {}),
      ...(f.entityType ? { entityType: f.entityType } : {}),
      ...(f.action ? { action: f.action } : {}),
      ...(f.actor ? { actor: f.actor } : {}),
      createdAt: { ...(f.from ? { gte: f.from } : {}), ...(f.to ? { lt: f.to } : {}) },
      ...afterCursor(cursor),
    },
    orderBy: NEWEST_FIRST,
    take: take + 1,
  });
  return toPage(rows, take, cursor);
}

/** The payment's records (formerly payment_event), oldest first by the payment's version. */
export async function paymentAuditRecords(db: Db, merchantId: string, paymentIds: readonly string[]): Promise<AuditRecord[][]> {
  const rows = await db.auditRecord.findMany({ where: { merchantId, entityType: "payment", entityId: { in: [...paymentIds] } }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
  const version = (r: AuditRecord): number => Number((r.after as { version?: unknown } | null)?.version ?? 0);
  const map = new Map<string, AuditRecord[]>(paymentIds.map((id) => [id, []]));
  for (const r of rows) map.get(r.entityId)?.push(r);
  // Under contention a later version can come from a transaction that started earlier (createdAt is
  // the transaction's start): the version is the payment's own order.
  return paymentIds.map((id) => (map.get(id) ?? []).sort((a, b) => version(a) - version(b)));
}
