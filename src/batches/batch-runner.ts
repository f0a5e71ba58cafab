// The worker's half of a batch. The start job queues one job per pending item; an item job runs the
// item through the same operation as the single mutation (capturePayment, refundPayment,
// cancelPayment) under the idempotency key `batch:<id>:<line>`, so a job run twice — a worker
// killed mid-item, a lost answer — converges on the one capture or refund. A retryable error is
// tried again (ITEM_ATTEMPTS); any other typed error, or the last try's, is the item's FAILED code.
import type { Job, Queue } from "bullmq";
import type { App, Ctx } from "../app/app.js";
import { AppError, ErrorCode } from "../platform/errors.js";
import { capturePayment } from "../payments/operations/capture.js";
import { cancelPayment } from "../payments/operations/cancel.js";
import { refundPayment } from "../refunds/operations/refund.js";
import { publishBatch, type Batch, type BatchItem } from "./batches.js";
import { batchJobOptions, type BatchJob } from "./queue.js";

const ENQUEUE_CHUNK = 1000;

/** Queues every pending item (again, after a crash: their job ids make that harmless), then RUNNING. */
export async function startBatch(app: App, queue: Queue<BatchJob>, job: { batchId: string; merchantId: string }): Promise<void> {
  const { db } = app;
  for (let after = 0; ;) {
    const lines = await db.batchItem.findMany({ where: { batchId: job.batchId, status: "PENDING", line: { gt: after } }, select: { line: true }, orderBy: { line: "asc" }, take: ENQUEUE_CHUNK });
    if (lines.length === 0) break;
    await queue.addBulk(lines.map(({ line }) => {
      const data: BatchJob = { kind: "item", batchId: job.batchId, merchantId: job.merchantId, line };
      return { name: "item", data, opts: batchJobOptions(data) };
    }));
    after = lines.at(-1)!.line;
  }
  const [batch] = await db.$queryRaw<Batch[]>`
    UPDATE batch SET status = (CASE WHEN succeeded + failed + invalid + canceled >= total THEN 'COMPLETED' ELSE 'RUNNING' END)::"BatchStatus",
      completed_at = CASE WHEN succeeded + failed + invalid + canceled >= total THEN now() END, updated_at = now()
    WHERE id = ${job.batchId} AND status = 'VALIDATING'
    RETURNING id, merchant_id AS "merchantId", operation, status, total, succeeded, failed, invalid, canceled, skip_invalid AS "skipInvalid", actor,
      idempotency_key AS "idempotencyKey", request_hash AS "requestHash", created_at AS "createdAt", updated_at AS "updatedAt", completed_at AS "completedAt"`;
  if (batch) await publishBatch(app, batch);
}

/** Errors worth another try: the operation may well go through in a moment. */
const retryable = (err: unknown): boolean =>
  err instanceof AppError
    ? err.details.retryable === true || ([ErrorCode.SERVICE_UNAVAILABLE, ErrorCode.IDEMPOTENCY_IN_PROGRESS, ErrorCode.CONFLICT, ErrorCode.RATE_LIMITED] as string[]).includes(err.code)
    : true;

async function runOperation(ctx: Ctx, batch: Batch, item: BatchItem): Promise<string> {
  const idempotencyKey = `batch:${batch.id}:${item.line}`;
  if (batch.operation === "CAPTURE") return (await capturePayment(ctx, { paymentId: item.paymentId, amount: item.amount, idempotencyKey })).id;
  if (batch.operation === "CANCEL") return (await cancelPayment(ctx, { paymentId: item.paymentId, idempotencyKey })).id;
  return (await refundPayment(ctx, { paymentId: item.paymentId, amount: item.amount, reason: item.reason, idempotencyKey })).refund.id;
}

export async function runItem(app: App, job: Job<BatchJob>): Promise<void> {
  const data = job.data as Extract<BatchJob, { kind: "item" }>;
  const { db } = app;
  // Claimed as RUNNING unless the batch was canceled first: canceling stops only what has not started.
  const claimed = await db.$executeRaw`
    UPDATE batch_item SET status = 'RUNNING', updated_at = now()
    WHERE batch_id = ${data.batchId} AND line = ${data.line} AND status IN ('PENDING', 'RUNNING')`;
  if (claimed === 0) return;
  const batch = await db.batch.findFirstOrThrow({ where: { id: data.batchId, merchantId: data.merchantId } });
  const item = await db.batchItem.findFirstOrThrow({ where: { batchId: data.batchId, line: data.line } });
  const ctx: Ctx = { app, merchantId: batch.merchantId, requestId: `batch:${batch.id}:${item.line}`, actor: batch.actor };
  try {
    const resultId = await runOperation(ctx, batch, item);
    await settleItem(app, item, { status: "SUCCEEDED", resultId });
  } catch (err) {
    const lastTry = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    if (retryable(err) && !lastTry) throw err;
    const code = err instanceof AppError ? err.code : ErrorCode.INTERNAL;
    if (!(err instanceof AppError)) app.log.error({ err, batchId: batch.id, line: item.line }, "batch item failed unexpectedly");
    await settleItem(app, item, { status: "FAILED", errorCode: code, errorMessage: err instanceof AppError ? err.message : "Internal error" });
  }
}

/** The item's outcome and the batch's counts, together; the batch is COMPLETED with its last item. */
async function settleItem(app: App, item: BatchItem, outcome: { status: "SUCCEEDED" | "FAILED"; resultId?: string; errorCode?: string; errorMessage?: string }): Promise<void> {
  const column = outcome.status === "SUCCEEDED" ? "succeeded" : "failed";
  const batch = await app.db.$transaction(async (tx) => {
    const settled = await tx.batchItem.updateMany({
      where: { batchId: item.batchId, line: item.line, status: "RUNNING" },
      data: { status: outcome.status, resultId: outcome.resultId ?? null, errorCode: outcome.errorCode ?? null, errorMessage: outcome.errorMessage ?? null, updatedAt: new Date() },
    });
    if (settled.count === 0) return undefined; // a concurrent run of the same job settled it
    const counted = await tx.batch.update({ where: { id: item.batchId }, data: { [column]: { increment: 1 }, updatedAt: new Date() } });
    if (counted.status === "RUNNING" && counted.succeeded + counted.failed + counted.invalid + counted.canceled >= counted.total) {
      return tx.batch.update({ where: { id: item.batchId }, data: { status: "COMPLETED", completedAt: new Date() } });
    }
    return counted;
  });
  if (batch) await publishBatch(app, batch);
}
