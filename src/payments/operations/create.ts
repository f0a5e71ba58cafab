// createPayment: validate, then one statement writes the payment, its first audit record and
// `payment.updated` message, and the idempotency record with the answer (the payment as created
// is known before it is written). No transaction round trips: the write path's commonest call is
// one round trip to PostgreSQL (bench/README.md, "Issue 9").
import type { Payment, Prisma } from "../../generated/prisma/client.js";
import type { Ctx } from "../../app/app.js";
import { relayOutbox } from "../../platform/outbox.js";
import { badInput } from "../../platform/errors.js";
import { checkKey, claimAnsweredSql, inProgressIfLockTimedOut, storedAnswer, type Codec, type IdempotencyScope } from "../../platform/idempotency.js";
import { newId } from "../../platform/ids.js";
import { Money } from "../../platform/money.js";
import { validateMetadata } from "../../platform/metadata.js";
import { paymentCodec } from "../payment.snapshot.js";
import { insertPayment } from "../transition.js";
import { getCustomer } from "../../customers/customer.data.js";

export interface CreatePaymentInput {
  amount: string;
  currency: string;
  captureMethod?: "AUTOMATIC" | "MANUAL" | null;
  description?: string | null;
  metadata?: Record<string, unknown> | null;
  /** The customer paying (src/customers): their saved cards can pay it. */
  customerId?: string | null;
  idempotencyKey?: string | null;
}

/** The payment createPayment would write, validated (no I/O), and the request its idempotency key stands for. */
export function preparePayment(ctx: Ctx, input: CreatePaymentInput, extra: Partial<Pick<Payment, "checkoutSessionId">> = {}): { payment: Payment; request: Record<string, unknown> } {
  const money = Money.parsePositive(input.amount, input.currency);
  const metadata = validateMetadata(input.metadata);
  if (input.description && input.description.length > 1000) throw badInput("description may be at most 1000 characters", "description");
  const captureMethod = input.captureMethod ?? "AUTOMATIC";
  const request = {
    amount: money.minor, currency: money.currency, captureMethod,
    description: input.description ?? null, metadata,
    ...(input.customerId ? { customerId: input.customerId } : {}),
  };
  const now = new Date();
  // The row exactly as the INSERT leaves it (the columns' defaults spelled out).
  const payment: Payment = {
    id: newId("pay"), merchantId: ctx.merchantId, status: "REQUIRES_PAYMENT_METHOD",
    currency: money.currency, amount: money.minor,
    amountCapturable: 0n, amountCaptured: 0n, amountRefunded: 0n, amountRefundPending: 0n,
    captureMethod, description: input.description ?? null, metadata,
    paymentMethodId: null, customerId: input.customerId ?? null, lastPaymentError: null,
    settlementCurrency: null, settlementAmount: null, fxRate: null, fxRateAsOf: null, fxRateSource: null,
    failedAttempts: 0, returnUrl: null, nextAction: null, threeDSecure: null, checkoutSessionId: extra.checkoutSessionId ?? null, risk: null,
    version: 1, createdAt: now, updatedAt: now,
  };
  return { payment, request };
}

/**
 * Writes a new payment (with `writes`, rows that come with it) as one statement, answering `answer`;
 * under an idempotency key, the stored answer of the first request instead. A customer that does
 * not exist (or was deleted) is refused before anything is written, unless this is a retry of a
 * request that succeeded under the key: that one gets its answer.
 */
export async function insertNewPayment<T>(
  ctx: Ctx, payment: Payment, scope: IdempotencyScope, answer: T, codec: Codec<T>, writes?: Prisma.Sql[],
): Promise<T> {
  const key = scope.key;
  if (payment.customerId) {
    const missing = await getCustomer(ctx.app.db, ctx.merchantId, payment.customerId, "customerId").then(() => undefined, (err: unknown) => err);
    if (missing) return (key === undefined ? undefined : await storedAnswer(ctx.app.db, scope, key, codec)) ?? Promise.reject(missing);
  }
  return relayOutbox(ctx, async () => {
    if (key === undefined) {
      await insertPayment(ctx, payment, undefined, writes);
      return answer;
    }
    const written = await insertPayment(ctx, payment, claimAnsweredSql(scope, key, codec.encode(answer)), writes).catch(inProgressIfLockTimedOut(key));
    if (written) return answer;
    const stored = await storedAnswer(ctx.app.db, scope, key, codec);
    if (!stored) throw new Error(`idempotency key '${key}' was taken, yet no record holds it`); // records are never deleted while their key may be reused
    return stored;
  });
}

export async function createPayment(ctx: Ctx, input: CreatePaymentInput, headerKey?: string): Promise<Payment> {
  const { payment, request } = preparePayment(ctx, input);
  const scope = { merchantId: ctx.merchantId, key: checkKey(input.idempotencyKey ?? headerKey), operation: "createPayment", request };
  return insertNewPayment(ctx, payment, scope, payment, paymentCodec);
}
