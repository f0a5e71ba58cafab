// refundPayment: reserve the amount on the payment under its row lock (so concurrent refunds can
// never sum past the capture), write the PENDING refund, and hand it to the worker through the
// outbox. The gateway settles it; the payment's status follows when it does.
import type { Payment, Refund } from "../../generated/prisma/client.js";
import type { Ctx } from "../../app/app.js";
import { relayOutbox, writeOutbox } from "../../platform/outbox.js";
import { REFUND_UPDATED_TOPIC, type RefundUpdatedMessage } from "../refund.resource.js";
import type { Tx } from "../../platform/db.js";
import { badInput } from "../../platform/errors.js";
import { idempotent, type Codec } from "../../platform/idempotency.js";
import { newId } from "../../platform/ids.js";
import { Money, canonicalDecimal } from "../../platform/money.js";
import { GATEWAY_JOB_TOPIC, type GatewayJob } from "../../platform/queue.js";
import { getPayment } from "../../payments/payment.queries.js";
import { paymentCodec } from "../../payments/payment.snapshot.js";
import { transitionPayment } from "../../payments/transition.js";
import { gatewayShare, type GatewayMoney } from "../../fx/settlement.js";
import { refundCodec } from "../refund.snapshot.js";
import { recordAudit } from "../../audit/audit.js";
import { refundView } from "../../audit/views.js";

export interface RefundPaymentInput {
  paymentId: string;
  /** Defaults to everything still refundable. */
  amount?: string | null;
  reason?: string | null;
  idempotencyKey?: string | null;
}

export interface RefundResult {
  refund: Refund;
  payment: Payment;
}

const resultCodec: Codec<RefundResult> = {
  encode: (r) => ({ refund: refundCodec.encode(r.refund), payment: paymentCodec.encode(r.payment) }),
  decode: (json) => {
    const j = json as { refund: unknown; payment: unknown };
    return { refund: refundCodec.decode(j.refund), payment: paymentCodec.decode(j.payment) };
  },
};

/**
 * A converted payment is refunded in what the gateway charged: what the live refunds (this one
 * included, under the payment's row lock) are worth in the settlement currency, minus what the
 * other live refunds already asked for. Failed refunds drop out, so the shares re-converge.
 */
async function refundShare(tx: Tx, payment: Payment, refundId: string): Promise<GatewayMoney> {
  const live = await tx.refund.aggregate({ _sum: { gatewayAmount: true }, where: { paymentId: payment.id, status: { in: ["PENDING", "SUCCEEDED"] }, id: { not: refundId } } });
  const { amount: worth, currency } = gatewayShare(payment, 0n, payment.amountRefunded + payment.amountRefundPending);
  const amount = worth - (live._sum.gatewayAmount ?? 0n);
  if (amount <= 0n) throw badInput(`This refund is worth nothing in ${currency}, the currency the payment was charged in: refund a larger amount`, "amount");
  return { amount, currency };
}

export async function refundPayment(ctx: Ctx, input: RefundPaymentInput, headerKey?: string): Promise<RefundResult> {
  if (input.reason && input.reason.length > 500) throw badInput("reason may be at most 500 characters", "reason");
  const request = { paymentId: input.paymentId, amount: input.amount ? canonicalDecimal(input.amount) : null, reason: input.reason ?? null };
  return relayOutbox(ctx, () =>
    idempotent(ctx.app.db, { merchantId: ctx.merchantId, key: input.idempotencyKey ?? headerKey, operation: "refundPayment", request }, resultCodec, async (tx) => {
      const current = await getPayment(tx, ctx.merchantId, input.paymentId);
      const amount = input.amount
        ? Money.parsePositive(input.amount, current.currency).minor
        : current.amountCaptured - current.amountRefunded - current.amountRefundPending;
      // transitionPayment re-checks the amount against the payment it updates (under its lock on contention).
      const refundId = newId("re");
      const job: GatewayJob = { kind: "refund", refundId, merchantId: ctx.merchantId };
      const payment = await transitionPayment(tx, ctx, input.paymentId, { kind: "refundRequested", amount }, { also: [{ topic: GATEWAY_JOB_TOPIC, payload: job }] });
      const share = payment.settlementCurrency ? await refundShare(tx, payment, refundId) : undefined;
      const refund = await tx.refund.create({
        data: {
          id: refundId, merchantId: ctx.merchantId, paymentId: payment.id, amount, currency: payment.currency, reason: input.reason ?? null, status: "PENDING",
          ...(share ? { gatewayAmount: share.amount, gatewayCurrency: share.currency } : {}),
        },
      });
      const [auditRecordId] = await recordAudit(tx, ctx, { action: "refund.created", entityType: "refund", entityId: refund.id, after: refundView(refund) });
      const message: RefundUpdatedMessage = { merchantId: ctx.merchantId, refundId: refund.id, auditRecordId: auditRecordId as string, action: "refund.created" };
      await writeOutbox(tx, [{ topic: REFUND_UPDATED_TOPIC, payload: message }]);
      return { refund, payment };
    }),
  );
}
