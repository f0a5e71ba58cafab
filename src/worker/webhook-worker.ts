// The worker role's webhook deliveries: a BullMQ worker of its own on the webhook queue, with many
// slots (deliveries wait on receivers, not on CPU), so receivers never hold up gateway jobs.
import { Worker, type ConnectionOptions } from "bullmq";
import type { Redis } from "ioredis";
import type { App } from "../app/app.js";
import { logConnectionError } from "../platform/unavailable.js";
import { DeliveryFailed, createDeliverer } from "../webhooks/delivery.js";
import { WEBHOOK_QUEUE, type WebhookJob } from "../webhooks/queue.js";

export function startWebhookWorker(app: App, connection: Redis): { close(): Promise<void> } {
  const { config } = app;
  const deliverer = createDeliverer(app);
  const worker = new Worker<WebhookJob>(WEBHOOK_QUEUE, (job, token) => deliverer.deliver(job, token), {
    connection: connection as ConnectionOptions,
    prefix: `${config.redisPrefix}:bull`,
    concurrency: config.webhookConcurrency,
    // A delivery's budget plus room: a lock shorter than a slow receiver's answer would re-run it.
    lockDuration: Math.max(config.jobLockMs, config.webhookTimeoutMs + 10_000),
    maxStalledCount: 10,
    // Each failed try says how long to wait (the schedule's next step, or the receiver's Retry-After).
    settings: { backoffStrategy: (_attempts: number, _type?: string, err?: Error) => (err instanceof DeliveryFailed ? err.retryInMs : 1000) },
  });
  worker.on("error", (err) => logConnectionError(app.log, "bullmq:webhook-worker", err));
  return {
    async close() {
      await worker.close();
      await deliverer.close();
    },
  };
}
