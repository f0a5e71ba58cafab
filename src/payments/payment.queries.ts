// Reads of payments, always scoped by the authenticated merchant: another merchant's id is
// simply not found. Children (attempts, refunds, events, cards) are batched per request.
import DataLoader from "dataloader";
import { Prisma, type AuditRecord, type Payment, type PaymentAttempt, type PaymentMethod, type Refund } from "../generated/prisma/client.js";
import { paymentAuditRecords } from "../audit/audit.queries.js";
import type { Db, Sql, Tx } from "../platform/db.js";
import { columnsAs, pickRow } from "../platform/sql-columns.js";
import { badInput, notFound } from "../platform/errors.js";
import { MAX_PAGE, planPage, type Page, type PageArgs } from "../platform/pagination.js";
import type { PaymentStatus } from "./payment-state.js";

/** Works inside a transaction too (pass its `tx`): never take a second pool connection there. */
export async function getPayment(db: Tx, merchantId: string, id: string): Promise<Payment> {
  const payment = await db.payment.findFirst({ where: { id, merchantId } });
  if (!payment) throw notFound("payment", id);
  return payment;
}

const PAYMENT = Prisma.PaymentScalarFieldEnum;
const READ_PAYMENT_COLUMNS = columnsAs("p", PAYMENT);

/**
 * `payment(id)` and a subscription's first read, outside any transaction: the API's hottest read,
 * one prepared statement on the pool (no Prisma runtime, see `Sql`); the same row `getPayment` reads.
 */
export async function readPayment(sql: Sql, merchantId: string, id: string): Promise<Payment> {
  const [row] = await sql.rows<Record<string, unknown>>(Prisma.sql`SELECT ${READ_PAYMENT_COLUMNS} FROM payment p WHERE p.id = ${id} AND p.merchant_id = ${merchantId}`);
  const payment = row && pickRow<Payment>(row, "p", PAYMENT);
  if (!payment) throw notFound("payment", id);
  return payment;
}

export interface PaymentFilter {
  status?: PaymentStatus | null;
  currency?: string | null;
  createdAfter?: Date | null;
  createdBefore?: Date | null;
  /** Payments with an attempt at this gateway (by name). */
  gateway?: string | null;
  /** A search by id: these payments only. */
  ids?: string[] | null;
}

/** Newest first, stable by (createdAt, id), so a page never skips or repeats a payment. */
export async function listPayments(
  db: Db, merchantId: string, args: PageArgs & { filter?: PaymentFilter | null },
): Promise<Page<Payment>> {
  const plan = planPage(args);
  const f = args.filter ?? {};
  if (f.ids && f.ids.length > MAX_PAGE) throw badInput(`filter.ids takes at most ${MAX_PAGE} ids`, "filter.ids");
  if (f.gateway) {
    const ids = await pageIdsAtGateway(db, merchantId, f.gateway, f, plan);
    return plan.finish(await db.payment.findMany({ where: { merchantId, id: { in: ids } }, orderBy: plan.orderBy }));
  }
  const rows = await db.payment.findMany({
    where: {
      merchantId,
      ...(f.ids ? { id: { in: f.ids } } : {}),
      ...(f.status ? { status: f.status } : {}),
      ...(f.currency ? { currency: f.currency.toUpperCase() } : {}),
      createdAt: { ...(f.createdAfter ? { gte: f.createdAfter } : {}), ...(f.createdBefore ? { lt: f.createdBefore } : {}) },
      ...plan.where,
    },
    orderBy: plan.orderBy,
    take: plan.take,
  });
  return plan.finish(rows);
}

/**
 * One page's ids for `filter.gateway` (payments with an attempt at that gateway). PaymentAttempt
 * has no Prisma relation to Payment (the database has no foreign key between them), so Prisma
 * cannot ask for "some attempt": the page is chosen in SQL (EXISTS on the attempts' payment_id
 * index, the same filters, cursor, order and limit as the Prisma path), then its rows are read.
 */
async function pageIdsAtGateway(db: Db, merchantId: string, gateway: string, f: PaymentFilter, plan: ReturnType<typeof planPage>): Promise<string[]> {
  const where = [
    Prisma.sql`p.merchant_id = ${merchantId}`,
    Prisma.sql`EXISTS (SELECT 1 FROM payment_attempt a WHERE a.payment_id = p.id AND a.merchant_id = ${merchantId} AND a.gateway = ${gateway})`,
  ];
  if (f.ids) where.push(Prisma.sql`p.id IN (${Prisma.join(f.ids.length ? f.ids : [""])})`);
  if (f.status) where.push(Prisma.sql`p.status::text = ${f.status}`);
  if (f.currency) where.push(Prisma.sql`p.currency = ${f.currency.toUpperCase()}`);
  if (f.createdAfter) where.push(Prisma.sql`p.created_at >= ${f.createdAfter}`);
  if (f.createdBefore) where.push(Prisma.sql`p.created_at < ${f.createdBefore}`);
  const c = plan.cursor;
  if (c) where.push(plan.backward ? Prisma.sql`(p.created_at, p.id) > (${c.createdAt}, ${c.id})` : Prisma.sql`(p.created_at, p.id) < (${c.createdAt}, ${c.id})`);
  const order = plan.backward ? Prisma.sql`p.created_at ASC, p.id ASC` : Prisma.sql`p.created_at DESC, p.id DESC`;
  const rows = await db.$queryRaw<{ id: string }[]>(Prisma.sql`SELECT p.id FROM payment p WHERE ${Prisma.join(where, " AND ")} ORDER BY ${order} LIMIT ${plan.take}`);
  return rows.map((r) => r.id);
}

function groupBy<T extends { paymentId: string }>(ids: readonly string[], rows: T[]): T[][] {
  const map = new Map<string, T[]>(ids.map((id) => [id, []]));
  for (const row of rows) map.get(row.paymentId)?.push(row);
  return ids.map((id) => map.get(id) ?? []);
}

/** A change of a payment, as `Payment.events` shows it: read from the payment's audit records. */
export interface PaymentEvent {
  id: string;
  type: string;
  fromStatus: PaymentStatus | null;
  toStatus: PaymentStatus;
  version: number;
  requestId: string;
  createdAt: Date;
}

/** `pev_X` is the audit record `aud_X` of a payment: one prefix, one type (node(id:) reads either). */
export const paymentEventIdOf = (auditRecordId: string): string => `pev_${auditRecordId.slice("aud_".length)}`;

const toEvent = (r: AuditRecord): PaymentEvent => {
  const before = r.before as { status?: PaymentStatus } | null;
  const after = r.after as { status: PaymentStatus; version: number };
  return { id: paymentEventIdOf(r.id), type: r.action, fromStatus: before?.status ?? null, toStatus: after.status, version: Number(after.version), requestId: r.requestId, createdAt: r.createdAt };
};

/** One entry of a payment's history by its `pev_` id, or null when it is not the merchant's. */
export async function findPaymentEvent(db: Db, merchantId: string, id: string): Promise<PaymentEvent | null> {
  const record = await db.auditRecord.findFirst({ where: { id: `aud_${id.slice("pev_".length)}`, merchantId, entityType: "payment" } });
  return record?.after ? toEvent(record) : null;
}

export interface PaymentLoaders {
  payments: DataLoader<string, Payment | null>;
  attempts: DataLoader<string, PaymentAttempt[]>;
  refunds: DataLoader<string, Refund[]>;
  events: DataLoader<string, PaymentEvent[]>;
  paymentMethods: DataLoader<string, PaymentMethod | null>;
}

/** One query per kind of child per request, however many payments a page holds. */
export function paymentLoaders(db: Db, merchantId: string, cache = true): PaymentLoaders {
  const opts = { cache };
  const byId = <T extends { id: string }>(ids: readonly string[], rows: T[]): (T | null)[] => {
    const map = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => map.get(id) ?? null);
  };
  return {
    payments: new DataLoader(async (ids) => byId(ids, await db.payment.findMany({ where: { merchantId, id: { in: [...ids] } } })), opts),
    attempts: new DataLoader(async (ids) =>
      groupBy(ids, await db.paymentAttempt.findMany({ where: { merchantId, paymentId: { in: [...ids] } }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] })), opts),
    refunds: new DataLoader(async (ids) =>
      groupBy(ids, await db.refund.findMany({ where: { merchantId, paymentId: { in: [...ids] } }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] })), opts),
    events: new DataLoader(async (ids) =>
      (await paymentAuditRecords(db, merchantId, ids)).map((records) => records.map(toEvent)), opts),
    paymentMethods: new DataLoader(async (ids) => byId(ids, await db.paymentMethod.findMany({ where: { merchantId, id: { in: [...ids] } } })), opts),
  };
}
