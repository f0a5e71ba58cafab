// The batch queue: one job starts a batch (queues its items), then one job per item. An item job's
// id is the batch and the line, so queueing it twice (a start job re-run after a crash) is a no-op
// while it waits; once done, the item's row says so and a re-run does nothing.
import { Queue, type ConnectionOptions, type JobsOptions } from "bullmq";
import type { Redis } from "ioredis";

export const BATCH_QUEUE = "batch";
/** Outbox topic of a created batch: the relay queues its start job. */
export const BATCH_START_TOPIC = "batch.start";

export interface BatchStartMessage {
  batchId: string;
  merchantId: string;
}

export type BatchJob = { kind: "start"; batchId: string; merchantId: string } | { kind: "item"; batchId: string; merchantId: string; line: number };

/** Tries of one item before it is recorded FAILED: a retryable error (gateway unavailable) is tried again with backoff. */
export const ITEM_ATTEMPTS = 8;

export function batchJobOptions(job: BatchJob): JobsOptions {
  return {
    jobId: job.kind === "start" ? `${job.batchId}.start` : `${job.batchId}.${job.line}`,
    attempts: job.kind === "start" ? 20 : ITEM_ATTEMPTS,
    backoff: { type: "exponential", delay: 500 },
    removeOnComplete: true,
    removeOnFail: true,
  };
}

export function createBatchQueue(connection: Redis, prefix: string): Queue<BatchJob> {
  return new Queue<BatchJob>(BATCH_QUEUE, { connection: connection as ConnectionOptions, prefix: `${prefix}:bull` });
}

/** A merchant's batch updates, for the `batchUpdated` subscription. */
export const batchChannel = (redisPrefix: string, merchantId: string): string => `${redisPrefix}:batches:${merchantId}`;
