// approvePayment and rejectPayment: a person's decision on a payment the risk step held for review
// (REQUIRES_REVIEW, src/risk). Approval routes the payment now (gateways may have changed while it
// waited) and sends its first attempt as a confirmation would, without asking the risk step again;
// rejection cancels it, with the reviewer's reason as its lastPaymentError. A review nobody
// decides in RISK_REVIEW_TIMEOUT_HOURS is cancelled by the worker (`expireReviews`). Each is a
// transition: audited, on subscriptions and webhooks; approve and reject are idempotent under a key.
import type { App, Ctx } from "../../app/app.js";
import type { Payment } from "../../generated/prisma/client.js";
import { AppError, ErrorCode, badInput } from "../../platform/errors.js";
import { idempotent } from "../../platform/idempotency.js";
import { relayOutbox } from "../../platform/outbox.js";
import { routeAttempt } from "../../routing/route-attempt.js";
import { decide, type PaymentError } from "../payment-change.js";
import { getPayment } from "../payment.queries.js";
import { paymentCodec } from "../payment.snapshot.js";
import { transitionPayment } from "../transition.js";
import { firstAttempt } from "./confirm.js";

export const REJECTED_IN_REVIEW = "rejected_in_review";
export const REVIEW_TIMED_OUT = "review_timed_out";

function underReview(payment: Payment, action: string): void {
  if (payment.status === "REQUIRES_REVIEW") return;
  throw new AppError(ErrorCode.INVALID_STATE_TRANSITION, `Cannot ${action} a payment in status ${payment.status}: only one held for review (REQUIRES_REVIEW)`, {
    from: payment.status, action, allowed: ["REQUIRES_REVIEW"],
  });
}

export async function approvePayment(ctx: Ctx, input: { paymentId: string; idempotencyKey?: string | null }, headerKey?: string): Promise<Payment> {
  const scope = { merchantId: ctx.merchantId, key: input.idempotencyKey ?? headerKey, operation: "approvePayment", request: { paymentId: input.paymentId } };
  return relayOutbox(ctx, () =>
    idempotent(ctx.app.db, scope, paymentCodec, async (tx) => {
      const before = await getPayment(tx, ctx.merchantId, input.paymentId);
      underReview(before, "approve");
      decide(before, { kind: "approve", settlement: null }, ctx.app.config.maxFailedAttempts);
      const method = await tx.paymentMethod.findFirstOrThrow({ where: { id: before.paymentMethodId ?? "", merchantId: ctx.merchantId } });
      const route = await routeAttempt(ctx.app, tx, {
        merchantId: ctx.merchantId, paymentId: before.id, currency: before.currency, amount: before.amount, cardBrand: method.brand, cardCountry: method.country, metadata: before.metadata, tried: [],
      });
      const { settlement, also, writes } = firstAttempt(ctx, before, method, route, false);
      return transitionPayment(tx, ctx, before.id, { kind: "approve", settlement }, { read: before, also, writes });
    }),
  );
}

export async function rejectPayment(ctx: Ctx, input: { paymentId: string; reason: string; idempotencyKey?: string | null }, headerKey?: string): Promise<Payment> {
  const reason = input.reason.trim();
  if (!reason || reason.length > 500) throw badInput("reason must be 1 to 500 characters", "reason");
  const scope = { merchantId: ctx.merchantId, key: input.idempotencyKey ?? headerKey, operation: "rejectPayment", request: { paymentId: input.paymentId, reason } };
  return relayOutbox(ctx, () =>
    idempotent(ctx.app.db, scope, paymentCodec, async (tx) => {
      const before = await getPayment(tx, ctx.merchantId, input.paymentId);
      underReview(before, "reject");
      const error: PaymentError = { code: REJECTED_IN_REVIEW, declineCode: null, message: reason, attemptId: null };
      return transitionPayment(tx, ctx, before.id, { kind: "canceled", error }, { read: before });
    }),
  );
}

/** The worker's sweep: reviews nobody decided in RISK_REVIEW_TIMEOUT_HOURS are cancelled. */
export async function expireReviews(app: App, now = new Date()): Promise<number> {
  const due = await app.db.payment.findMany({
    where: { status: "REQUIRES_REVIEW", updatedAt: { lt: new Date(now.getTime() - app.config.riskReviewTimeoutMs) } },
    select: { id: true, merchantId: true }, orderBy: { updatedAt: "asc" }, take: 100,
  });
  let cancelled = 0;
  for (const p of due) {
    const ctx: Ctx = { app, merchantId: p.merchantId, requestId: `review:${p.id}`, actor: "system:risk" };
    const error: PaymentError = { code: REVIEW_TIMED_OUT, declineCode: null, message: "Nobody approved the payment in time; nothing was charged", attemptId: null };
    await relayOutbox(ctx, () =>
      app.db.$transaction(async (tx) => {
        const before = await tx.payment.findFirst({ where: { id: p.id, merchantId: p.merchantId } });
        if (before?.status === "REQUIRES_REVIEW") await transitionPayment(tx, ctx, p.id, { kind: "canceled", error }, { read: before });
      }),
    ).then(() => cancelled++, (err: unknown) => app.log.warn({ err, paymentId: p.id }, "a review past its time could not be cancelled; will retry"));
  }
  return cancelled;
}
