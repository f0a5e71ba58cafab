// Reading the audit log: a merchant's records newest first, filtered, in stable (createdAt, id)
// pages, so a page never skips or repeats a record while new ones arrive.
import type { AuditRecord, Prisma } from "../generated/prisma/client.js";
import type { Db } from "../platform/db.js";
import { badInput } from "../platform/errors.js";
import { planPage, type Page, type PageArgs } from "../platform/pagination.js";

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
  db: Db, merchantId: string, args: PageArgs & { filter?: AuditFilter | null },
): Promise<Page<AuditRecord>> {
  const plan = planPage(args);
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
      ...plan.where,
    },
    orderBy: plan.orderBy,
    take: plan.take,
  });
  return plan.finish(rows);
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

/** A payment's snapshot as its audit record holds it (`after`): the payment at one version. */
export type PaymentSnapshot = Record<string, Prisma.JsonValue> & { id: string; version: number };

const snapshotOf = (after: Prisma.JsonValue | null): PaymentSnapshot | undefined => {
  const s = after as Partial<PaymentSnapshot> | null;
  return s && typeof s.id === "string" && typeof s.version === "number" ? (s as PaymentSnapshot) : undefined;
};

/**
 * The payment's snapshots of versions `from`..`to` (inclusive), ascending: how a subscriber that
 * missed versions gets them. A payment has a record per version, in the transaction that made it.
 */
export async function paymentSnapshots(db: Db, merchantId: string, paymentId: string, from: number, to: number): Promise<PaymentSnapshot[]> {
  const rows = await db.auditRecord.findMany({ where: { merchantId, entityType: "payment", entityId: paymentId }, select: { after: true } });
  const byVersion = new Map<number, PaymentSnapshot>();
  for (const r of rows) {
    const s = snapshotOf(r.after);
    if (s && s.version >= from && s.version <= to) byVersion.set(s.version, s);
  }
  return [...byVersion.values()].sort((a, b) => a.version - b.version);
}

/**
 * The merchant's payment snapshots recorded since `since` (at most `limit`), each payment's in
 * version order: what a merchant-wide subscriber may have missed while its process was away from
 * Redis. createdAt is a transaction's start, so callers look back a little before the gap.
 */
export async function paymentSnapshotsSince(db: Db, merchantId: string, since: Date, limit: number): Promise<PaymentSnapshot[]> {
  const rows = await db.auditRecord.findMany({
    where: { merchantId, entityType: "payment", createdAt: { gte: since } },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: { after: true },
    take: limit,
  });
  const byPayment = new Map<string, PaymentSnapshot[]>();
  for (const r of rows) {
    const s = snapshotOf(r.after);
    if (!s) continue;
    const list = byPayment.get(s.id);
    if (list) list.push(s);
    else byPayment.set(s.id, [s]);
  }
  return [...byPayment.values()].flatMap((list) => list.sort((a, b) => a.version - b.version));
}
