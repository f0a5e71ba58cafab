// capturePayment (manual capture): one capture, full or partial; the rest of the authorization is
// released, as with Stripe. The gateway key is derived from the payment's version, so concurrent
// or repeated captures of one authorization reach the gateway as one capture.
import type { Payment } from "../../generated/prisma/client.js";
import { commit, type Ctx } from "../../platform/app.js";
import { Money } from "../../platform/money.js";
import { decide } from "../payment-change.js";
import { getPayment } from "../payment.queries.js";
import { transitionPayment } from "../transition.js";
import { authorizationReference, gatewayOf, requireApproved } from "./gateway-call.js";

export interface CapturePaymentInput {
  paymentId: string;
  /** Defaults to everything capturable. */
  amount?: string | null;
}

export async function capturePayment(ctx: Ctx, input: CapturePaymentInput): Promise<Payment> {
  const payment = await getPayment(ctx.app.db, ctx.merchantId, input.paymentId);
  const amount = input.amount ? Money.parsePositive(input.amount, payment.currency).minor : payment.amountCapturable;
  const change = { kind: "captured", amount } as const;
  decide(payment, change, ctx.app.config.maxFailedAttempts); // refuse early: no gateway call for a doomed capture
  const outcome = await gatewayOf(ctx).capture({
    idempotencyKey: `${payment.id}:capture:${payment.version}`,
    reference: await authorizationReference(ctx, payment),
    amount,
    currency: payment.currency,
  });
  requireApproved(outcome, "capture");
  return commit(ctx, () => ctx.app.db.$transaction((tx) => transitionPayment(tx, ctx, payment.id, change)));
}
