// The one place a payment changes. In the caller's transaction it: reads the payment, decides the
// change against the state machine, and writes it in one statement: the UPDATE (with an optimistic
// version check, falling back to the row lock on a conflict), the audit record, the outbox
// message that feeds subscriptions, and the rows the change brings. Nothing else writes a payment;
// the one other write, createPayment's INSERT, is here too (`insertPayment`, a statement of its own).
import { Prisma, type Payment } from "../generated/prisma/client.js";
import type { Tx } from "../platform/db.js";
import type { Ctx } from "../app/app.js";
import { AppError, ErrorCode, notFound } from "../platform/errors.js";
import { auditInsertSql } from "../audit/audit.js";
import { noteOutboxWritten, outboxInsertSql, type OutboxMessage } from "../platform/outbox.js";
import { decide, type PaymentChange } from "./payment-change.js";
import { paymentToJson } from "./payment.snapshot.js";
import { readPayment } from "./payment.queries.js";
import { rowInsertSql } from "../platform/sql-columns.js";
import { newId } from "../platform/ids.js";

export const PAYMENT_UPDATED_TOPIC = "payment.updated";

/** The message a subscriber receives: the payment as it was at `version`. */
export interface PaymentUpdatedMessage {
  merchantId: string;
  paymentId: string;
  version: number;
  payment: Record<string, Prisma.JsonValue>;
  /** The change's audit record: the webhook event `evt_…` is it, seen by a receiver (absent in messages of older releases). */
  auditRecordId?: string;
  /** The status before the change; null for the payment's creation. */
  fromStatus?: string | null;
}

/** Runs the statement `writePaymentEvent` built: in a Prisma transaction, or on its own (`app.sql`). */
type RunStatement = (statement: Prisma.Sql) => Promise<{ written: boolean; ids: (bigint | string)[] }[]>;

/**
 * The CTE of a payment's own write in the statements below: a further write that selects FROM it
 * (`INSERT … SELECT … FROM ${paymentWritten}`) happens exactly when the payment's does.
 */
export const paymentWritten = Prisma.raw("guard");

/**
 * Appends the audit record (the payment's history: `Payment.events` reads it) and the outbox
 * messages for a payment that was just written: the `payment.updated` message plus any the caller
 * adds (a gateway job). `change` is the payment's own write (a transition's UPDATE guarded by the
 * version read, or create's INSERT), preceded by the CTEs of `prelude` and followed by the caller's
 * `writes` (CTEs that select FROM paymentWritten): all of it is one statement, one round trip, and
 * writes nothing if `change` returns no row (the version moved on, the idempotency key was taken).
 * The snapshots hold no card data (the payment row has none: only a paymentMethodId).
 */
async function writePaymentEvent(
  run: RunStatement, ctx: Ctx, before: Payment | null, after: Payment, type: string, also: OutboxMessage[], change: Prisma.Sql,
  around: { prelude?: Prisma.Sql; writes?: Prisma.Sql[] } = {},
): Promise<boolean> {
  const snapshot = paymentToJson(after);
  const auditRecordId = newId("aud");
  const message: PaymentUpdatedMessage = {
    merchantId: after.merchantId, paymentId: after.id, version: after.version, payment: snapshot, auditRecordId, fromStatus: before?.status ?? null,
  };
  const messages = [{ topic: PAYMENT_UPDATED_TOPIC, payload: message }, ...also];
  const [row] = await run(Prisma.sql`
    WITH ${around.prelude ? Prisma.sql`${around.prelude},` : Prisma.empty}
         guard AS (${change}),
         audit AS (${auditInsertSql(ctx, { action: type, entityType: "payment", entityId: after.id, before: before ? paymentToJson(before) : null, after: snapshot }, paymentWritten, auditRecordId)}),
         outbox AS (${outboxInsertSql(messages, paymentWritten)})
         ${around.writes?.length ? Prisma.sql`, ${Prisma.join(around.writes, ", ")}` : Prisma.empty}
    SELECT EXISTS (SELECT 1 FROM guard) AS written, ARRAY(SELECT id FROM outbox) AS ids`);
  if (!row?.written) return false;
  noteOutboxWritten(messages, row.ids.map((id) => BigInt(id)));
  return true;
}

/**
 * createPayment's write, as one statement on its own (no transaction around it): the payment row,
 * its first audit record and `payment.updated` message, and, when `claim` is given (the CTEs of
 * `claimAnsweredSql`), the idempotency record with the answer; `writes` are rows written with it
 * (a checkout session). False when the key was taken: nothing was written.
 */
export async function insertPayment(ctx: Ctx, payment: Payment, claim?: Prisma.Sql, writes?: Prisma.Sql[]): Promise<boolean> {
  const insert = Prisma.sql`${rowInsertSql("payment", Prisma.PaymentScalarFieldEnum, payment, claim ? Prisma.raw("claim") : undefined)} RETURNING 1`;
  return writePaymentEvent((statement) => ctx.app.sql.rows(statement), ctx, null, payment, "payment.created", [], insert, { ...(claim ? { prelude: claim } : {}), writes });
}

/** The UPDATE of a transition: every field a change may set, guarded by the version read. */
function updateSql(before: Payment, after: Payment): Prisma.Sql {
  const json = (v: unknown): string | null => (v == null ? null : JSON.stringify(v));
  const error = json(after.lastPaymentError);
  return Prisma.sql`UPDATE payment SET
      status = ${after.status}::"PaymentStatus", version = ${after.version}::int, updated_at = ${after.updatedAt}::timestamptz,
      amount_capturable = ${after.amountCapturable}::bigint, amount_captured = ${after.amountCaptured}::bigint,
      amount_refunded = ${after.amountRefunded}::bigint, amount_refund_pending = ${after.amountRefundPending}::bigint,
      payment_method_id = ${after.paymentMethodId}::text, failed_attempts = ${after.failedAttempts}::int,
      last_payment_error = ${error}::jsonb,
      settlement_currency = ${after.settlementCurrency}::text, settlement_amount = ${after.settlementAmount}::bigint,
      fx_rate = ${after.fxRate}::text, fx_rate_as_of = ${after.fxRateAsOf}::timestamptz, fx_rate_source = ${after.fxRateSource}::text,
      return_url = ${after.returnUrl}::text, next_action = ${json(after.nextAction)}::jsonb, three_d_secure = ${json(after.threeDSecure)}::jsonb,
      risk = ${json(after.risk)}::jsonb
    WHERE id = ${before.id} AND merchant_id = ${before.merchantId} AND version = ${before.version}::int
    RETURNING 1`;
}

/** What `change` does to `before`: the row as the version-guarded UPDATE leaves it, and the audit action. */
function applyChange(ctx: Ctx, before: Payment, change: PaymentChange): { after: Payment; eventType: string } {
  const update = decide(before, change, ctx.app.config.maxFailedAttempts);
  const { lastPaymentError, nextAction, threeDSecure, risk, ...fields } = update.data;
  const after: Payment = {
    ...before, ...fields,
    ...(lastPaymentError === undefined ? {} : { lastPaymentError: lastPaymentError === null ? null : { ...lastPaymentError } }),
    ...(nextAction === undefined ? {} : { nextAction: nextAction === null ? null : { ...nextAction } }),
    ...(threeDSecure === undefined ? {} : { threeDSecure: threeDSecure === null ? null : { ...threeDSecure } }),
    ...(risk === undefined ? {} : { risk: risk === null ? null : (JSON.parse(JSON.stringify(risk)) as Payment["risk"]) }),
    status: update.status, version: before.version + 1, updatedAt: new Date(),
  };
  return { after, eventType: update.eventType };
}

/** Tries of `transitionPaymentNow` before it answers CONFLICT (each a re-read after a concurrent change). */
const OPTIMISTIC_TRIES = 5;

export interface TransitionOptions {
  /** Outbox messages written with the change (a gateway job). */
  also?: OutboxMessage[];
  /** The payment as the caller just read it in this transaction: saves a query (see below). */
  read?: Payment;
  /**
   * Rows written in the same statement as the change, exactly when it is written: CTEs
   * (`name AS (INSERT … SELECT … FROM ${paymentWritten})`), say the attempt a confirmation creates.
   */
  writes?: Prisma.Sql[];
}

/**
 * Applies `change` to the payment. Optimistic first: read, decide, update where the version is
 * still the one read. On a conflict (a concurrent change committed in between) it takes the row
 * lock, re-reads and decides again, so concurrent changes (20 refunds at once) are serialised,
 * never lost or double-applied, and the uncontended path costs no lock round trip. A caller that
 * has just read the payment in this transaction passes it as `read`: the version check makes a
 * stale one harmless (it is read again under the lock), and the common case saves a query.
 */
export async function transitionPayment(
  tx: Tx, ctx: Ctx, paymentId: string, change: PaymentChange, { also = [], read, writes }: TransitionOptions = {},
): Promise<Payment> {
  let before = read?.id === paymentId && read.merchantId === ctx.merchantId ? read : await tx.payment.findFirst({ where: { id: paymentId, merchantId: ctx.merchantId } });
  for (let locked = false; ; locked = true) {
    if (!before) throw notFound("payment", paymentId);
    const { after, eventType } = applyChange(ctx, before, change);
    if (await writePaymentEvent((statement) => tx.$queryRaw(statement), ctx, before, after, eventType, also, updateSql(before, after), { writes })) return after;
    // A concurrent change committed in between: wait for the row, then decide again.
    if (locked) throw new AppError(ErrorCode.CONFLICT, `Payment ${paymentId} changed concurrently; retry`); // unreachable under the lock
    await tx.$queryRaw`SELECT id FROM payment WHERE id = ${paymentId} FOR UPDATE`;
    before = await tx.payment.findFirst({ where: { id: paymentId, merchantId: ctx.merchantId } });
  }
}

/**
 * The same change for a caller whose whole write is this one statement (confirmPayment with a card
 * given inline and no idempotency key): run on its own, with no transaction around it, on the hot
 * statements' runner. Optimistic only, since no transaction holds a lock: on a conflict it reads
 * the payment again and decides again, and answers CONFLICT (retryable by the caller) if the
 * payment keeps changing under it.
 */
export async function transitionPaymentNow(ctx: Ctx, before: Payment, change: PaymentChange, { also = [], writes }: Omit<TransitionOptions, "read"> = {}): Promise<Payment> {
  for (let tries = 1; ; tries++) {
    const { after, eventType } = applyChange(ctx, before, change);
    if (await writePaymentEvent((statement) => ctx.app.sql.rows(statement), ctx, before, after, eventType, also, updateSql(before, after), { writes })) return after;
    if (tries >= OPTIMISTIC_TRIES) throw new AppError(ErrorCode.CONFLICT, `Payment ${before.id} changed concurrently; retry`);
    before = await readPayment(ctx.app.sql, before.merchantId, before.id);
  }
}
