// The alert notice queue: one job per notice (an alert's transition on one channel), its id the
// notification's, so a relay that re-sends the outbox message queues it once. Tries back off
// exponentially from 2 s (about 17 minutes for all ten); a Slack channel's pacing and Retry-After
// move a job later without spending a try.
import { Queue, type ConnectionOptions, type JobsOptions } from "bullmq";
import type { Redis } from "ioredis";

export const ALERT_QUEUE = "alert";

export interface AlertJob {
  notificationId: string;
  merchantId: string;
  /** The transition's webhook event (`evt_…`), sent as is to a WEBHOOK channel. */
  eventId: string;
}

export const NOTICE_ATTEMPTS = 10;

export function alertJobOptions(job: AlertJob): JobsOptions {
  return { jobId: job.notificationId, attempts: NOTICE_ATTEMPTS, backoff: { type: "exponential", delay: 2000 }, removeOnComplete: true, removeOnFail: true };
}

export function createAlertQueue(connection: Redis, prefix: string): Queue<AlertJob> {
  return new Queue<AlertJob>(ALERT_QUEUE, { connection: connection as ConnectionOptions, prefix: `${prefix}:bull` });
}
