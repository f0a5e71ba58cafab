// GraphQL shape of analytics. Every figure is defined in its description (and in README.md).
// Plain data objects: `simpleResolvers` gives them graphql-js's default field resolver, which
// matters when an answer holds thousands of groups.
import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import { GraphQLDateTime } from "graphql-scalars";
import { ExchangeRateType } from "../fx/exchange-rate.type.js";
import { PaymentStatus } from "../generated/prisma/enums.js";
import { MoneyType } from "../platform/graphql/common.types.js";
import { AnalyticsDimension } from "./analytics.queries.js";
import { AnalyticsInterval } from "./range.js";

registerEnumType(AnalyticsInterval, { name: "AnalyticsInterval", description: "HOUR: one UTC hour per bucket; DAY: 24 UTC hours per bucket, counted from `from`" });
registerEnumType(AnalyticsDimension, {
  name: "AnalyticsDimension",
  description: "STATUS: the payment's current status (payment figures only); CURRENCY; GATEWAY: the gateway account (or the server's default gateway); CARD_BRAND: the brand of the payment's card",
});

@InputType()
export class AnalyticsInput {
  @Field(() => GraphQLDateTime, { description: "Inclusive start, ISO 8601 with an offset (any offset; buckets are UTC). Must be on a whole UTC hour" })
  from!: Date;
  @Field(() => GraphQLDateTime, { description: "Exclusive end; to − from must be a whole number of intervals (at most 744 hours or 550 days)" })
  to!: Date;
  @Field(() => AnalyticsInterval) interval!: AnalyticsInterval;
  @Field(() => [AnalyticsDimension], { nullable: true, defaultValue: [], description: "Split each bucket's figures into groups by these dimensions" })
  groupBy?: AnalyticsDimension[];
  @Field(() => String, { nullable: true, description: "ISO 4217 code: also give each group's volumes converted into it (reportingVolume, reportingRefundVolume) at the rates in force now" })
  reportingCurrency?: string | null;
}

@ObjectType("AnalyticsGateway", { simpleResolvers: true })
export class AnalyticsGatewayType {
  @Field(() => ID, { nullable: true, description: "The gateway account; null for the server's default gateway" }) id!: string | null;
  @Field({ description: "The account's name (or the default gateway's)" }) name!: string;
}

@ObjectType("AnalyticsGroupKey", { simpleResolvers: true, description: "Null in a dimension: not grouped by it, or (status of attempt and refund figures; gateway of a payment with no succeeded attempt) not applicable" })
export class AnalyticsGroupKey {
  @Field(() => PaymentStatus, { nullable: true }) status!: PaymentStatus | null;
  @Field(() => String, { nullable: true }) currency!: string | null;
  @Field(() => AnalyticsGatewayType, { nullable: true }) gateway!: AnalyticsGatewayType | null;
  @Field(() => String, { nullable: true }) cardBrand!: string | null;
}

@ObjectType("LatencyPercentile", { simpleResolvers: true, description: "A percentile of gateway latency, reported as the histogram bin holding it: aboveMs < value ≤ atMostMs" })
export class LatencyPercentileType {
  @Field(() => Int, { description: "50, 95 or 99 (nearest rank)" }) percentile!: number;
  @Field(() => Int) aboveMs!: number;
  @Field(() => Int, { nullable: true, description: "Null: above the histogram's last bound (60 s)" }) atMostMs!: number | null;
}

@ObjectType("GatewayLatency", { simpleResolvers: true })
export class GatewayLatencyType {
  @Field(() => Int, { description: "Finished attempts (created in the bucket) with a measured gateway round trip" }) samples!: number;
  @Field(() => [LatencyPercentileType], { description: "p50, p95, p99; empty without samples" }) percentiles!: LatencyPercentileType[];
}

@ObjectType("AnalyticsGroup", { simpleResolvers: true })
export class AnalyticsGroupType {
  @Field(() => AnalyticsGroupKey) key!: AnalyticsGroupKey;
  @Field(() => Int, { description: "Payments created in the bucket, by their current status" }) payments!: number;
  @Field(() => [MoneyType], { description: "Captured amount of those payments, one Money per currency (never added across currencies)" })
  volume!: MoneyType[];
  @Field(() => Int, { description: "Attempts created in the bucket that finished (SUCCEEDED or FAILED)" }) attemptsFinished!: number;
  @Field(() => Int, { description: "Of those, the SUCCEEDED ones" }) attemptsSucceeded!: number;
  @Field(() => Float, { nullable: true, description: "attemptsSucceeded / attemptsFinished; null without finished attempts" })
  authorizationSuccessRate!: number | null;
  @Field(() => Int, { description: "Refunds requested in the bucket that SUCCEEDED" }) refunds!: number;
  @Field(() => [MoneyType], { description: "Their amount, one Money per currency" }) refundVolume!: MoneyType[];
  @Field(() => GatewayLatencyType) latency!: GatewayLatencyType;
  @Field(() => MoneyType, {
    nullable: true,
    description: "With a reportingCurrency: volume in it. Each currency's total is converted at the latest stored rate, rounded once half to even at the reporting currency's minor unit, then added. Null without a reportingCurrency, or when a currency of `volume` has no rate (see missingRates)",
  })
  reportingVolume!: MoneyType | null;
  @Field(() => MoneyType, { nullable: true, description: "refundVolume in the reportingCurrency, converted like reportingVolume (null when a currency of `refundVolume` has no rate)" })
  reportingRefundVolume!: MoneyType | null;
}

@ObjectType("AnalyticsBucket", { simpleResolvers: true })
export class AnalyticsBucketType {
  @Field(() => GraphQLDateTime, { description: "Inclusive, UTC" }) start!: Date;
  @Field(() => GraphQLDateTime, { description: "Exclusive, UTC" }) end!: Date;
  @Field(() => [AnalyticsGroupType], { description: "Groups with any figure; none for an empty bucket" }) groups!: AnalyticsGroupType[];
}

@ObjectType("AnalyticsMissingRate", { simpleResolvers: true, description: "A currency of the answer with no exchange rate into the reporting currency" })
export class AnalyticsMissingRateType {
  @Field() from!: string;
  @Field() to!: string;
}

@ObjectType("Analytics", { simpleResolvers: true })
export class AnalyticsType {
  @Field(() => GraphQLDateTime) from!: Date;
  @Field(() => GraphQLDateTime) to!: Date;
  @Field(() => AnalyticsInterval) interval!: AnalyticsInterval;
  @Field(() => [AnalyticsDimension]) groupBy!: AnalyticsDimension[];
  @Field(() => [AnalyticsBucketType], { description: "Every bucket of the range in order (in analyticsUpdated: the buckets that changed)" })
  buckets!: AnalyticsBucketType[];
  @Field(() => String, { nullable: true, description: "As asked; null without one" }) reportingCurrency!: string | null;
  @Field(() => [ExchangeRateType], {
    description: "Every rate behind the reporting figures, one per currency of the answer other than the reporting currency: the latest stored at the time of the answer (not the rate of each bucket's own time)",
  })
  conversions!: ExchangeRateType[];
  @Field(() => [AnalyticsMissingRateType], { description: "Currencies of the answer with no rate: groups holding them have null reporting figures" })
  missingRates!: AnalyticsMissingRateType[];
}
