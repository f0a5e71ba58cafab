// capturePayment (manual capture): one capture, full or partial; the rest of the authorization is
// released, as with Stripe. Staged before the gateway call and settled after it
// (staged-operation.ts): a capture the gateway made is never lost to a crash, and a retry under
// the same idempotency key converges on the one capture.
import type { Payment } from "../../generated/prisma/client.js";
import type { Ctx } from "../../app/app.js";
import { Money } from "../../platform/money.js";
import { getPayment } from "../payment.queries.js";
import { runStaged } from "./staged-operation.js";

export interface CapturePaymentInput {
  paymentId: string;
  /** Defaults to everything capturable. */
  amount?: string | null;
  idempotencyKey?: string | null;
}

export async function capturePayment(ctx: Ctx, input: CapturePaymentInput, headerKey?: string): Promise<Payment> {
  // The currency (for parsing the amount) never changes: read it outside the staging transaction.
  const amount = input.amount ? Money.parsePositive(input.amount, (await getPayment(ctx.app.db, ctx.merchantId, input.paymentId)).currency).minor : undefined;
  const request = { paymentId: input.paymentId, amount: amount ?? null };
  return runStaged(ctx, {
    kind: "CAPTURE", paymentId: input.paymentId, amount,
    scope: { merchantId: ctx.merchantId, key: input.idempotencyKey ?? headerKey, operation: "capturePayment", request },
  });
}
