// What every domain function receives: the process's shared parts (`app`) and who is acting.
// Built once per process in src/app/process.ts; domain code never reads globals.
import type { Config } from "../config.js";
import type { Db, Sql } from "../platform/db.js";
import type { Logger } from "../platform/logger.js";
import type { OutboxRelay } from "../platform/outbox.js";
import type { PubSubHub } from "../platform/pubsub.js";
import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { GatewayJob } from "../platform/queue.js";
import type { GatewayStats } from "../routing/gateway-stats.js";
import type { Vault } from "../vault/vault.js";
import type { RiskVelocity } from "../risk/velocity.js";
import type { WebhookDispatch } from "../webhooks/dispatch.js";

export interface App {
  config: Config;
  db: Db;
  /** The hot statements' runner (one statement, one round trip, prepared), beside Prisma. */
  sql: Sql;
  log: Logger;
  relay: OutboxRelay;
  pubsub: PubSubHub;
  /** The general-purpose Redis connection (publishing, queue producer, health). */
  redis: Redis;
  queue: Queue<GatewayJob>;
  /** Gateways' success-rate windows and circuit breakers, shared through Redis. */
  stats: GatewayStats;
  /** The card vault: envelope encryption under the KeyProvider's KEKs, with its data-key cache. */
  vault: Vault;
  /** Queues webhook deliveries of committed events to the endpoints that take them. */
  webhooks: WebhookDispatch;
  /** The risk step's velocity counters (src/risk/velocity.ts), on the fail-fast Redis connection. */
  velocity: RiskVelocity;
}

/** The caller of a domain operation: the merchant acted for, and who acted (for the audit log). */
export interface Ctx {
  app: App;
  merchantId: string;
  requestId: string;
  /** `key:key_…`, `oauth:…`, `user:usr_…` for a request; `system:worker` etc. for background work. */
  actor: string;
  /** What the requesting credential holds (src/auth/grants.ts); absent for the CLI and background work. */
  caller?: { role: "ADMIN" | "MERCHANT"; scopes: readonly string[] };
}
