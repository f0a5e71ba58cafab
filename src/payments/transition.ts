// The one place a payment changes. In the caller's transaction it: reads the payment, decides the
// change against the state machine, updates it with an optimistic version check (falling back to
// the row lock on a conflict), appends the audit record and writes the outbox message that feeds
// subscriptions. Nothing else writes a payment.
import { Prisma, type Payment } from "../generated/prisma/client.js";
import type { Tx } from "../platform/db.js";
import type { Ctx } from "../app/app.js";
import { AppError, ErrorCode, notFound } from "../platform/errors.js";
import { recordAudit } from "../audit/audit.js";
import { writeOutbox, type OutboxMessage } from "../platform/outbox.js";
import { decide, type PaymentChange } from "./payment-change.js";
import { paymentToJson } from "./payment.snapshot.js";

export const PAYMENT_UPDATED_TOPIC = "payment.updated";

/** The message a subscriber receives: the payment as it was at `version`. */
export interface PaymentUpdatedMessage {
  merchantId: string;
  paymentId: string;
  version: number;
  payment: Record<string, Prisma.JsonValue>;
}

/**
 * Appends the audit record (the payment's history: `Payment.events` reads it) and the outbox
 * messages for a payment that was just written: the `payment.updated` message plus any the caller
 * adds (a gateway job), in one insert. The snapshots hold no card data (the payment row has none:
 * only a paymentMethodId).
 */
export async function recordPaymentEvent(
  tx: Tx, ctx: Ctx, before: Payment | null, after: Payment, type: string, also: OutboxMessage[] = [],
): Promise<void> {
  const snapshot = paymentToJson(after);
  await recordAudit(tx, ctx, { action: type, entityType: "payment", entityId: after.id, before: before ? paymentToJson(before) : null, after: snapshot });
  const message: PaymentUpdatedMessage = { merchantId: after.merchantId, paymentId: after.id, version: after.version, payment: snapshot };
  await writeOutbox(tx, [{ topic: PAYMENT_UPDATED_TOPIC, payload: message }, ...also]);
}

const isStale = (err: unknown): boolean => err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2025";

/**
 * Applies `change` to the payment. Optimistic first: read, decide, update where the version is
 * still the one read. On a conflict (a concurrent change committed in between) it takes the row
 * lock, re-reads and decides again, so concurrent changes (20 refunds at once) are serialised,
 * never lost or double-applied, and the uncontended path costs no lock round trip. A caller that
 * has just read the payment in this transaction passes it as `read`: the version check makes a
 * stale one harmless (it is read again under the lock), and the common case saves a query.
 */
export async function transitionPayment(
  tx: Tx, ctx: Ctx, paymentId: string, change: PaymentChange, also: OutboxMessage[] = [], read?: Payment,
): Promise<Payment> {
  let before = read?.id === paymentId && read.merchantId === ctx.merchantId ? read : await tx.payment.findFirst({ where: { id: paymentId, merchantId: ctx.merchantId } });
  for (let locked = false; ; locked = true) {
    if (!before) throw notFound("payment", paymentId);
    const update = decide(before, change, ctx.app.config.maxFailedAttempts);
    const { lastPaymentError, ...fields } = update.data;
    const after = await tx.payment
      .update({
        where: { id: paymentId, version: before.version },
        data: {
          ...fields,
          ...(lastPaymentError === undefined ? {} : { lastPaymentError: lastPaymentError === null ? Prisma.DbNull : { ...lastPaymentError } }),
          status: update.status,
          version: before.version + 1,
          updatedAt: new Date(),
        },
      })
      .catch((err: unknown) => {
        if (isStale(err) && !locked) return undefined;
        if (isStale(err)) throw new AppError(ErrorCode.CONFLICT, `Payment ${paymentId} changed concurrently; retry`); // unreachable under the lock
        throw err;
      });
    if (after) {
      await recordPaymentEvent(tx, ctx, before, after, update.eventType, also);
      return after;
    }
    await tx.$queryRaw`SELECT id FROM payment WHERE id = ${paymentId} FOR UPDATE`;
    before = await tx.payment.findFirst({ where: { id: paymentId, merchantId: ctx.merchantId } });
  }
}
