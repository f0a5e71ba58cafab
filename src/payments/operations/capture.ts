// capturePayment (manual capture): one capture, full or partial; the rest of the authorization is
// released, as with Stripe. The gateway call happens before the transaction that records it; its
// gateway key is derived from the payment's version and the amount, so a retried or concurrent
// capture of one authorization reaches the gateway as one capture, and only one commits.
// Known gap: if the process dies between the gateway's capture and the commit, the payment stays
// AUTHORIZED until the same capture is retried (the gateway then answers from its record).
import type { Payment } from "../../generated/prisma/client.js";
import { commit, type Ctx } from "../../platform/app.js";
import { idempotent, replayed } from "../../platform/idempotency.js";
import { Money } from "../../platform/money.js";
import { badInput } from "../../platform/errors.js";
import { decide } from "../payment-change.js";
import { getPayment } from "../payment.queries.js";
import { paymentCodec } from "../payment.snapshot.js";
import { gatewayShare } from "../../fx/settlement.js";
import { transitionPayment } from "../transition.js";
import { authorization, requireApproved } from "./gateway-call.js";

export interface CapturePaymentInput {
  paymentId: string;
  /** Defaults to everything capturable. */
  amount?: string | null;
  idempotencyKey?: string | null;
}

export async function capturePayment(ctx: Ctx, input: CapturePaymentInput, headerKey?: string): Promise<Payment> {
  const payment = await getPayment(ctx.app.db, ctx.merchantId, input.paymentId);
  const amount = input.amount ? Money.parsePositive(input.amount, payment.currency).minor : payment.amountCapturable;
  const scope = { merchantId: ctx.merchantId, key: input.idempotencyKey ?? headerKey, operation: "capturePayment", request: { paymentId: payment.id, amount: input.amount ? amount : null } };
  const earlier = await replayed(ctx.app.db, scope, paymentCodec);
  if (earlier) return earlier;
  const change = { kind: "capture", amount } as const;
  decide(payment, change, ctx.app.config.maxFailedAttempts); // refuse early: no gateway call for a doomed capture
  const share = gatewayShare(payment, payment.amountCaptured, amount);
  if (share.amount <= 0n) throw badInput(`This capture is worth nothing in ${share.currency}, the currency the payment was authorized in`, "amount");
  const { gateway, reference } = await authorization(ctx, payment);
  const outcome = await gateway.capture({ idempotencyKey: `${payment.id}:capture:${payment.version}:${amount}`, reference, ...share });
  requireApproved(outcome, "capture");
  return commit(ctx, () => idempotent(ctx.app.db, scope, paymentCodec, (tx) => transitionPayment(tx, ctx, payment.id, change)));
}
