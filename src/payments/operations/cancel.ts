// cancelPayment: a payment nobody paid yet is canceled at once; an authorization is voided at the
// gateway first (outside the transaction; the gateway key is derived from the payment's version).
// A captured payment cannot be canceled: refund it.
import type { Payment } from "../../generated/prisma/client.js";
import { commit, type Ctx } from "../../platform/app.js";
import { idempotent, replayed } from "../../platform/idempotency.js";
import { decide } from "../payment-change.js";
import { getPayment } from "../payment.queries.js";
import { paymentCodec } from "../payment.snapshot.js";
import { transitionPayment } from "../transition.js";
import { authorization, requireApproved } from "./gateway-call.js";

export async function cancelPayment(ctx: Ctx, input: { paymentId: string; idempotencyKey?: string | null }, headerKey?: string): Promise<Payment> {
  const scope = { merchantId: ctx.merchantId, key: input.idempotencyKey ?? headerKey, operation: "cancelPayment", request: { paymentId: input.paymentId } };
  const earlier = await replayed(ctx.app.db, scope, paymentCodec);
  if (earlier) return earlier;
  const payment = await getPayment(ctx.app.db, ctx.merchantId, input.paymentId);
  const change = { kind: "canceled" } as const;
  decide(payment, change, ctx.app.config.maxFailedAttempts);
  if (payment.status === "AUTHORIZED") {
    const { gateway, reference } = await authorization(ctx, payment);
    const outcome = await gateway.void({ idempotencyKey: `${payment.id}:void:${payment.version}`, reference });
    requireApproved(outcome, "void");
  }
  return commit(ctx, () => idempotent(ctx.app.db, scope, paymentCodec, (tx) => transitionPayment(tx, ctx, payment.id, change)));
}
