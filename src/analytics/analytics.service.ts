// The analytics question answered: rows from analytics.queries.ts folded into buckets and groups.
// Counts may be added across currencies; money never is: volume and refund volume stay one Money
// per currency. Definitions of every figure: src/analytics/README.md.
import { currencyCode } from "../fx/rates.js";
import type { Ctx } from "../app/app.js";
import { LATENCY_BINS, percentileBins, type LatencyBound } from "./latency.js";
import { NO_LATENCY, figureRows, gatewayAccountNames, type AnalyticsDimension } from "./analytics.queries.js";
import { reportBuckets, type Reporting } from "./reporting.js";
import { analyticsRange, bucketStart, type AnalyticsInterval, type AnalyticsRange } from "./range.js";

export interface GroupKey {
  status: string | null;
  currency: string | null;
  gateway: { key: string; id: string | null; name: string } | null;
  cardBrand: string | null;
}

export interface MinorAmount { minor: bigint; currency: string }

export interface AnalyticsGroup {
  key: GroupKey;
  payments: number;
  volume: MinorAmount[];
  attemptsFinished: number;
  attemptsSucceeded: number;
  refunds: number;
  refundVolume: MinorAmount[];
  latency: { samples: number; percentiles: LatencyBound[] };
  /** Set when a reporting currency is asked (reporting.ts); null: a currency of that list has no rate. */
  reportingVolume?: MinorAmount | null;
  reportingRefundVolume?: MinorAmount | null;
}

export interface AnalyticsBucket { index: number; start: Date; end: Date; groups: AnalyticsGroup[] }

export const PERCENTILES = [50, 95, 99] as const;

interface Acc extends Omit<AnalyticsGroup, "latency"> {
  i: number;
  gatewayKey: string;
  /** Samples per latency bin (index = bin). */
  bins: number[];
}

/** '' means "not grouped by this, or not applicable": null in the answer. */
const orNull = (value: string): string | null => (value === "" ? null : value);

function gatewayOf(key: string, names: Map<string, string>): GroupKey["gateway"] {
  if (key === "") return null;
  if (key.startsWith("default:")) return { key, id: null, name: key.slice("default:".length) };
  return { key, id: key, name: names.get(key) ?? key };
}

const byCurrencyCode = (a: MinorAmount, b: MinorAmount): number => (a.currency < b.currency ? -1 : 1);

/** Figures of `range` for the merchant in ctx, one bucket per interval (empty buckets included). */
export async function analyticsBuckets(ctx: Ctx, range: AnalyticsRange, groupBy: ReadonlySet<AnalyticsDimension>): Promise<AnalyticsBucket[]> {
  const figures = await figureRows(ctx.app.db, ctx.merchantId, range, groupBy);
  const byCurrency = groupBy.has("CURRENCY");
  // One row per bucket, group and currency (so a currency comes once per group): without
  // CURRENCY, a group gathers its currencies' rows.
  const accs = new Map<string, Acc>();
  for (const r of figures) {
    const k = `${r.i}\u0000${r.status}\u0000${byCurrency ? r.currency : ""}\u0000${r.gateway}\u0000${r.cardBrand}`;
    let acc = accs.get(k);
    if (!acc) {
      acc = {
        i: r.i, gatewayKey: r.gateway,
        key: { status: orNull(r.status), currency: byCurrency ? r.currency : null, gateway: null, cardBrand: orNull(r.cardBrand) },
        payments: 0, volume: [], attemptsFinished: 0, attemptsSucceeded: 0, refunds: 0, refundVolume: [], bins: new Array<number>(LATENCY_BINS).fill(0),
      };
      accs.set(k, acc);
    }
    acc.payments += r.payments;
    acc.attemptsFinished += r.attemptsFinished;
    acc.attemptsSucceeded += r.attemptsSucceeded;
    acc.refunds += r.refunds;
    // A currency shows (with a zero volume if nothing was captured) when the group has payments
    // in it, and not at all otherwise; the same for refunds.
    if (r.payments !== 0 || r.volume !== 0n) acc.volume.push({ currency: r.currency, minor: r.volume });
    if (r.refunds !== 0 || r.refundVolume !== 0n) acc.refundVolume.push({ currency: r.currency, minor: r.refundVolume });
    if (r.latency !== NO_LATENCY) r.latency.split(",").forEach((n, bin) => (acc.bins[bin] += Number(n)));
  }
  const names = await gatewayAccountNames(ctx.app.db, ctx.merchantId, [...new Set([...accs.values()].map((a) => a.gatewayKey))].filter((k) => k && !k.startsWith("default:")));
  const buckets: AnalyticsBucket[] = Array.from({ length: range.buckets }, (_, index) => ({
    index, start: bucketStart(range, index), end: bucketStart(range, index + 1), groups: [],
  }));
  const ordered: { order: string; group: AnalyticsGroup; i: number }[] = [];
  for (const acc of accs.values()) {
    const samples = acc.bins.reduce((a, b) => a + b, 0);
    if (acc.payments === 0 && acc.attemptsFinished === 0 && acc.refunds === 0 && samples === 0) continue; // moved away entirely
    const key = { ...acc.key, gateway: gatewayOf(acc.gatewayKey, names) };
    const order = JSON.stringify([key.status ?? "", key.currency ?? "", key.gateway?.name ?? "", key.gateway?.key ?? "", key.cardBrand ?? ""]);
    ordered.push({ order, i: acc.i, group: {
      key,
      payments: acc.payments,
      volume: acc.volume.sort(byCurrencyCode),
      attemptsFinished: acc.attemptsFinished,
      attemptsSucceeded: acc.attemptsSucceeded,
      refunds: acc.refunds,
      refundVolume: acc.refundVolume.sort(byCurrencyCode),
      latency: { samples, percentiles: percentileBins(acc.bins, PERCENTILES) },
    } });
  }
  // Groups in a stable order within a bucket; the sort key is made once per group.
  ordered.sort((a, c) => (a.order < c.order ? -1 : a.order > c.order ? 1 : 0));
  for (const { i, group } of ordered) buckets[i]?.groups.push(group);
  return buckets;
}

export interface AnalyticsQuestion { from: Date; to: Date; interval: AnalyticsInterval; groupBy?: AnalyticsDimension[] | null; reportingCurrency?: string | null }
export interface ParsedQuestion { range: AnalyticsRange; groupBy: AnalyticsDimension[]; reportingCurrency?: string }
export interface AnalyticsAnswer extends ParsedQuestion { buckets: AnalyticsBucket[]; reporting?: Reporting }

/** Checks the question (BAD_USER_INPUT) without reading anything. */
export function parseQuestion(q: AnalyticsQuestion): ParsedQuestion {
  const range = analyticsRange(q.from, q.to, q.interval);
  const groupBy = [...new Set(q.groupBy ?? [])];
  return q.reportingCurrency == null ? { range, groupBy } : { range, groupBy, reportingCurrency: currencyCode(q.reportingCurrency, "reportingCurrency") };
}

/** The answer made of `buckets` (of the whole range or a part), with reporting totals when asked. */
export async function analyticsAnswer(ctx: Ctx, question: ParsedQuestion, buckets: AnalyticsBucket[]): Promise<AnalyticsAnswer> {
  if (!question.reportingCurrency) return { ...question, buckets };
  return { ...question, ...(await reportBuckets(ctx.app.db, buckets, question.reportingCurrency)) };
}

export async function getAnalytics(ctx: Ctx, q: AnalyticsQuestion): Promise<AnalyticsAnswer> {
  const question = parseQuestion(q);
  return analyticsAnswer(ctx, question, await analyticsBuckets(ctx, question.range, new Set(question.groupBy)));
}
