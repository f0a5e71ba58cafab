// The worker role: one BullMQ worker on the gateway queue, dispatching each job to the domain
// runner the API's operations feed. ~20 lines by design: the logic lives in the domains.
import { Worker, type ConnectionOptions } from "bullmq";
import type { Redis } from "ioredis";
import type { App } from "../app/app.js";
import { QueueName, type GatewayJob } from "../platform/queue.js";
import { runAuthorizeAttempt, runRelease } from "../payments/attempt-runner.js";
import { runRefund } from "../refunds/refund-runner.js";
import { finishOperation } from "../payments/operations/staged-operation.js";
import { retryDelayMs } from "../routing/backoff.js";
import { logConnectionError } from "../platform/unavailable.js";

export function startGatewayWorker(app: App, connection: Redis): Worker<GatewayJob> {
  const { config } = app;
  const worker = new Worker<GatewayJob>(
    QueueName.gateway,
    async (job) => {
      const finalTry = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      const data = job.data;
      if (data.kind === "authorize") await runAuthorizeAttempt(app, data, finalTry);
      else if (data.kind === "release") await runRelease(app, data);
      else if (data.kind === "operation") await finishOperation(app, data);
      else await runRefund(app, data);
    },
    {
      connection: connection as ConnectionOptions,
      prefix: `${config.redisPrefix}:bull`,
      concurrency: config.workerConcurrency,
      // A worker killed mid-job holds its lock until it expires; then another worker re-runs the job.
      lockDuration: config.jobLockMs,
      stalledInterval: Math.max(1000, Math.floor(config.jobLockMs / 2)),
      maxStalledCount: 10,
      settings: { backoffStrategy: (attemptsMade: number) => retryDelayMs(attemptsMade, { baseMs: config.retryBaseMs, capMs: config.retryCapMs }) },
    },
  );
  worker.on("failed", (job, err) => {
    if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) app.log.error({ err, jobId: job.id }, "gateway job failed for good");
  });
  // Redis lost: logged (rate limited); BullMQ reconnects and the worker takes jobs again.
  worker.on("error", (err) => logConnectionError(app.log, "bullmq:gateway-worker", err));
  return worker;
}
