// BullMQ queues and their job shapes. A gateway job's id is the id of the row it works on (an
// attempt or a refund), so enqueueing the same work twice — say, by a relay that re-sends — is a
// no-op. The maintenance queue carries the worker role's periodic jobs (job schedulers).
import { Queue, type ConnectionOptions, type JobsOptions } from "bullmq";
import type { Redis } from "ioredis";

export const QueueName = { gateway: "gateway", maintenance: "maintenance" } as const;

/** Outbox topic whose messages the relay turns into gateway jobs (src/worker/gateway-jobs.ts). */
export const GATEWAY_JOB_TOPIC = "job.gateway";

export type GatewayJob =
  | { kind: "authorize"; attemptId: string; merchantId: string }
  | { kind: "refund"; refundId: string; merchantId: string }
  /** Finish a staged capture or void left PENDING (src/payments/operations/staged-operation.ts). */
  | { kind: "operation"; operationId: string; merchantId: string }
  /** Give back an approval that belongs to no payment (see releaseOrphan in the attempt runner). */
  | { kind: "release"; attemptId: string; merchantId: string; reference: string };

export function gatewayJobId(job: GatewayJob): string {
  switch (job.kind) {
    case "authorize": return job.attemptId;
    case "refund": return job.refundId;
    case "operation": return job.operationId;
    case "release": return `${job.attemptId}:release`;
  }
}

/** The worker's backoff strategy for gateway jobs is src/routing/backoff.ts (see src/worker/worker.ts). */
export const GATEWAY_BACKOFF = "gateway";

export function gatewayJobOptions(retries: number): JobsOptions {
  return {
    attempts: retries + 1,
    backoff: { type: GATEWAY_BACKOFF },
    // Nothing reads a completed job (the row it worked on holds the outcome), and keeping some
    // costs every job a ZADD to the completed set plus its trimming; a duplicate job id after
    // removal only re-runs work that finds its row settled and does nothing.
    removeOnComplete: true,
    removeOnFail: { count: 5000 },
  };
}

export function createGatewayQueue(connection: Redis, prefix: string): Queue<GatewayJob> {
  return new Queue<GatewayJob>(QueueName.gateway, { connection: connection as ConnectionOptions, prefix: `${prefix}:bull` });
}

/** Periodic housekeeping, run by the worker role (src/worker/maintenance.ts). */
export type MaintenanceJob = { kind: "fx.refresh" } | { kind: "card_tokens.purge" };

/** The job scheduler that refreshes exchange rates every FX_REFRESH_EVERY_MS. */
export const FX_REFRESH_SCHEDULER = "fx-refresh";
/** The job scheduler that removes card tokens that expired unused (src/tokenization/card-tokens.ts). */
export const CARD_TOKEN_PURGE_SCHEDULER = "card-token-purge";

export function createMaintenanceQueue(connection: Redis, prefix: string): Queue<MaintenanceJob> {
  return new Queue<MaintenanceJob>(QueueName.maintenance, { connection: connection as ConnectionOptions, prefix: `${prefix}:bull` });
}
