// The worker role's alerts: the evaluator (every ALERT_EVALUATE_EVERY_MS, one worker at a time)
// and a BullMQ worker of its own on the alert queue sending the notices, so a slow SMTP server or
// a paced Slack channel never holds up payments or webhook deliveries.
import { Worker, type ConnectionOptions, type Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { App } from "../app/app.js";
import { logConnectionError } from "../platform/unavailable.js";
import { QueueName } from "../platform/queue.js";
import { startAlertEvaluator } from "../alerts/evaluator.js";
import { createNotifier } from "../alerts/notify.js";
import { ALERT_QUEUE, type AlertJob } from "../alerts/queue.js";
import { createWebhookQueue } from "../webhooks/queue.js";
import { createBatchQueue } from "../batches/queue.js";

const NOTICE_CONCURRENCY = 8;

export function startAlertWorker(app: App, connection: Redis): { close(): Promise<void> } {
  const { config } = app;
  // The queues QUEUE_AGE_ABOVE rules watch: read-only handles on this worker's connection.
  const queues = new Map<string, Queue>([
    [QueueName.gateway, app.queue],
    ["webhook", createWebhookQueue(connection, config.redisPrefix)],
    ["batch", createBatchQueue(connection, config.redisPrefix)],
  ]);
  const evaluator = startAlertEvaluator(app, queues);
  const notifier = createNotifier(app);
  const worker = new Worker<AlertJob>(ALERT_QUEUE, (job, token) => notifier.send(job, token), {
    connection: connection as ConnectionOptions,
    prefix: `${config.redisPrefix}:bull`,
    concurrency: NOTICE_CONCURRENCY,
    lockDuration: config.jobLockMs,
    maxStalledCount: 10,
  });
  worker.on("error", (err) => logConnectionError(app.log, "bullmq:alert-worker", err));
  return {
    async close() {
      await evaluator.stop();
      await worker.close();
      await notifier.close();
      for (const [name, queue] of queues) if (name !== QueueName.gateway) await queue.close();
    },
  };
}
