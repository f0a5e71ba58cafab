// The worker role's periodic jobs, on the small `maintenance` queue: the exchange-rate refresh
// (every FX_REFRESH_EVERY_MS) and the purge of card tokens that expired unused (every 15 minutes),
// each as a BullMQ job scheduler plus one run at start. Every worker process upserts the same
// schedulers, so there is one schedule however many run (the last started sets its interval);
// whichever worker is free takes each run.
// The audit chainer runs here too, on its own timer (it locks per merchant, so every worker may run it).
import { Worker, type ConnectionOptions } from "bullmq";
import type { Redis } from "ioredis";
import type { App } from "../app/app.js";
import { CARD_TOKEN_PURGE_SCHEDULER, FX_REFRESH_SCHEDULER, QueueName, createMaintenanceQueue, type MaintenanceJob } from "../platform/queue.js";
import { describeSource } from "../fx/provider.js";
import { refreshRates } from "../fx/refresh.js";
import { PURGE_EVERY_MS, purgeExpiredCardTokens } from "../tokenization/card-tokens.js";
import { startAuditChainer } from "../audit/chainer.js";
import { logConnectionError } from "../platform/unavailable.js";

const KEEP = { removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } };

export async function startMaintenanceWorker(app: App, connection: Redis): Promise<{ close(): Promise<void> }> {
  const { config, log } = app;
  const queue = createMaintenanceQueue(app.redis, config.redisPrefix);
  queue.on("error", (err) => logConnectionError(log, "bullmq:maintenance-queue", err));
  const worker = new Worker<MaintenanceJob>(
    QueueName.maintenance,
    async (job) => {
      if (job.data.kind === "fx.refresh") {
        const result = await refreshRates(app);
        if (result?.added) log.info(result, "exchange rates refreshed");
        else if (result) log.debug(result, "exchange rates unchanged");
      } else if (job.data.kind === "card_tokens.purge") {
        const purged = await purgeExpiredCardTokens(app.db);
        if (purged) log.info({ purged }, "expired card tokens purged");
      }
    },
    { connection: connection as ConnectionOptions, prefix: `${config.redisPrefix}:bull`, concurrency: 1 },
  );
  // No retries: the next scheduled run is the retry, and until then the stored rates stay in force.
  worker.on("failed", (job, err) => log.warn({ err: err.message, job: job?.name }, "exchange-rate refresh failed; the previous rates stay in force"));
  worker.on("error", (err) => logConnectionError(log, "bullmq:maintenance-worker", err));

  if (config.fxSource) {
    const job = { name: "fx.refresh", data: { kind: "fx.refresh" } as const, opts: KEEP };
    await queue.upsertJobScheduler(FX_REFRESH_SCHEDULER, { every: config.fxRefreshEveryMs }, job);
    await queue.add(job.name, job.data, KEEP); // at start too: a restarted scheduler waits out its interval
    log.info({ source: describeSource(config.fxSource, config).location, everyMs: config.fxRefreshEveryMs }, "exchange-rate refresh scheduled");
  } else {
    await queue.removeJobScheduler(FX_REFRESH_SCHEDULER);
    log.warn("FX_SOURCE is not set: exchange rates are only those set by admins (setExchangeRate)");
  }
  const purge = { name: "card_tokens.purge", data: { kind: "card_tokens.purge" } as const, opts: KEEP };
  await queue.upsertJobScheduler(CARD_TOKEN_PURGE_SCHEDULER, { every: PURGE_EVERY_MS }, purge);
  await queue.add(purge.name, purge.data, KEEP);
  const chainer = startAuditChainer(app);
  return {
    async close() {
      await chainer.stop();
      await worker.close();
      await queue.close();
    },
  };
}
