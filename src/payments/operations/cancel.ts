// cancelPayment: a payment nobody paid yet is canceled at once; an authorization is voided at the
// gateway, staged before the call and settled after it like a capture (staged-operation.ts).
// A captured payment cannot be canceled: refund it.
import type { Payment } from "../../generated/prisma/client.js";
import type { Ctx } from "../../app/app.js";
import { runStaged } from "./staged-operation.js";

export async function cancelPayment(ctx: Ctx, input: { paymentId: string; idempotencyKey?: string | null }, headerKey?: string): Promise<Payment> {
  return runStaged(ctx, {
    kind: "VOID", paymentId: input.paymentId,
    scope: { merchantId: ctx.merchantId, key: input.idempotencyKey ?? headerKey, operation: "cancelPayment", request: { paymentId: input.paymentId } },
  });
}
