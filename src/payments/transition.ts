// The one place a payment changes. In the caller's transaction it: locks the row, decides the
// change against the state machine, updates with an optimistic version check, appends the audit
// event and writes the outbox message that feeds subscriptions. Nothing else writes a payment.
import { Prisma, type Payment } from "../generated/prisma/client.js";
import type { Tx } from "../platform/db.js";
import type { Ctx } from "../platform/app.js";
import { AppError, ErrorCode, notFound } from "../platform/errors.js";
import { newId } from "../platform/ids.js";
import { writeOutbox } from "../platform/outbox.js";
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

/** Appends the audit event and the outbox message for a payment that was just written. */
export async function recordPaymentEvent(tx: Tx, ctx: Ctx, before: Payment | null, after: Payment, type: string): Promise<void> {
  const snapshot = paymentToJson(after);
  await tx.paymentEvent.create({
    data: {
      id: newId("evt"),
      merchantId: after.merchantId,
      paymentId: after.id,
      type,
      fromStatus: before?.status ?? null,
      toStatus: after.status,
      version: after.version,
      data: snapshot,
      requestId: ctx.requestId,
    },
  });
  const message: PaymentUpdatedMessage = { merchantId: after.merchantId, paymentId: after.id, version: after.version, payment: snapshot };
  await writeOutbox(tx, [{ topic: PAYMENT_UPDATED_TOPIC, payload: message }]);
}

export async function transitionPayment(tx: Tx, ctx: Ctx, paymentId: string, change: PaymentChange): Promise<Payment> {
  // The row lock serialises concurrent changes (20 refunds at once) instead of failing them.
  const locked = await tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM payment WHERE id = ${paymentId} AND merchant_id = ${ctx.merchantId} FOR UPDATE`;
  if (locked.length === 0) throw notFound("payment", paymentId);
  const before = await tx.payment.findUniqueOrThrow({ where: { id: paymentId } });
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
      // Unreachable under the row lock; kept so a missed lock fails loudly instead of overwriting.
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2025") {
        throw new AppError(ErrorCode.CONFLICT, `Payment ${paymentId} changed concurrently; retry`);
      }
      throw err;
    });
  await recordPaymentEvent(tx, ctx, before, after, update.eventType);
  return after;
}
