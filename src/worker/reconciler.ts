// The safety net under the gateway queue: attempts, refunds and staged captures/voids still PENDING long after their job
// should have finished (retries exhausted while the gateway was down, a failure outside the
// gateway call, a Redis that lost its queue) are handed to the queue again. Re-running is safe by
// construction: the row id is both the job id and the gateway idempotency key. On the same
// schedule, 3-D Secure challenges past THREEDS_TIMEOUT_SECONDS are settled or abandoned, and
// checkout sessions past their time expire.
import type { App } from "../app/app.js";
import { expireDueSessions } from "../checkout/checkout-sessions.js";
import { expireReviews } from "../payments/operations/review.js";
import { settleExpiredChallenges } from "../payments/three-d-secure/expiry.js";
import { gatewayJobId, gatewayJobOptions, type GatewayJob } from "../platform/queue.js";

const BATCH = 200;

async function requeue(app: App, data: GatewayJob): Promise<void> {
  const id = gatewayJobId(data);
  const existing = await app.queue.getJob(id);
  if (existing && (await existing.isFailed())) return existing.retry();
  if (existing && !(await existing.isCompleted())) return; // waiting, delayed or running: leave it
  await existing?.remove();
  await app.queue.add(data.kind, data, { ...gatewayJobOptions(app.config.gatewayRetries), jobId: id });
}

export async function reconcileOnce(app: App, now = new Date()): Promise<number> {
  const stale = { status: "PENDING" as const, updatedAt: { lt: new Date(now.getTime() - app.config.reconcileAfterMs) } };
  const select = { id: true, merchantId: true } as const;
  const [attempts, refunds, operations] = await Promise.all([
    app.db.paymentAttempt.findMany({ where: stale, select, take: BATCH }),
    app.db.refund.findMany({ where: stale, select, take: BATCH }),
    app.db.paymentOperation.findMany({ where: stale, select, take: BATCH }),
  ]);
  const jobs: GatewayJob[] = [
    ...attempts.map((a) => ({ kind: "authorize" as const, attemptId: a.id, merchantId: a.merchantId })),
    ...refunds.map((r) => ({ kind: "refund" as const, refundId: r.id, merchantId: r.merchantId })),
    ...operations.map((o) => ({ kind: "operation" as const, operationId: o.id, merchantId: o.merchantId })),
  ];
  for (const job of jobs) {
    // Two workers may reconcile the same row at once; the loser's retry/add is a harmless error.
    await requeue(app, job).catch((err: unknown) => app.log.debug({ err, job }, "requeue raced"));
  }
  return jobs.length;
}

export function startReconciler(app: App): { stop(): void } {
  const timer = setInterval(() => {
    settleExpiredChallenges(app)
      .then((n) => n && app.log.info({ settled: n }, "3-D Secure challenges past their time settled"))
      .then(() => expireReviews(app))
      .then((n) => n && app.log.info({ cancelled: n }, "reviews past RISK_REVIEW_TIMEOUT_HOURS cancelled"))
      .then(() => expireDueSessions(app))
      .then((n) => n && app.log.info({ expired: n }, "checkout sessions past their time expired"))
      .catch((err: unknown) => app.log.warn({ err }, "3-D Secure / checkout expiry sweep failed; will retry"));
    reconcileOnce(app)
      .then((n) => n && app.log.warn({ requeued: n }, "reconciler handed stale gateway work back to the queue"))
      .catch((err: unknown) => app.log.warn({ err }, "reconciler failed; will retry"));
  }, app.config.reconcileEveryMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
