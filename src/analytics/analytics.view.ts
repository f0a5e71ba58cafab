// The service's answer in GraphQL's shape (Money as decimal strings, rate as a ratio).
import type { PaymentStatus } from "../generated/prisma/enums.js";
import { MoneyType } from "../platform/graphql/common.types.js";
import type { AnalyticsAnswer, AnalyticsBucket } from "./analytics.service.js";
import type { AnalyticsBucketType, AnalyticsType } from "./analytics.type.js";

export function bucketView(b: AnalyticsBucket): AnalyticsBucketType {
  return {
    start: b.start,
    end: b.end,
    groups: b.groups.map((g) => ({
      key: { ...g.key, status: g.key.status as PaymentStatus | null, gateway: g.key.gateway && { id: g.key.gateway.id, name: g.key.gateway.name } },
      payments: g.payments,
      volume: g.volume.map((m) => MoneyType.of(m.minor, m.currency)),
      attemptsFinished: g.attemptsFinished,
      attemptsSucceeded: g.attemptsSucceeded,
      authorizationSuccessRate: g.attemptsFinished === 0 ? null : g.attemptsSucceeded / g.attemptsFinished,
      refunds: g.refunds,
      refundVolume: g.refundVolume.map((m) => MoneyType.of(m.minor, m.currency)),
      latency: g.latency,
      reportingVolume: g.reportingVolume ? MoneyType.of(g.reportingVolume.minor, g.reportingVolume.currency) : null,
      reportingRefundVolume: g.reportingRefundVolume ? MoneyType.of(g.reportingRefundVolume.minor, g.reportingRefundVolume.currency) : null,
    })),
  };
}

export function analyticsView(answer: AnalyticsAnswer, only?: ReadonlySet<number>): AnalyticsType {
  const { range, groupBy, buckets, reporting } = answer;
  return {
    from: range.from,
    to: range.to,
    interval: range.interval,
    groupBy,
    buckets: buckets.filter((b) => !only || only.has(b.index)).map(bucketView),
    reportingCurrency: reporting?.currency ?? null,
    conversions: reporting?.conversions ?? [],
    missingRates: reporting?.missingRates ?? [],
  };
}
