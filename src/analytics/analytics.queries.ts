// The SQL of analytics: every figure is the sum of the folded rollup and the deltas not folded
// yet, read in one statement (one snapshot), so an answer is exact whatever the fold is doing.
// Currency is always a grouping column: amounts of different currencies are never added here.
import { Prisma } from "../generated/prisma/client.js";
import type { Db } from "../platform/db.js";
import { dailyGrain, type AnalyticsRange } from "./range.js";

export const AnalyticsDimension = { STATUS: "STATUS", CURRENCY: "CURRENCY", GATEWAY: "GATEWAY", CARD_BRAND: "CARD_BRAND" } as const;
export type AnalyticsDimension = (typeof AnalyticsDimension)[keyof typeof AnalyticsDimension];

/** One group of one bucket in one currency; '' in a dimension: not grouped by it, or not applicable. */
export interface FigureRow {
  i: number;
  status: string;
  currency: string;
  gateway: string;
  cardBrand: string;
  payments: bigint;
  volume: bigint;
  attemptsFinished: bigint;
  attemptsSucceeded: bigint;
  refunds: bigint;
  refundVolume: bigint;
}

export interface LatencyRow {
  i: number;
  currency: string;
  gateway: string;
  cardBrand: string;
  bin: number;
  samples: bigint;
}

function dims(groupBy: ReadonlySet<AnalyticsDimension>) {
  const pick = (dim: AnalyticsDimension, column: string): Prisma.Sql => (groupBy.has(dim) ? Prisma.raw(column) : Prisma.sql`''`);
  return { status: pick("STATUS", "status"), gateway: pick("GATEWAY", "gateway"), cardBrand: pick("CARD_BRAND", "card_brand") };
}

/** The bucket index of a row's start time `at`. */
const bucketIndex = (range: AnalyticsRange): Prisma.Sql =>
  Prisma.sql`floor(extract(epoch FROM (at - ${range.from}::timestamptz)) * 1000 / ${range.stepMs})::int`;

export async function figureRows(db: Db, merchantId: string, range: AnalyticsRange, groupBy: ReadonlySet<AnalyticsDimension>): Promise<FigureRow[]> {
  const d = dims(groupBy);
  const grain = dailyGrain(range) ? "d" : "h";
  return db.$queryRaw<FigureRow[]>`
    WITH src AS (
      SELECT bucket AS at, status, currency, gateway, card_brand, payments, volume, attempts_finished, attempts_succeeded, refunds, refund_volume
      FROM analytics_rollup
      WHERE merchant_id = ${merchantId} AND grain = ${grain} AND bucket >= ${range.from}::timestamptz AND bucket < ${range.to}::timestamptz
      UNION ALL
      SELECT hour, status, currency, gateway, card_brand, payments, volume, attempts_finished, attempts_succeeded, refunds, refund_volume
      FROM analytics_delta
      WHERE merchant_id = ${merchantId} AND hour >= ${range.from}::timestamptz AND hour < ${range.to}::timestamptz)
    SELECT ${bucketIndex(range)} AS i, ${d.status} AS status, currency::text AS currency, ${d.gateway} AS gateway, ${d.cardBrand} AS "cardBrand",
      sum(payments)::bigint AS payments, sum(volume)::bigint AS volume,
      sum(attempts_finished)::bigint AS "attemptsFinished", sum(attempts_succeeded)::bigint AS "attemptsSucceeded",
      sum(refunds)::bigint AS refunds, sum(refund_volume)::bigint AS "refundVolume"
    FROM src GROUP BY 1, 2, 3, 4, 5`;
}

export async function latencyRows(db: Db, merchantId: string, range: AnalyticsRange, groupBy: ReadonlySet<AnalyticsDimension>): Promise<LatencyRow[]> {
  const d = dims(groupBy);
  const grain = dailyGrain(range) ? "d" : "h";
  return db.$queryRaw<LatencyRow[]>`
    WITH src AS (
      SELECT bucket AS at, currency, gateway, card_brand, bin, samples
      FROM analytics_latency_rollup
      WHERE merchant_id = ${merchantId} AND grain = ${grain} AND bucket >= ${range.from}::timestamptz AND bucket < ${range.to}::timestamptz
      UNION ALL
      SELECT hour, currency, gateway, card_brand, latency_bin, latency_samples
      FROM analytics_delta
      WHERE merchant_id = ${merchantId} AND hour >= ${range.from}::timestamptz AND hour < ${range.to}::timestamptz AND latency_bin IS NOT NULL)
    SELECT ${bucketIndex(range)} AS i, currency::text AS currency, ${d.gateway} AS gateway, ${d.cardBrand} AS "cardBrand",
      bin::int AS bin, sum(samples)::bigint AS samples
    FROM src GROUP BY 1, 2, 3, 4, 5 HAVING sum(samples) <> 0`;
}

/** Display names of the merchant's gateway accounts among `ids`. */
export async function gatewayAccountNames(db: Db, merchantId: string, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.gatewayAccount.findMany({ where: { merchantId, id: { in: ids } }, select: { id: true, name: true } });
  return new Map(rows.map((r) => [r.id, r.name]));
}
