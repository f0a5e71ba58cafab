// The time range of an analytics question, checked and cut into buckets. Buckets are whole UTC
// hours (HOUR) or runs of 24 whole UTC hours (DAY) starting at `from`; `from` is inclusive and
// `to` exclusive. A `from` with an offset (2026-11-25T12:00:00+02:00) is the same instant in UTC.
import { badInput } from "../platform/errors.js";

export const AnalyticsInterval = { HOUR: "HOUR", DAY: "DAY" } as const;
export type AnalyticsInterval = (typeof AnalyticsInterval)[keyof typeof AnalyticsInterval];

export const HOUR_MS = 3_600_000;
export const STEP_MS: Record<AnalyticsInterval, number> = { HOUR: HOUR_MS, DAY: 24 * HOUR_MS };
/** The most buckets one answer may hold: 31 days of hours, or about a year and a half of days. */
export const MAX_BUCKETS: Record<AnalyticsInterval, number> = { HOUR: 744, DAY: 550 };

export interface AnalyticsRange {
  from: Date;
  to: Date;
  interval: AnalyticsInterval;
  stepMs: number;
  buckets: number;
}

export function analyticsRange(from: Date, to: Date, interval: AnalyticsInterval): AnalyticsRange {
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) throw badInput("from and to must be ISO 8601 date-times", "from");
  if (from.getTime() % HOUR_MS !== 0) throw badInput(`from (${from.toISOString()}) must be on a whole UTC hour: buckets are UTC hours`, "from");
  if (from >= to) throw badInput(`from (${from.toISOString()}) must be before to (${to.toISOString()}); to is exclusive`, "to");
  const stepMs = STEP_MS[interval];
  const span = to.getTime() - from.getTime();
  if (span % stepMs !== 0) throw badInput(`to - from must be a whole number of ${interval === "HOUR" ? "hours" : "24-hour days"}`, "to");
  const buckets = span / stepMs;
  if (buckets > MAX_BUCKETS[interval]) throw badInput(`${buckets} ${interval} buckets asked; at most ${MAX_BUCKETS[interval]} per question`, "to");
  return { from, to, interval, stepMs, buckets };
}

/** The start of bucket `i` of the range. */
export const bucketStart = (range: AnalyticsRange, i: number): Date => new Date(range.from.getTime() + i * range.stepMs);

/** The bucket holding `at`, or undefined when `at` is outside the range. */
export function bucketOf(range: AnalyticsRange, at: Date): number | undefined {
  const offset = at.getTime() - range.from.getTime();
  if (offset < 0 || at >= range.to) return undefined;
  return Math.floor(offset / range.stepMs);
}

/** The part of `range` covering buckets first..last (inclusive), as a range of its own. */
export function subRange(range: AnalyticsRange, first: number, last: number): AnalyticsRange {
  const from = bucketStart(range, first);
  return { ...range, from, to: bucketStart(range, last + 1), buckets: last - first + 1 };
}

/** Whether the range can be read from the daily rollup: DAY buckets that start at UTC midnight. */
export const dailyGrain = (range: AnalyticsRange): boolean => range.interval === "DAY" && range.from.getTime() % STEP_MS.DAY === 0;
