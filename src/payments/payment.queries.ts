// Reads of payments, always scoped by the authenticated merchant: another merchant's id is
// simply not found. Children (attempts, refunds, events, cards) are batched per request.
import DataLoader from "dataloader";
import { Prisma, type AuditRecord, type Payment, type PaymentAttempt, type PaymentMethod, type Refund } from "../generated/prisma/client.js";
import { paymentAuditRecords } from "../audit/audit.queries.js";
import type { Db, Sql, Tx } from "../platform/db.js";
import { columnsAs, pickRow } from "../platform/sql-columns.js";
import { notFound } from "../platform/errors.js";
import { afterCursor, decodeCursor, NEWEST_FIRST, pageSize, toPage, type Page } from "../platform/pagination.js";
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
}

/** Newest first, stable by (createdAt, id), so a page never skips or repeats a payment. */
export async function listPayments(
  db: Db, merchantId: string, args: { first?: number | null; after?: string | null; filter?: PaymentFilter | null },
): Promise<Page<Payment>> {
  const take = pageSize(args.first);
  const cursor = args.after ? decodeCursor(args.after) : undefined;
  const f = args.filter ?? {};
  const rows = await db.payment.findMany({
    where: {
      merchantId,
      ...(f.status ? { status: f.status } : {}),
      ...(f.currency ? { currency: f.currency.toUpperCase() } : {}),
      createdAt: { ...(f.createdAfter ? { gte: f.createdAfter } : {}), ...(f.createdBefore ? { lt: f.createdBefore } : {}) },
      ...afterCursor(cursor),
    },
    orderBy: NEWEST_FIRST,
    take: take + 1,
  });
  return toPage(rows, take, cursor);
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

const toEvent = (r: AuditRecord): PaymentEvent => {
  const before = r.before as { status?: PaymentStatus } | null;
  const after = r.after as { status: PaymentStatus; version: number };
  return { id: r.id, type: r.action, fromStatus: before?.status ?? null, toStatus: after.status, version: Number(after.version), requestId: r.requestId, createdAt: r.createdAt };
};

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
