// createPayment: validate → write the payment, its first audit event and the idempotency record
// in one transaction.
import type { Payment } from "../../generated/prisma/client.js";
import { commit, type Ctx } from "../../platform/app.js";
import { badInput } from "../../platform/errors.js";
import { idempotent } from "../../platform/idempotency.js";
import { newId } from "../../platform/ids.js";
import { Money } from "../../platform/money.js";
import { paymentCodec } from "../payment.snapshot.js";
import { recordPaymentEvent } from "../transition.js";
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

/** Stripe's metadata rules: up to 50 string pairs, keys up to 40 characters, values up to 500. */
export function validateMetadata(metadata: Record<string, unknown> | null | undefined): Record<string, string> {
  if (!metadata) return {};
  const entries = Object.entries(metadata);
  if (entries.length > 50) throw badInput("metadata may hold at most 50 keys", "metadata");
  for (const [key, value] of entries) {
    if (key.length === 0 || key.length > 40) throw badInput(`metadata key '${key.slice(0, 40)}' must be 1 to 40 characters`, "metadata");
    if (typeof value !== "string" || value.length > 500) throw badInput(`metadata value of '${key}' must be a string of at most 500 characters`, "metadata");
  }
  return Object.fromEntries(entries) as Record<string, string>;
}

export async function createPayment(ctx: Ctx, input: CreatePaymentInput, headerKey?: string): Promise<Payment> {
  const money = Money.parsePositive(input.amount, input.currency);
  const metadata = validateMetadata(input.metadata);
  if (input.description && input.description.length > 1000) throw badInput("description may be at most 1000 characters", "description");
  const request = {
    amount: money.minor, currency: money.currency, captureMethod: input.captureMethod ?? "AUTOMATIC",
    description: input.description ?? null, metadata,
    ...(input.customerId ? { customerId: input.customerId } : {}),
  };
  return commit(ctx, () =>
    idempotent(ctx.app.db, { merchantId: ctx.merchantId, key: input.idempotencyKey ?? headerKey, operation: "createPayment", request }, paymentCodec, async (tx) => {
      if (input.customerId) await getCustomer(tx, ctx.merchantId, input.customerId, "customerId");
      const payment = await tx.payment.create({
        data: {
          id: newId("pay"),
          merchantId: ctx.merchantId,
          status: "REQUIRES_PAYMENT_METHOD",
          amount: money.minor,
          currency: money.currency,
          captureMethod: input.captureMethod ?? "AUTOMATIC",
          description: input.description ?? null,
          metadata,
          customerId: input.customerId ?? null,
        },
      });
      await recordPaymentEvent(tx, ctx, payment, "payment.created");
      return payment;
    }),
  );
}
