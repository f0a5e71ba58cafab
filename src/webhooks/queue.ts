// The webhook delivery queue: one job per event and endpoint, its own queue and worker so that
// receivers, however slow, never stand in the way of gateway jobs.
import { Queue, type ConnectionOptions, type JobsOptions } from "bullmq";
import type { Redis } from "ioredis";

export const WEBHOOK_QUEUE = "webhook";
/** The worker's backoff strategy for deliveries: the wait each failed try chose (src/webhooks/delivery.ts). */
export const WEBHOOK_BACKOFF = "webhook";

export interface WebhookJob {
  merchantId: string;
  endpointId: string;
  eventId: string;
  eventType: string;
}

/**
 * `jobId` is the event and the endpoint, so an outbox message relayed twice queues one delivery
 * while it is pending; a redelivery asked for by a person adds a suffix and is a delivery of its own.
 * Completed and given-up jobs are dropped: webhook_delivery keeps every attempt.
 */
export function webhookJobOptions(job: WebhookJob, retries: number, redelivery?: string): JobsOptions {
  return {
    jobId: `${job.eventId}.${job.endpointId}${redelivery ? `.${redelivery}` : ""}`,
    attempts: retries + 1,
    backoff: { type: WEBHOOK_BACKOFF },
    removeOnComplete: true,
    removeOnFail: true,
  };
}

export function createWebhookQueue(connection: Redis, prefix: string): Queue<WebhookJob> {
  return new Queue<WebhookJob>(WEBHOOK_QUEUE, { connection: connection as ConnectionOptions, prefix: `${prefix}:bull` });
}
