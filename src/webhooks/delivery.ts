// One try of one delivery (a BullMQ job of the webhook queue): sign the event, POST it, record
// the attempt, and say when to try again. Standard Webhooks' rules: 2xx is delivered; 3xx is a
// failure (redirects are never followed); 410 disables the endpoint at once; 429 and 503 wait as
// long as Retry-After says; anything else waits for the next step of WEBHOOK_RETRY_SCHEDULE, with
// jitter. An endpoint whose every delivery has failed for WEBHOOK_DISABLE_AFTER is disabled.
// The address is checked when connecting (target-guard.ts), and one endpoint holds at most
// WEBHOOK_ENDPOINT_CONCURRENCY of this process's delivery slots, so a slow receiver waits alone.
import { DelayedError, type Job } from "bullmq";
import { Agent, request } from "undici";
import { Prisma, type WebhookDelivery } from "../generated/prisma/client.js";
import type { App, Ctx } from "../app/app.js";
import { recordAudit } from "../audit/audit.js";
import { webhookEndpointView } from "../audit/views.js";
import { newId } from "../platform/ids.js";
import { rowInsertSql } from "../platform/sql-columns.js";
import { webhookDeliveries, webhookEndpointsDisabled, webhookLatency } from "./webhook-metrics.js";
import { deliveryChannel, deliveryView } from "./deliveries.js";
import { endpointChangesChannel, signingSecrets, type WebhookEndpoint } from "./endpoints.js";
import { eventBody, findEvent } from "./events.js";
import { signedHeaders } from "./signing.js";
import { guardedLookup, refusalOfLiteral, systemResolve, type Resolve } from "./target-guard.js";
import type { WebhookJob } from "./queue.js";

/** What is kept of a receiver's answer. */
const RESPONSE_KEPT_BYTES = 1024;
/** A Retry-After longer than this is not believed (a receiver cannot park a delivery for a week). */
const MAX_RETRY_AFTER_MS = 24 * 3_600_000;
/** A request unanswered this long holds a slow slot: an endpoint has WEBHOOK_ENDPOINT_CONCURRENCY of them. */
const SLOW_AFTER_MS = 1000;
/** How long a job of a fast endpoint holding half the process's slots waits before looking again. */
const BURST_WAIT_MS = 200;

/** A failed try that will be tried again after `retryInMs` (read by the worker's backoff strategy). */
export class DeliveryFailed extends Error {
  constructor(message: string, readonly retryInMs: number) {
    super(message);
  }
}

interface Answer {
  status?: number;
  body?: string;
  error?: string;
  retryAfterMs?: number;
  latencyMs: number;
}

export interface Deliverer {
  deliver(job: Job<WebhookJob>, token: string | undefined): Promise<void>;
  close(): Promise<void>;
}

/** `Retry-After`: seconds, or an HTTP date. */
function retryAfterMs(value: string | string[] | undefined, now: number): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  const ms = /^\d+$/.test(text.trim()) ? Number(text.trim()) * 1000 : Date.parse(text) - now;
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS) : undefined;
}

/** ±10 %, so endpoints that failed together are not all retried in the same instant. */
const jittered = (ms: number): number => Math.round(ms * (0.9 + Math.random() * 0.2));

/** The HTTP agent of deliveries: every connection's address is resolved and checked by `guardedLookup`. */
export function webhookAgent(resolve: Resolve, allowPrivate: boolean, timeoutMs: number): Agent {
  return new Agent({ connect: { lookup: guardedLookup(resolve, allowPrivate), timeout: timeoutMs }, keepAliveTimeout: 10_000 });
}

export function createDeliverer(app: App, resolve: Resolve = systemResolve): Deliverer {
  const { config } = app;
  const agent = webhookAgent(resolve, config.webhookAllowPrivateNetworks, config.webhookTimeoutMs);
  /**
   * Each endpoint's requests in flight in this process. An endpoint that answers fast may hold up to
   * half of the process's slots (a burst); one that is slow — a request of it unanswered after
   * SLOW_AFTER_MS, or its last answer that slow — holds at most WEBHOOK_ENDPOINT_CONCURRENCY. So
   * however many endpoints hang, the others keep slots of their own.
   */
  const inFlight = new Map<string, Set<{ at: number }>>();
  const slowLately = new Set<string>();
  const burstCeiling = Math.max(config.webhookEndpointConcurrency, Math.floor(config.webhookConcurrency / 2));

  /** When a job of the endpoint should look again; undefined: it may go now. */
  function busyUntil(endpointId: string, now: number): number | undefined {
    const started = inFlight.get(endpointId);
    if (!started) return undefined;
    let oldest = now;
    for (const { at } of started) oldest = Math.min(oldest, at);
    const slow = slowLately.has(endpointId) || now - oldest >= SLOW_AFTER_MS;
    if (started.size < (slow ? config.webhookEndpointConcurrency : burstCeiling)) return undefined;
    // A slow endpoint's slot frees when its oldest request is answered or times out: no point asking
    // before. Spread over half a timeout, so a dead endpoint's backlog does not come back all at once.
    if (slow) return Math.max(now + SLOW_AFTER_MS, oldest + config.webhookTimeoutMs) + Math.round(Math.random() * config.webhookTimeoutMs * 0.5);
    return now + jittered(BURST_WAIT_MS); // a burst of a fast endpoint: a moment's wait
  }

  async function post(endpoint: WebhookEndpoint, headers: Record<string, string>, body: string): Promise<Answer> {
    const started = performance.now();
    const latencyMs = (): number => Math.round(performance.now() - started);
    const url = new URL(endpoint.url);
    const refused = refusalOfLiteral(url, config.webhookAllowPrivateNetworks);
    if (refused) return { error: `address refused: ${refused}`, latencyMs: 0 };
    try {
      const response = await request(url, {
        method: "POST",
        dispatcher: agent,
        headers: { "content-type": "application/json", "user-agent": "paygraph-webhooks/1", ...headers },
        body,
        signal: AbortSignal.timeout(config.webhookTimeoutMs),
        headersTimeout: config.webhookTimeoutMs,
        bodyTimeout: config.webhookTimeoutMs,
      });
      const chunks: Buffer[] = [];
      let kept = 0;
      for await (const chunk of response.body) {
        chunks.push(chunk as Buffer);
        kept += (chunk as Buffer).length;
        if (kept >= RESPONSE_KEPT_BYTES) break; // leaving the loop discards the rest
      }
      const text = Buffer.concat(chunks).subarray(0, RESPONSE_KEPT_BYTES).toString("utf8");
      return { status: response.statusCode, body: text, retryAfterMs: retryAfterMs(response.headers["retry-after"], Date.now()), latencyMs: latencyMs() };
    } catch (err) {
      const e = err as Error & { code?: string; cause?: Error & { code?: string } };
      const timedOut = e.name === "TimeoutError" || e.name === "AbortError" || /UND_ERR_(HEADERS|BODY|CONNECT)_TIMEOUT/.test(e.code ?? e.cause?.code ?? "");
      const cause = timedOut ? `timed out after ${config.webhookTimeoutMs} ms` : `${e.cause?.message ?? e.message}`;
      return { error: cause.slice(0, 500), latencyMs: latencyMs() };
    }
  }

  async function deliver(job: Job<WebhookJob>, token: string | undefined): Promise<void> {
    const { merchantId, endpointId, eventId } = job.data;
    // The slot first, before any read: a job of a busy endpoint costs one Redis move, nothing more.
    const now = Date.now();
    const until = busyUntil(endpointId, now);
    if (until !== undefined && token) {
      await job.moveToDelayed(until, token); // not a try: it waits its turn without spending an attempt
      throw new DelayedError();
    }
    const started = inFlight.get(endpointId) ?? new Set<{ at: number }>();
    const slot = { at: now };
    started.add(slot);
    inFlight.set(endpointId, started);
    let answer: Answer;
    let endpoint: WebhookEndpoint | undefined;
    try {
      // Enabled endpoints come from the process's cache (forgotten on every change, by every process).
      endpoint = await app.webhooks.endpoint(merchantId, endpointId);
      if (!endpoint) return; // deleted or disabled since: nothing to send, nothing to retry
      const event = await findEvent(app.db, merchantId, eventId);
      if (!event) return;
      const body = eventBody(event);
      answer = await post(endpoint, signedHeaders(await signingSecrets(app, endpoint), eventId, body), body);
      if (answer.latencyMs >= SLOW_AFTER_MS) slowLately.add(endpointId);
      else slowLately.delete(endpointId);
    } finally {
      started.delete(slot);
      if (started.size === 0) inFlight.delete(endpointId);
    }
    await settle(job, endpoint, answer);
  }

  /**
   * Records the try in one statement that also keeps the endpoint's health: a success clears
   * `failing_since`, a failure keeps the first failure's time and answers it (the truth, whatever
   * a process's cache holds). An endpoint answering 410, or failing for WEBHOOK_DISABLE_AFTER, is
   * then disabled. Throws DeliveryFailed to be tried again.
   */
  async function settle(job: Job<WebhookJob>, endpoint: WebhookEndpoint, answer: Answer): Promise<void> {
    const now = new Date();
    const attempt = job.attemptsMade + 1;
    const delivered = answer.status !== undefined && answer.status >= 200 && answer.status < 300;
    const honoursRetryAfter = answer.status === 429 || answer.status === 503;
    let retryInMs = !delivered && answer.status !== 410 && attempt < (job.opts.attempts ?? 1)
      ? (honoursRetryAfter && answer.retryAfterMs !== undefined ? answer.retryAfterMs : jittered(config.webhookRetrySchedule[attempt - 1] ?? 0))
      : undefined;
    let delivery: WebhookDelivery = {
      id: newId("whd"), merchantId: endpoint.merchantId, endpointId: endpoint.id, eventId: job.data.eventId, eventType: job.data.eventType, attempt,
      status: delivered ? "SUCCEEDED" : retryInMs !== undefined ? "FAILED" : "GAVE_UP",
      responseStatus: answer.status ?? null, latencyMs: answer.latencyMs, responseBody: answer.body ?? null, error: answer.error ?? null,
      nextRetryAt: retryInMs !== undefined ? new Date(now.getTime() + retryInMs) : null, createdAt: now,
    };
    const health = delivered
      ? Prisma.sql`UPDATE webhook_endpoint SET failing_since = NULL WHERE id = ${endpoint.id} AND failing_since IS NOT NULL RETURNING failing_since`
      : Prisma.sql`UPDATE webhook_endpoint SET failing_since = COALESCE(failing_since, ${now}) WHERE id = ${endpoint.id} RETURNING failing_since`;
    const [row] = await app.db.$queryRaw<{ failing_since: Date | null }[]>`
      WITH delivery AS (${rowInsertSql("webhook_delivery", Prisma.WebhookDeliveryScalarFieldEnum, delivery)}), health AS (${health})
      SELECT failing_since FROM health`;
    const failingSince = row?.failing_since ?? null;
    const disable = answer.status === 410 ? "gone" : !delivered && failingSince && now.getTime() - failingSince.getTime() >= config.webhookDisableAfterMs ? "failing" : undefined;
    if (disable) {
      retryInMs = undefined;
      delivery = { ...delivery, status: "GAVE_UP", nextRetryAt: null };
      const ctx: Ctx = { app, merchantId: endpoint.merchantId, requestId: `webhook:${job.id}`, actor: "system:webhooks" };
      await app.db.$transaction(async (tx) => {
        await tx.webhookDelivery.update({ where: { id: delivery.id }, data: { status: "GAVE_UP", nextRetryAt: null } });
        const after = await tx.webhookEndpoint.update({ where: { id: endpoint.id }, data: { enabled: false, disabledReason: disable, updatedAt: now } });
        await recordAudit(tx, ctx, { action: "webhook_endpoint.disabled", entityType: "webhook_endpoint", entityId: endpoint.id, before: webhookEndpointView(endpoint), after: webhookEndpointView(after) });
      });
      app.webhooks.forget(endpoint.merchantId);
    }
    const changes: { channels: string[]; message: unknown }[] = [{ channels: [deliveryChannel(config.redisPrefix, endpoint.merchantId)], message: deliveryView(delivery) }];
    if (disable) changes.push({ channels: [endpointChangesChannel(config.redisPrefix)], message: { merchantId: endpoint.merchantId } });
    await app.pubsub.publish(changes).catch((err: unknown) => app.log.warn({ err }, "webhook delivery update not published"));
    const outcome = delivered ? "delivered" : retryInMs !== undefined ? "failed" : "gave_up";
    webhookDeliveries.inc({ outcome });
    webhookLatency.observe({ outcome }, answer.latencyMs / 1000);
    if (disable) {
      webhookEndpointsDisabled.inc({ reason: disable });
      app.log.warn({ endpointId: endpoint.id, merchantId: endpoint.merchantId, reason: disable }, "webhook endpoint disabled");
    }
    if (retryInMs !== undefined) throw new DeliveryFailed(answer.error ?? `receiver answered ${answer.status}`, retryInMs);
  }

  return { deliver, close: () => agent.close() };
}
