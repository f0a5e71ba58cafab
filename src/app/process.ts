// The composition root: builds a process's shared parts (App) from the config and wires the
// domains' outbox topics to the relay. (What is missing when PostgreSQL or Redis cannot be
// reached: preflight.ts.)
import type { Config } from "../config.js";
import type { App } from "./app.js";
import { createDb, createSql } from "../platform/db.js";
import type { Logger } from "../platform/logger.js";
import { countsGauge, queueDepthGauge } from "../platform/metrics.js";
import { OutboxRelay } from "../platform/outbox.js";
import { PubSubHub } from "../platform/pubsub.js";
import { GATEWAY_JOB_TOPIC, createGatewayQueue } from "../platform/queue.js";
import { createFailFastRedis, createRedis } from "../platform/redis.js";
import { logConnectionError } from "../platform/unavailable.js";
import { closeGatewayPools } from "../gateways/gateway-call.js";
import { merchantChannel } from "../payments/payment.subscription.js";
import { PAYMENT_UPDATED_TOPIC, type PaymentUpdatedMessage } from "../payments/transition.js";
import { enqueueGatewayJobs } from "../worker/gateway-jobs.js";
import { GatewayStats } from "../routing/gateway-stats.js";
import { createVault } from "../vault/vault.js";
import { WebhookDispatch, type DispatchedEvent } from "../webhooks/dispatch.js";
import { createWebhookQueue } from "../webhooks/queue.js";
import { eventIdOf, paymentEventType } from "../webhooks/events.js";
import { REFUND_UPDATED_TOPIC, type RefundUpdatedMessage } from "../refunds/refund.resource.js";
import { BATCH_START_TOPIC, batchJobOptions, createBatchQueue, type BatchJob, type BatchStartMessage } from "../batches/queue.js";
import { RiskVelocity } from "../risk/velocity.js";
import { CHECKOUT_SESSION_EVENT_TOPIC, completeForPayments, paidCheckoutPayments, type CheckoutSessionEventMessage } from "../checkout/checkout-sessions.js";
import { ALERT_UPDATED_TOPIC, alertChannel, type AlertUpdatedMessage } from "../alerts/incidents.js";
import { alertJobOptions, createAlertQueue, type AlertJob } from "../alerts/queue.js";

export interface Process {
  app: App;
  close(): Promise<void>;
}

export function createProcess(config: Config, log: Logger): Process {
  const { db, pool } = createDb(config.databaseUrl, config.dbPoolSize, config.exposeQueryCount, log);
  const redis = createRedis(config, "main", log);
  const subscriber = createRedis(config, "subscriber", log);
  const publisher = createFailFastRedis(config, "publisher", log);
  const queue = createGatewayQueue(redis, config.redisPrefix);
  queue.on("error", (err) => logConnectionError(log, "bullmq:gateway-queue", err));
  const pubsub = new PubSubHub(publisher, subscriber, log);
  const webhookQueue = createWebhookQueue(redis, config.redisPrefix);
  webhookQueue.on("error", (err) => logConnectionError(log, "bullmq:webhook-queue", err));
  const webhooks = new WebhookDispatch(db, webhookQueue, config);
  const batchQueue = createBatchQueue(redis, config.redisPrefix);
  batchQueue.on("error", (err) => logConnectionError(log, "bullmq:batch-queue", err));
  const alertQueue = createAlertQueue(redis, config.redisPrefix);
  alertQueue.on("error", (err) => logConnectionError(log, "bullmq:alert-queue", err));
  const relay = new OutboxRelay(
    db,
    {
      // A payment's change goes to its live subscribers and, as a webhook event, to the merchant's endpoints.
      [PAYMENT_UPDATED_TOPIC]: async (payloads) => {
        const messages = payloads as PaymentUpdatedMessage[];
        const events: DispatchedEvent[] = messages.flatMap((m) => (m.auditRecordId && m.fromStatus !== undefined
          ? [{ merchantId: m.merchantId, eventId: eventIdOf(m.auditRecordId), eventType: paymentEventType(m.fromStatus, String(m.payment.status)) }]
          : []));
        // A checkout session's payment just paid: the session completes (its own event follows).
        // First, and with PostgreSQL alone: a Redis outage must not hold it up.
        const paid = paidCheckoutPayments(messages);
        if (paid.length) await completeForPayments(app, paid);
        await Promise.all([
          pubsub.publish(messages.map((message) => ({ message, channels: [merchantChannel(config.redisPrefix, message.merchantId)] }))),
          webhooks.dispatch(events),
        ]);
      },
      [CHECKOUT_SESSION_EVENT_TOPIC]: async (payloads) => {
        await webhooks.dispatch((payloads as CheckoutSessionEventMessage[]).map((m) => ({ merchantId: m.merchantId, eventId: eventIdOf(m.auditRecordId), eventType: m.action })));
      },
      [REFUND_UPDATED_TOPIC]: async (payloads) => {
        await webhooks.dispatch((payloads as RefundUpdatedMessage[]).map((m) => ({ merchantId: m.merchantId, eventId: eventIdOf(m.auditRecordId), eventType: m.action })));
      },
      [GATEWAY_JOB_TOPIC]: enqueueGatewayJobs(queue, config),
      [BATCH_START_TOPIC]: async (payloads) => {
        await batchQueue.addBulk((payloads as BatchStartMessage[]).map((m) => {
          const data: BatchJob = { kind: "start", batchId: m.batchId, merchantId: m.merchantId };
          return { name: "start", data, opts: batchJobOptions(data) };
        }));
      },
      // An alert fired or resolved: its notices are queued, its subscribers told.
      [ALERT_UPDATED_TOPIC]: async (payloads) => {
        const messages = payloads as AlertUpdatedMessage[];
        const jobs = messages.flatMap((m) => m.notificationIds.map((notificationId) => {
          const data: AlertJob = { notificationId, merchantId: m.merchantId, eventId: m.eventId };
          return { name: "notify", data, opts: alertJobOptions(data) };
        }));
        await Promise.all([
          jobs.length ? alertQueue.addBulk(jobs) : undefined,
          pubsub.publish(messages.map((m) => ({ message: m.alert, channels: [alertChannel(config.redisPrefix, m.merchantId)] }))),
        ]);
      },
    },
    log,
  );
  // Fail-fast like publishing: routing figures are advice and must never wait for Redis.
  const stats = new GatewayStats(publisher, config.redisPrefix, {
    windowMs: config.routingWindowMs,
    buckets: config.routingBuckets,
    readCacheMs: config.routingStatsCacheMs,
    breaker: { failureThreshold: config.breakerFailures, openMs: config.breakerOpenMs },
  });
  const vault = createVault(config, db, log);
  const velocity = new RiskVelocity(publisher, config.redisPrefix);
  const app: App = { config, db, sql: createSql(pool), log, relay, pubsub, redis, queue, stats, vault, webhooks, velocity };
  const following = webhooks.follow(pubsub, log).catch((err: unknown) => {
    log.warn({ err }, "not following webhook endpoint changes; routes are re-read every minute");
    return undefined;
  });

  countsGauge("paygraph_payments", "Payments in the database, by status", "status", async () =>
    (await db.payment.groupBy({ by: ["status"], _count: { _all: true } })).map((r) => ({ key: r.status, count: r._count._all })));
  queueDepthGauge("gateway", () => queue.getJobCounts("waiting", "active", "delayed", "failed"));
  queueDepthGauge("webhook", () => webhookQueue.getJobCounts("waiting", "active", "delayed"));
  queueDepthGauge("batch", () => batchQueue.getJobCounts("waiting", "active", "delayed"));
  queueDepthGauge("alert", () => alertQueue.getJobCounts("waiting", "active", "delayed"));
  countsGauge("paygraph_batches", "Batches in the database, by status", "status", async () =>
    (await db.batch.groupBy({ by: ["status"], _count: { _all: true } })).map((r) => ({ key: r.status, count: r._count._all })));
  countsGauge("paygraph_alerts_firing", "Alerts firing now, by rule kind", "kind", async () =>
    (await db.alert.groupBy({ by: ["kind"], where: { state: "FIRING" }, _count: { _all: true } })).map((r) => ({ key: r.kind, count: r._count._all })));

  return {
    app,
    async close() {
      await relay.stop();
      await (await following)?.();
      await queue.close();
      await webhookQueue.close();
      await batchQueue.close();
      await alertQueue.close();
      await closeGatewayPools();
      subscriber.disconnect();
      publisher.disconnect();
      await redis.quit().catch(() => undefined);
      await db.$disconnect();
      await pool.end().catch(() => undefined);
    },
  };
}
