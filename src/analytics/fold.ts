// The fold: moves committed deltas into the hourly and daily rollups (adding every figure column,
// the latency histogram's bins included), in one statement, so a reader (rollup + deltas in one
// snapshot) sees every change exactly once at every moment.
// DELETE … RETURNING takes only committed rows; a transaction-scoped advisory lock keeps a single
// folder at a time when several worker processes run it. After each fold the merchants whose
// figures changed are told which hours changed (analyticsUpdated listens).
import { Prisma } from "../generated/prisma/client.js";
import type { App } from "../app/app.js";
import { FIGURE_COLUMNS } from "./analytics.queries.js";
import { every } from "../platform/loop.js";

/** Arbitrary, fixed: the advisory lock of the fold (Prisma's migration lock is 72707369). */
const FOLD_LOCK = 72707370;
const BATCH = 50_000;

export interface FoldSignal {
  merchantId: string;
  /** Start (ISO 8601) of each UTC hour whose figures changed; null: anything may have changed. */
  hours: string[] | null;
}

export const analyticsChannel = (redisPrefix: string, merchantId: string): string => `${redisPrefix}:analytics:${merchantId}`;

/** Folds up to BATCH deltas; returns how many it folded and which merchants' hours changed. */
export async function foldOnce(app: Pick<App, "db">): Promise<{ folded: number; signals: FoldSignal[] }> {
  const rows = await app.db.$queryRaw<{ merchantId: string; hours: Date[]; n: bigint }[]>`
    WITH lock AS (SELECT pg_try_advisory_xact_lock(${FOLD_LOCK}) AS held),
    d AS (
      DELETE FROM analytics_delta
      WHERE id IN (SELECT id FROM analytics_delta WHERE (SELECT held FROM lock) ORDER BY id LIMIT ${BATCH})
      RETURNING *),
    g AS (
      SELECT grain, CASE grain WHEN 'h' THEN hour ELSE date_trunc('day', hour, 'UTC') END AS bucket, d.*
      FROM d CROSS JOIN (VALUES ('h'), ('d')) AS grains(grain)),
    r AS (
      INSERT INTO analytics_rollup AS t (merchant_id, grain, bucket, status, currency, gateway, card_brand, ${Prisma.raw(FIGURE_COLUMNS.join(", "))})
      SELECT merchant_id, grain, bucket, status, currency, gateway, card_brand, ${Prisma.raw(FIGURE_COLUMNS.map((c) => `sum(${c})`).join(", "))}
      FROM g GROUP BY 1, 2, 3, 4, 5, 6, 7
      ON CONFLICT (merchant_id, grain, bucket, status, currency, gateway, card_brand) DO UPDATE SET
        ${Prisma.raw(FIGURE_COLUMNS.map((c) => `${c} = t.${c} + EXCLUDED.${c}`).join(", "))})
    SELECT merchant_id AS "merchantId", array_agg(DISTINCT hour) AS hours, count(*) AS n FROM d GROUP BY merchant_id`;
  return {
    folded: rows.reduce((sum, r) => sum + Number(r.n), 0),
    signals: rows.map((r) => ({ merchantId: r.merchantId, hours: r.hours.map((h) => h.toISOString()) })),
  };
}

/** Folds until fewer than a batch is left, and signals each merchant whose figures changed. */
export async function foldAll(app: Pick<App, "db" | "pubsub" | "config">): Promise<number> {
  let total = 0;
  for (;;) {
    const { folded, signals } = await foldOnce(app);
    total += folded;
    if (signals.length) {
      await app.pubsub.publish(signals.map((s) => ({ channels: [analyticsChannel(app.config.redisPrefix, s.merchantId)], message: s })));
    }
    if (folded < BATCH) return total;
  }
}

/** The worker's fold loop: every analyticsFoldMs, one run at a time. */
export function startAnalyticsFold(app: App): { stop(): Promise<void> } {
  return every(app.config.analyticsFoldMs, () => foldAll(app).catch((err: unknown) => app.log.warn({ err }, "analytics fold failed; will retry")));
}
