// The worker's half of a batch. The start job queues one job per pending item; an item job runs the
// item through the same operation as the single mutation (capturePayment, refundPayment,
// cancelPayment) under the idempotency key `batch:<id>:<line>`, so a job run twice — a worker
// killed mid-item, a lost answer — converges on the one capture or refund. A retryable error is
// tried again (ITEM_ATTEMPTS); any other typed error, or the last try's, is the item's FAILED code.
// Items write only their own row: the batch's counts are counted from them when read, and the
// batch row changes once, when its last item is done (no row that every item must lock).
import type { Job, Queue } from "bullmq";
import type { BatchOperation } from "../generated/prisma/enums.js";
import { batchItemsFinished } from "./batch-metrics.js";
import type { App, Ctx } from "../app/app.js";
import { AppError, ErrorCode } from "../platform/errors.js";
import { capturePayment } from "../payments/operations/capture.js";
import { cancelPayment } from "../payments/operations/cancel.js";
import { refundPayment } from "../refunds/operations/refund.js";
import { publishBatch } from "./batches.js";
import { batchJobOptions, type BatchJob } from "./queue.js";

const ENQUEUE_CHUNK = 1000;
/** Subscribers hear a running batch's counts at most this often (from each worker process), and its end at once. */
const PUBLISH_EVERY_MS = 250;


export interface BatchRunner {
  start(job: { batchId: string; merchantId: string }): Promise<void>;
  item(job: Job<BatchJob>): Promise<void>;
  requeueStranded(olderThanMs: number): Promise<number>;
}

/** Items handed back per pass of requeueStranded. */
const STRANDED_BATCH = 200;

export function createBatchRunner(app: App, queue: Queue<BatchJob>): BatchRunner {
  const { db } = app;
  /** Per batch: a publish is due (trailing), and when the last one went. */
  const progress = new Map<string, { timer?: NodeJS.Timeout; last: number }>();

  /** Throttled: at most one publish per PUBLISH_EVERY_MS per batch, the last change always told. */
  function touch(merchantId: string, batchId: string, now = false): void {
    const p = progress.get(batchId) ?? { last: 0 };
    progress.set(batchId, p);
    if (now) {
      clearTimeout(p.timer);
      progress.delete(batchId);
      void publishBatch(app, merchantId, batchId);
      return;
    }
    if (p.timer) return;
    const wait = Math.max(0, p.last + PUBLISH_EVERY_MS - Date.now());
    p.timer = setTimeout(() => {
      p.timer = undefined;
      p.last = Date.now();
      void publishBatch(app, merchantId, batchId);
    }, wait);
    p.timer.unref();
  }

  /** Queues every pending item (again, after a crash: their job ids make that harmless), then RUNNING. */
  async function start(job: { batchId: string; merchantId: string }): Promise<void> {
    for (let after = 0; ;) {
      const lines = await db.batchItem.findMany({ where: { batchId: job.batchId, status: "PENDING", line: { gt: after } }, select: { line: true }, orderBy: { line: "asc" }, take: ENQUEUE_CHUNK });
      if (lines.length === 0) break;
      await queue.addBulk(lines.map(({ line }) => {
        const data: BatchJob = { kind: "item", batchId: job.batchId, merchantId: job.merchantId, line };
        return { name: "item", data, opts: batchJobOptions(data) };
      }));
      after = lines.at(-1)!.line;
    }
    // Items may already have finished (they were queued above): then it is COMPLETED at once.
    const done = await db.$executeRaw`
      UPDATE batch SET status = (CASE WHEN NOT EXISTS (SELECT 1 FROM batch_item WHERE batch_id = ${job.batchId} AND status IN ('PENDING', 'RUNNING')) THEN 'COMPLETED' ELSE 'RUNNING' END)::"BatchStatus",
        completed_at = CASE WHEN NOT EXISTS (SELECT 1 FROM batch_item WHERE batch_id = ${job.batchId} AND status IN ('PENDING', 'RUNNING')) THEN now() END, updated_at = now()
      WHERE id = ${job.batchId} AND status = 'VALIDATING'`;
    if (done) touch(job.merchantId, job.batchId, true);
  }

  async function item(job: Job<BatchJob>): Promise<void> {
    const data = job.data as Extract<BatchJob, { kind: "item" }>;
    // Claimed as RUNNING, and read with its batch, in one statement; nothing if the batch was
    // canceled first (canceling stops only what has not started) or the item is done.
    const [claimed] = await db.$queryRaw<{ paymentId: string; amount: string | null; reason: string | null; operation: BatchOperation; actor: string }[]>`
      UPDATE batch_item i SET status = 'RUNNING', updated_at = now() FROM batch b
      WHERE i.batch_id = ${data.batchId} AND i.line = ${data.line} AND i.status IN ('PENDING', 'RUNNING') AND b.id = i.batch_id AND b.merchant_id = ${data.merchantId}
      RETURNING i.payment_id AS "paymentId", i.amount, i.reason, b.operation::text AS operation, b.actor`;
    if (!claimed) return;
    const ctx: Ctx = { app, merchantId: data.merchantId, requestId: `batch:${data.batchId}:${data.line}`, actor: claimed.actor };
    const idempotencyKey = `batch:${data.batchId}:${data.line}`;
    let outcome: { status: "SUCCEEDED" | "FAILED"; resultId?: string; errorCode?: string; errorMessage?: string };
    try {
      const resultId = claimed.operation === "CAPTURE" ? (await capturePayment(ctx, { paymentId: claimed.paymentId, amount: claimed.amount, idempotencyKey })).id
        : claimed.operation === "CANCEL" ? (await cancelPayment(ctx, { paymentId: claimed.paymentId, idempotencyKey })).id
          : (await refundPayment(ctx, { paymentId: claimed.paymentId, amount: claimed.amount, reason: claimed.reason, idempotencyKey })).refund.id;
      outcome = { status: "SUCCEEDED", resultId };
    } catch (err) {
      const lastTry = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (retryable(err) && !lastTry) throw err;
      if (!(err instanceof AppError)) app.log.error({ err, batchId: data.batchId, line: data.line }, "batch item failed unexpectedly");
      outcome = { status: "FAILED", errorCode: err instanceof AppError ? err.code : ErrorCode.INTERNAL, errorMessage: err instanceof AppError ? err.message : "Internal error" };
    }
    const settled = await db.batchItem.updateMany({
      where: { batchId: data.batchId, line: data.line, status: "RUNNING" },
      data: { status: outcome.status, resultId: outcome.resultId ?? null, errorCode: outcome.errorCode ?? null, errorMessage: outcome.errorMessage ?? null, updatedAt: new Date() },
    });
    if (settled.count) batchItemsFinished.inc({ operation: claimed.operation.toLowerCase(), outcome: outcome.status.toLowerCase() });
    // After this item's commit: the item that finishes last sees no other left and completes the batch.
    const completed = await db.$executeRaw`
      UPDATE batch SET status = 'COMPLETED', completed_at = now(), updated_at = now()
      WHERE id = ${data.batchId} AND status = 'RUNNING' AND NOT EXISTS (SELECT 1 FROM batch_item WHERE batch_id = ${data.batchId} AND status IN ('PENDING', 'RUNNING'))`;
    touch(data.merchantId, data.batchId, completed > 0);
  }

  /**
   * The safety net: an item left RUNNING with no job to finish it (its last try failed while
   * writing its outcome, or Redis lost the job) is queued again. Re-running is safe: the item runs
   * under its own idempotency key, so it converges on the capture or refund it may already have made.
   */
  async function requeueStranded(olderThanMs: number): Promise<number> {
    const stale = await db.$queryRaw<{ batchId: string; line: number; merchantId: string }[]>`
      SELECT i.batch_id AS "batchId", i.line, b.merchant_id AS "merchantId" FROM batch_item i JOIN batch b ON b.id = i.batch_id
      WHERE b.status = 'RUNNING' AND i.status = 'RUNNING' AND i.updated_at < ${new Date(Date.now() - olderThanMs)}
      ORDER BY i.updated_at LIMIT ${STRANDED_BATCH}`;
    let requeued = 0;
    for (const row of stale) {
      const data: BatchJob = { kind: "item", ...row };
      const opts = batchJobOptions(data);
      const existing = await queue.getJob(opts.jobId!);
      if (existing && !(await existing.isCompleted()) && !(await existing.isFailed())) continue; // waiting, delayed or running
      await existing?.remove();
      await queue.add("item", data, opts);
      requeued += 1;
    }
    return requeued;
  }

  return { start, item, requeueStranded };
}

/** Errors worth another try: the operation may well go through in a moment. */
const retryable = (err: unknown): boolean =>
  err instanceof AppError
    ? err.details.retryable === true || ([ErrorCode.SERVICE_UNAVAILABLE, ErrorCode.IDEMPOTENCY_IN_PROGRESS, ErrorCode.CONFLICT, ErrorCode.RATE_LIMITED] as string[]).includes(err.code)
    : true;
