// The analytics buckets as the charts and their tables use them: buckets merged as the live
// subscription sends them, and the groups added up into one series per gateway or per currency.
// Money stays decimal strings added as integers of minor units (BigInt): a float appears only when
// a chart turns an amount into a pixel height. Pure (no DOM): unit-tested.
import { decimalsOf, fromMinor, toMinor } from "../payment/amounts.js";
import type { SplitBy } from "./range.js";

/** The fields of DashboardOverviewFigures this file reads (the generated type fits it). */
export interface Group {
  key: { currency: string | null; gateway: { id: string | null; name: string } | null };
  payments: number;
  volume: readonly { amount: string; currency: string }[];
  attemptsFinished: number;
  attemptsSucceeded: number;
}
export interface Bucket { start: string; groups: readonly Group[] }

/** `current` with each incoming bucket put in place of the one with the same start; in time order. */
export function mergeBuckets<B extends Bucket>(current: readonly B[], incoming: readonly B[]): B[] {
  const byStart = new Map(current.map((b) => [Date.parse(b.start), b]));
  for (const bucket of incoming) byStart.set(Date.parse(bucket.start), bucket);
  return [...byStart.entries()].sort(([a], [b]) => a - b).map(([, bucket]) => bucket);
}

/** Currencies with payments in the buckets, the busiest first (then by code). */
export function currenciesOf(buckets: readonly Bucket[]): string[] {
  const counts = new Map<string, number>();
  for (const b of buckets) for (const g of b.groups) if (g.key.currency) counts.set(g.key.currency, (counts.get(g.key.currency) ?? 0) + g.payments);
  return [...counts.entries()].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1)).map(([code]) => code);
}

/** Where a payment not yet sent to any gateway is counted when split by gateway. */
export const NO_GATEWAY = "No gateway yet";
const labelOf = (g: Group, by: SplitBy): string => (by === "gateway" ? g.key.gateway?.name ?? NO_GATEWAY : g.key.currency ?? "—");
const sortedLabels = (labels: Iterable<string>): string[] => [...new Set(labels)].sort();

export interface VolumeSeries { label: string; amounts: string[]; total: string }

/**
 * Captured volume in `currency`, one series per gateway (or the currency's one series), one
 * decimal string per bucket. Series that captured nothing in the range are left out.
 */
export function volumeSeries(buckets: readonly Bucket[], by: SplitBy, currency: string): VolumeSeries[] {
  const sums = new Map<string, bigint[]>();
  let decimals = 0;
  buckets.forEach((bucket, i) => {
    for (const group of bucket.groups) {
      for (const money of group.volume) {
        if (money.currency !== currency) continue;
        decimals = decimalsOf(money.amount);
        const label = labelOf(group, by);
        const row = sums.get(label) ?? buckets.map(() => 0n);
        row[i]! += toMinor(money.amount, decimals);
        sums.set(label, row);
      }
    }
  });
  return sortedLabels(sums.keys())
    .map((label) => ({ label, minor: sums.get(label)! }))
    .filter(({ minor }) => minor.some((m) => m !== 0n))
    .map(({ label, minor }) => ({
      label,
      amounts: minor.map((m) => fromMinor(m, decimals)),
      total: fromMinor(minor.reduce((a, b) => a + b, 0n), decimals),
    }));
}

export interface RateSeries { label: string; succeeded: number[]; finished: number[] }

/** Authorization attempts per gateway or currency and bucket (a rate is succeeded / finished). Series without a finished attempt are left out. */
export function rateSeries(buckets: readonly Bucket[], by: SplitBy): RateSeries[] {
  const sums = new Map<string, { succeeded: number[]; finished: number[] }>();
  buckets.forEach((bucket, i) => {
    for (const group of bucket.groups) {
      if (!group.attemptsFinished) continue;
      const label = labelOf(group, by);
      const row = sums.get(label) ?? { succeeded: buckets.map(() => 0), finished: buckets.map(() => 0) };
      row.succeeded[i]! += group.attemptsSucceeded;
      row.finished[i]! += group.attemptsFinished;
      sums.set(label, row);
    }
  });
  return sortedLabels(sums.keys()).map((label) => ({ label, ...sums.get(label)! }));
}

/** A share as people read it: "97.5 %"; null (no attempt) stays null. */
export function percent(succeeded: number, finished: number): string | null {
  if (!finished) return null;
  const tenths = Math.round((succeeded * 1000) / finished);
  return `${tenths % 10 ? (tenths / 10).toFixed(1) : String(tenths / 10)} %`;
}

/** Payments created in the range, across every group. */
export const paymentsIn = (buckets: readonly Bucket[]): number =>
  buckets.reduce((n, b) => n + b.groups.reduce((m, g) => m + g.payments, 0), 0);

/** The sum of several series' totals (they share the currency, so the exponent). */
export function sumAmounts(amounts: readonly string[]): string {
  const decimals = amounts[0] ? decimalsOf(amounts[0]) : 0;
  return fromMinor(amounts.reduce((sum, a) => sum + toMinor(a, decimals), 0n), decimals);
}

/** "0.00", "0", "-0.000": nothing, whatever the exponent. */
export const isZero = (amount: string): boolean => !/[1-9]/.test(amount);
