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

/**
 * How a DAY range that does not start at UTC midnight is read from the daily rollup (every figure
 * is additive): bucket i = its anchor UTC day (from `days.from` + i days) corrected by the hours at
 * its edges. Those hours come in windows m = 0…buckets, `edges.hours` long, starting at
 * `edges.from` + m days; window m counts `edges.sign` times into bucket m and -`edges.sign` times
 * into bucket m - 1 (buckets outside the range are skipped). The anchor is the day the bucket
 * starts in when it starts in the first half of that day (the window holds the hours of that day
 * before the bucket: sign -1, and of the next day inside it: +1), else the day it ends in (the
 * window holds the bucket's hours of the day before: +1, and the hours of the next day after it:
 * -1), so a bucket reads one day and at most 12 hours instead of 24 hours. Undefined when the range
 * is read as is (HOUR, or DAY from UTC midnight: dailyGrain).
 */
export interface OffsetDays {
  days: { from: Date; to: Date };
  edges: { from: Date; hours: number; sign: 1 | -1 };
}

export function offsetDays(range: AnalyticsRange): OffsetDays | undefined {
  if (range.interval !== "DAY" || dailyGrain(range)) return undefined;
  const from = range.from.getTime();
  const k = (((from % STEP_MS.DAY) + STEP_MS.DAY) % STEP_MS.DAY) / HOUR_MS; // hours from UTC midnight to `from`: 1…23 (also before 1970)
  const startDay = from - k * HOUR_MS;
  const anchor = k <= 12 ? startDay : startDay + STEP_MS.DAY;
  return {
    days: { from: new Date(anchor), to: new Date(anchor + range.buckets * STEP_MS.DAY) },
    edges: k <= 12 ? { from: new Date(startDay), hours: k, sign: -1 } : { from: range.from, hours: 24 - k, sign: 1 },
  };
}
