// The worker role's batches: a BullMQ worker of its own on the batch queue, so a 10,000-item batch
// never stands in front of the gateway jobs of single payments.
import { Worker, type ConnectionOptions } from "bullmq";
import type { Redis } from "ioredis";
import type { App } from "../app/app.js";
import { logConnectionError } from "../platform/unavailable.js";
import { every } from "../platform/loop.js";
import { createBatchRunner } from "../batches/batch-runner.js";
import { BATCH_QUEUE, createBatchQueue, type BatchJob } from "../batches/queue.js";

/** Items of one worker process in flight: each waits on the database and a gateway, not on CPU. */
const BATCH_CONCURRENCY = 16;

export function startBatchWorker(app: App, connection: Redis): { close(): Promise<void> } {
  const { config } = app;
  const queue = createBatchQueue(connection, config.redisPrefix);
  const runner = createBatchRunner(app, queue);
  const worker = new Worker<BatchJob>(
    BATCH_QUEUE,
    (job) => (job.data.kind === "start" ? runner.start(job.data) : runner.item(job)),
    {
      connection: connection as ConnectionOptions,
      prefix: `${config.redisPrefix}:bull`,
      concurrency: BATCH_CONCURRENCY,
      lockDuration: config.jobLockMs,
      stalledInterval: Math.max(1000, Math.floor(config.jobLockMs / 2)),
      maxStalledCount: 10,
    },
  );
  worker.on("error", (err) => logConnectionError(app.log, "bullmq:batch-worker", err));
  // Like the gateway reconciler (same schedule): items stranded RUNNING go back to the queue.
  const stranded = every(config.reconcileEveryMs, () => runner.requeueStranded(config.reconcileAfterMs).then(
    (n) => n && app.log.warn({ requeued: n }, "batch items stranded RUNNING handed back to the queue"),
    (err: unknown) => app.log.warn({ err }, "batch reconciler failed; will retry"),
  ));
  return {
    async close() {
      await stranded.stop();
      await worker.close();
      await queue.close();
    },
  };
}
