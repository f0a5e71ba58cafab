// The SQL of analytics: every figure is the sum of the folded rollup and the deltas not folded
// yet, read in one statement (one snapshot), so an answer is exact whatever the fold is doing.
// Currency is always a grouping column: amounts of different currencies are never added here.
import { Prisma } from "../generated/prisma/client.js";
import type { Db } from "../platform/db.js";
import { LATENCY_BINS } from "./latency.js";
import { HOUR_MS, STEP_MS, dailyGrain, offsetDays, type AnalyticsRange } from "./range.js";

export const AnalyticsDimension = { STATUS: "STATUS", CURRENCY: "CURRENCY", GATEWAY: "GATEWAY", CARD_BRAND: "CARD_BRAND" } as const;
export type AnalyticsDimension = (typeof AnalyticsDimension)[keyof typeof AnalyticsDimension];

/** One group of one bucket in one currency; '' in a dimension: not grouped by it, or not applicable. */
export interface FigureRow {
  i: number;
  status: string;
  currency: string;
  gateway: string;
  cardBrand: string;
  payments: number;
  volume: bigint;
  attemptsFinished: number;
  attemptsSucceeded: number;
  refunds: number;
  refundVolume: bigint;
  /** Latency samples per histogram bin (bin of latency.ts), comma-separated: NO_LATENCY when none. */
  latency: string;
}

/** The histogram's count columns of analytics_delta and analytics_rollup: latency_0 … latency_21. */
export const LATENCY_COLUMNS = Array.from({ length: LATENCY_BINS }, (_, bin) => `latency_${bin}`);
/** FigureRow.latency of a row without latency samples (payments' rows, say). */
export const NO_LATENCY = LATENCY_COLUMNS.map(() => "0").join(",");
/** Every additive figure column of analytics_delta and analytics_rollup (what the fold sums). */
export const FIGURE_COLUMNS = ["payments", "volume", "attempts_finished", "attempts_succeeded", "refunds", "refund_volume", ...LATENCY_COLUMNS];

const DIMENSION_COLUMNS = "status, currency, gateway, card_brand";
const columns = (): Prisma.Sql => Prisma.raw(FIGURE_COLUMNS.join(", "));
const signed = (sign: string): Prisma.Sql => Prisma.raw(FIGURE_COLUMNS.map((c) => `${sign} * r.${c} AS ${c}`).join(", "));

function dims(groupBy: ReadonlySet<AnalyticsDimension>) {
  const pick = (dim: AnalyticsDimension, column: string): Prisma.Sql => (groupBy.has(dim) ? Prisma.raw(column) : Prisma.sql`''`);
  return { status: pick("STATUS", "status"), gateway: pick("GATEWAY", "gateway"), cardBrand: pick("CARD_BRAND", "card_brand") };
}

/**
 * The index of the `stepMs` bucket counted from `base` that holds `column` (never before `base`
 * here, so integer division is the floor; integers rather than numeric keep the grouping cheap).
 */
const bucketIndex = (column: string, base: Date, stepMs: number): Prisma.Sql =>
  Prisma.sql`((extract(epoch FROM ${Prisma.raw(column)})::bigint - ${base.getTime() / 1000}::bigint) / ${stepMs / 1000}::int)::int`;

/**
 * The rows to sum, with their bucket index `i`: folded rows of the rollup, and the deltas not
 * folded yet (always hourly, so counted in their own bucket).
 */
function sources(merchantId: string, range: AnalyticsRange): Prisma.Sql {
  const deltas = Prisma.sql`
      SELECT ${bucketIndex("hour", range.from, range.stepMs)} AS i, ${Prisma.raw(DIMENSION_COLUMNS)}, ${columns()}
      FROM analytics_delta
      WHERE merchant_id = ${merchantId} AND hour >= ${range.from}::timestamptz AND hour < ${range.to}::timestamptz`;
  const offset = offsetDays(range);
  if (!offset) {
    const grain = dailyGrain(range) ? "d" : "h";
    return Prisma.sql`
      SELECT ${bucketIndex("bucket", range.from, range.stepMs)} AS i, ${Prisma.raw(DIMENSION_COLUMNS)}, ${columns()}
      FROM analytics_rollup
      WHERE merchant_id = ${merchantId} AND grain = ${grain} AND bucket >= ${range.from}::timestamptz AND bucket < ${range.to}::timestamptz
      UNION ALL ${deltas}`;
  }
  // A DAY range starting off midnight: each bucket's anchor day, plus or minus its edge hours
  // (range.ts offsetDays). The edge hours are listed, and each is read by its own index lookup
  // (LATERAL … OFFSET 0 keeps the planner from a hash join over every hourly row of the merchant,
  // which is what it chose for a plain join or `= ANY(list)`; a join on computed bounds made it
  // expect 10 times the rows and pick a parallel plan with JIT). Each edge row counts into two
  // buckets, with opposite signs.
  const { days, edges } = offset;
  const hours = Array.from({ length: (range.buckets + 1) * edges.hours }, (_, n) =>
    new Date(edges.from.getTime() + Math.floor(n / edges.hours) * STEP_MS.DAY + (n % edges.hours) * HOUR_MS).toISOString());
  const window = bucketIndex("r.bucket", edges.from, STEP_MS.DAY);
  return Prisma.sql`
      SELECT ${bucketIndex("bucket", days.from, range.stepMs)} AS i, ${Prisma.raw(DIMENSION_COLUMNS)}, ${columns()}
      FROM analytics_rollup
      WHERE merchant_id = ${merchantId} AND grain = 'd' AND bucket >= ${days.from}::timestamptz AND bucket < ${days.to}::timestamptz
      UNION ALL
      SELECT e.i, ${Prisma.raw(DIMENSION_COLUMNS.split(", ").map((c) => `r.${c}`).join(", "))}, ${signed("e.sign")}
      FROM unnest(${hours}::timestamptz[]) AS h(at)
      CROSS JOIN LATERAL (SELECT * FROM analytics_rollup WHERE merchant_id = ${merchantId} AND grain = 'h' AND bucket = h.at OFFSET 0) AS r
      CROSS JOIN LATERAL (VALUES (${window}, ${edges.sign}::int), (${window} - 1, ${-edges.sign}::int)) AS e(i, sign)
      WHERE e.i BETWEEN 0 AND ${range.buckets - 1}::int
      UNION ALL ${deltas}`;
}

export async function figureRows(db: Db, merchantId: string, range: AnalyticsRange, groupBy: ReadonlySet<AnalyticsDimension>): Promise<FigureRow[]> {
  const d = dims(groupBy);
  // Counts fit an int (a bucket's payments); amounts stay bigint. The bins come as one text,
  // split in JS: the driver's int[] parser cost as much as all the grouping in JS.
  return db.$queryRaw<FigureRow[]>`
    WITH src AS (${sources(merchantId, range)})
    SELECT i, ${d.status} AS status, currency::text AS currency, ${d.gateway} AS gateway, ${d.cardBrand} AS "cardBrand",
      sum(payments)::int AS payments, sum(volume)::bigint AS volume,
      sum(attempts_finished)::int AS "attemptsFinished", sum(attempts_succeeded)::int AS "attemptsSucceeded",
      sum(refunds)::int AS refunds, sum(refund_volume)::bigint AS "refundVolume",
      array_to_string(ARRAY[${Prisma.raw(LATENCY_COLUMNS.map((c) => `sum(${c})`).join(", "))}], ',') AS latency
    FROM src GROUP BY 1, 2, 3, 4, 5`;
}

/** Display names of the merchant's gateway accounts among `ids`. */
export async function gatewayAccountNames(db: Db, merchantId: string, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.gatewayAccount.findMany({ where: { merchantId, id: { in: ids } }, select: { id: true, name: true } });
  return new Map(rows.map((r) => [r.id, r.name]));
}
