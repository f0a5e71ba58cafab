// The worker's half of a payment attempt: call the gateway outside any transaction, then record
// the outcome and move the payment in one short transaction. Safe to run again after a crash at
// any point: the attempt id is the gateway idempotency key, and only a PENDING attempt is finished.
import type { App, Ctx } from "../platform/app.js";
import { commit } from "../platform/app.js";
import { gatewayLatency } from "../platform/metrics.js";
import type { GatewayOutcome } from "../gateways/gateway.js";
import type { Payment } from "../generated/prisma/client.js";
import { cardDetails } from "../vault/vault.js";
import type { PaymentChange } from "./payment-change.js";
import { transitionPayment } from "./transition.js";

/** Thrown to let BullMQ retry the job with backoff: same gateway, same idempotency key. */
export class TransientGatewayError extends Error {}

export function changeForOutcome(outcome: GatewayOutcome, payment: Payment, attemptId: string): PaymentChange {
  switch (outcome.kind) {
    case "approved":
      return payment.captureMethod === "AUTOMATIC" ? { kind: "captured", amount: payment.amount } : { kind: "authorized" };
    case "requires_action":
      return { kind: "requiresAction" };
    case "declined":
      return { kind: "declined", error: { code: outcome.code, declineCode: outcome.declineCode || null, message: outcome.message, attemptId } };
    case "transient":
      return { kind: "declined", error: { code: outcome.code, declineCode: null, message: `${outcome.message} (retries exhausted)`, attemptId } };
  }
}

function attemptFields(outcome: GatewayOutcome, latencyMs: number) {
  switch (outcome.kind) {
    case "approved":
      return { status: "SUCCEEDED" as const, gatewayReference: outcome.reference, errorCode: null, errorMessage: null, latencyMs };
    case "requires_action":
      return { status: "REQUIRES_ACTION" as const, gatewayReference: outcome.reference, latencyMs };
    case "declined":
      return { status: "FAILED" as const, errorCode: outcome.code, declineCode: outcome.declineCode || null, errorMessage: outcome.message, latencyMs };
    case "transient":
      return { status: "FAILED" as const, errorCode: outcome.code, errorMessage: outcome.message, latencyMs };
  }
}

export async function runAuthorizeAttempt(app: App, job: { attemptId: string; merchantId: string }, finalTry: boolean): Promise<void> {
  const { db } = app;
  const ctx: Ctx = { app, merchantId: job.merchantId, requestId: `job:${job.attemptId}` };
  const attempt = await db.paymentAttempt.findFirst({ where: { id: job.attemptId, merchantId: job.merchantId } });
  if (!attempt || attempt.status !== "PENDING") return; // finished by an earlier run of this job
  const payment = await db.payment.findFirstOrThrow({ where: { id: attempt.paymentId, merchantId: job.merchantId } });
  const method = await db.paymentMethod.findFirstOrThrow({ where: { id: payment.paymentMethodId ?? "", merchantId: job.merchantId } });
  if (!app.gateway) throw new Error("worker has no gateway configured");

  const tries = attempt.tries + 1;
  const started = performance.now();
  const outcome = await app.gateway.authorize({
    idempotencyKey: attempt.id,
    amount: attempt.amount,
    currency: attempt.currency,
    card: cardDetails(app.config, method),
    capture: payment.captureMethod === "AUTOMATIC",
  });
  const latencyMs = Math.round(performance.now() - started);
  gatewayLatency.observe({ gateway: attempt.gateway, operation: "authorize", outcome: outcome.kind }, latencyMs / 1000);

  if (outcome.kind === "transient" && !finalTry) {
    await db.paymentAttempt.update({ where: { id: attempt.id }, data: { tries, errorCode: outcome.code, errorMessage: outcome.message, latencyMs, updatedAt: new Date() } });
    throw new TransientGatewayError(`${outcome.code}: ${outcome.message}`);
  }
  await commit(ctx, () =>
    db.$transaction(async (tx) => {
      // Only the run that flips PENDING moves the payment: a concurrent duplicate finds 0 rows.
      const finished = await tx.paymentAttempt.updateMany({
        where: { id: attempt.id, status: "PENDING" },
        data: { ...attemptFields(outcome, latencyMs), tries, updatedAt: new Date() },
      });
      if (finished.count === 1) await transitionPayment(tx, ctx, payment.id, changeForOutcome(outcome, payment, attempt.id));
    }),
  );
}
