// The worker's half of a refund: ask the gateway (outside any transaction), then settle the refund
// and the payment's amounts in one transaction. The refund id is the gateway idempotency key, so a
// refund whose answer was lost is simply asked again (by BullMQ, then by the reconciler) until the
// gateway says yes or no: it is never marked FAILED on a timeout, which would free its amount
// for a second refund while the first may have gone through.
import type { App, Ctx } from "../app/app.js";
import { relayOutbox, writeOutbox } from "../platform/outbox.js";
import { REFUND_UPDATED_TOPIC, type RefundUpdatedMessage } from "./refund.resource.js";
import { authorization } from "../payments/operations/authorization.js";
import { callGateway } from "../gateways/gateway-call.js";
import { TransientGatewayError } from "../gateways/gateway.js";
import { transitionPayment } from "../payments/transition.js";
import { recordAudit } from "../audit/audit.js";
import { refundView } from "../audit/views.js";

export async function runRefund(app: App, job: { refundId: string; merchantId: string }): Promise<void> {
  const { db } = app;
  const ctx: Ctx = { app, merchantId: job.merchantId, requestId: `job:${job.refundId}`, actor: "system:worker" };
  const refund = await db.refund.findFirst({ where: { id: job.refundId, merchantId: job.merchantId } });
  if (!refund || refund.status !== "PENDING") return;
  const payment = await db.payment.findFirstOrThrow({ where: { id: refund.paymentId, merchantId: job.merchantId } });
  const { target, reference } = await authorization(ctx, payment);
  const { outcome } = await callGateway(app, target, {
    op: "refund", input: { idempotencyKey: refund.id, reference, amount: refund.gatewayAmount ?? refund.amount, currency: refund.gatewayCurrency ?? refund.currency },
  });
  if (outcome.kind === "transient") throw new TransientGatewayError(`${outcome.code}: ${outcome.message}`);

  const succeeded = outcome.kind === "approved";
  await relayOutbox(ctx, () =>
    db.$transaction(async (tx) => {
      const data = {
        status: succeeded ? ("SUCCEEDED" as const) : ("FAILED" as const),
        gatewayReference: outcome.kind === "approved" ? outcome.reference : null,
        failureCode: outcome.kind === "declined" ? outcome.code : null,
        updatedAt: new Date(),
      };
      const settled = await tx.refund.updateMany({ where: { id: refund.id, status: "PENDING" }, data });
      if (settled.count !== 1) return;
      const action = succeeded ? "refund.succeeded" : "refund.failed";
      const [auditRecordId] = await recordAudit(tx, ctx, {
        action, entityType: "refund", entityId: refund.id, before: refundView(refund), after: refundView({ ...refund, ...data }),
      });
      const message: RefundUpdatedMessage = { merchantId: job.merchantId, refundId: refund.id, auditRecordId: auditRecordId as string, action };
      await writeOutbox(tx, [{ topic: REFUND_UPDATED_TOPIC, payload: message }]);
      await transitionPayment(tx, ctx, payment.id, { kind: "refundSettled", amount: refund.amount, succeeded });
    }),
  );
}
