// From committed changes to queued deliveries. The outbox relay hands over each change's event
// (src/app/process.ts wires the payment and refund topics here); the merchant's enabled endpoints
// that take its type each get a delivery job, in one bulk add. A merchant's enabled endpoints are
// cached per process and forgotten the moment any process changes one (a Redis message), so a
// change with no endpoint to tell costs no query and no Redis command, and a delivery reads its
// endpoint from here rather than from PostgreSQL.
import type { Queue } from "bullmq";
import { LRUCache } from "lru-cache";
import type { Db } from "../platform/db.js";
import type { Logger } from "../platform/logger.js";
import type { PubSubHub } from "../platform/pubsub.js";
import type { Config } from "../config.js";
import type { WebhookEndpoint } from "../generated/prisma/client.js";
import { endpointChangesChannel } from "./endpoints.js";
import { webhookJobOptions, type WebhookJob } from "./queue.js";


/** A committed event to tell the merchant's endpoints about. */
export interface DispatchedEvent {
  merchantId: string;
  eventId: string;
  eventType: string;
}

/** How long a merchant's endpoint list is trusted without a change message (a lost message heals by then). */
const ROUTES_TTL_MS = 60_000;

export class WebhookDispatch {
  private readonly routes = new LRUCache<string, WebhookEndpoint[]>({ max: 10_000, ttl: ROUTES_TTL_MS });

  constructor(
    private readonly db: Db,
    private readonly queue: Queue<WebhookJob>,
    private readonly config: Config,
  ) {}

  /** Follows endpoint changes; after a lost Redis connection everything is read afresh. */
  async follow(pubsub: PubSubHub, log: Logger): Promise<() => Promise<unknown>> {
    return pubsub.follow<{ merchantId?: unknown }>(
      endpointChangesChannel(this.config.redisPrefix),
      (m) => typeof m.merchantId === "string" && this.routes.delete(m.merchantId),
      () => this.routes.clear(),
      log,
    );
  }

  /** Forgets a merchant's endpoints in this process at once (its own change, before the message comes back). */
  forget(merchantId: string): void {
    this.routes.delete(merchantId);
  }

  private async routesOf(merchantIds: string[]): Promise<Map<string, WebhookEndpoint[]>> {
    const found = new Map<string, WebhookEndpoint[]>();
    const missing: string[] = [];
    for (const id of new Set(merchantIds)) {
      const cached = this.routes.get(id);
      if (cached) found.set(id, cached);
      else missing.push(id);
    }
    if (missing.length === 0) return found;
    const rows = await this.db.webhookEndpoint.findMany({ where: { merchantId: { in: missing }, enabled: true } });
    for (const id of missing) {
      const list = rows.filter((r) => r.merchantId === id);
      this.routes.set(id, list);
      found.set(id, list);
    }
    return found;
  }

  /** The merchant's endpoint if it is enabled (as of the last change this process heard of). */
  async endpoint(merchantId: string, endpointId: string): Promise<WebhookEndpoint | undefined> {
    return (await this.routesOf([merchantId])).get(merchantId)?.find((e) => e.id === endpointId);
  }

  /** Queues a delivery of each event to each enabled endpoint of its merchant that takes its type. */
  async dispatch(events: DispatchedEvent[]): Promise<void> {
    if (events.length === 0) return;
    const routes = await this.routesOf(events.map((e) => e.merchantId));
    const jobs = events.flatMap((event) =>
      (routes.get(event.merchantId) ?? [])
        .filter((route) => route.events.length === 0 || route.events.includes(event.eventType))
        .map((route) => {
          const data: WebhookJob = { ...event, endpointId: route.id };
          return { name: "deliver", data, opts: webhookJobOptions(data, this.config.webhookRetrySchedule.length) };
        }),
    );
    if (jobs.length) await this.queue.addBulk(jobs);
  }

  /** Events to one endpoint each, now, whatever its types (a test ping, a redelivery, a replay). */
  async send(jobs: WebhookJob[], redelivery?: string): Promise<void> {
    const retries = this.config.webhookRetrySchedule.length;
    if (jobs.length) await this.queue.addBulk(jobs.map((data) => ({ name: "deliver", data, opts: webhookJobOptions(data, retries, redelivery) })));
  }
}
