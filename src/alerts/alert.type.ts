// The GraphQL types of alerts: rules (condition and channels), alerts (incidents) with their
// notices, and the inputs and payloads of their operations.
import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import { GraphQLDateTime } from "graphql-scalars";
import { AlertKind, AlertNotificationStatus, AlertState } from "../generated/prisma/enums.js";
import { NodeInterface, connectionOf } from "../platform/graphql/common.types.js";
import { AlertChannelKind } from "./channels.js";

registerEnumType(AlertKind, { name: "AlertKind" });
registerEnumType(AlertState, { name: "AlertState" });
registerEnumType(AlertNotificationStatus, { name: "AlertNotificationStatus" });
registerEnumType(AlertChannelKind, { name: "AlertChannelKind" });

const THRESHOLD = "A share 0..1 for GATEWAY_SUCCESS_RATE_BELOW and DECLINE_CODE_SHARE_ABOVE (0.8 = 80 %), ms for GATEWAY_LATENCY_P99_ABOVE, seconds for QUEUE_AGE_ABOVE and WEBHOOK_ENDPOINT_FAILING (default 3600); CIRCUIT_OPEN takes none";

@ObjectType("AlertCondition")
export class AlertConditionType {
  @Field(() => AlertKind) kind!: AlertKind;
  @Field(() => ID, { nullable: true, description: "The gateway account watched; null: each of the merchant's accounts" }) gatewayAccountId!: string | null;
  @Field(() => String, { nullable: true }) declineCode!: string | null;
  @Field(() => ID, { nullable: true, description: "The webhook endpoint watched; null: each of the merchant's endpoints" }) webhookEndpointId!: string | null;
  @Field(() => Float, { description: THRESHOLD }) threshold!: number;
  @Field(() => Int, { nullable: true, description: "The trailing window measured (windowed kinds)" }) windowSeconds!: number | null;
  @Field(() => Int, { nullable: true, description: "Calls or attempts the window needs before it is judged" }) minVolume!: number | null;
}

@ObjectType("AlertChannel")
export class AlertChannelType {
  @Field(() => AlertChannelKind) kind!: AlertChannelKind;
  @Field({ description: "WEBHOOK: the endpoint's id; EMAIL: the address; SLACK: the URL's host and last characters only (the URL is a credential)" }) target!: string;
}

@ObjectType("AlertRule", { implements: NodeInterface })
export class AlertRuleType {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field(() => AlertConditionType) condition!: AlertConditionType;
  @Field(() => [AlertChannelType]) channels!: AlertChannelType[];
  @Field(() => GraphQLDateTime) createdAt!: Date;
}

export const AlertRuleConnection = connectionOf(AlertRuleType, "AlertRule");

@ObjectType("AlertNotification", { description: "One notice of an alert's firing or resolution on one channel" })
export class AlertNotificationType {
  @Field(() => AlertState, { description: "Which notice: FIRING or RESOLVED" }) transition!: AlertState;
  @Field(() => Int, { description: "The channel's place in its rule's channels" }) channel!: number;
  @Field(() => AlertChannelKind) channelKind!: AlertChannelKind;
  @Field(() => AlertNotificationStatus) status!: AlertNotificationStatus;
  @Field(() => Int) tries!: number;
  @Field(() => String, { nullable: true }) lastError!: string | null;
  @Field(() => GraphQLDateTime, { nullable: true }) sentAt!: Date | null;
}

@ObjectType("Alert", { implements: NodeInterface, description: "An incident: a rule's condition held for one subject, from firedAt until resolvedAt" })
export class AlertType {
  @Field(() => ID) id!: string;
  @Field(() => ID, { nullable: true, description: "Null once the rule is deleted" }) ruleId!: string | null;
  @Field() ruleName!: string;
  @Field(() => AlertKind) kind!: AlertKind;
  @Field({ description: "What it is about: a gateway account (gwa_…), a decline code, a webhook endpoint (we_…), a queue" }) subject!: string;
  @Field({ description: "`<rule id>:<subject>`: one FIRING alert per key at most" }) dedupKey!: string;
  @Field(() => AlertState) state!: AlertState;
  @Field(() => Float, { description: "The latest measured value (same unit as threshold)" }) value!: number;
  @Field(() => Float, { description: "The value when it fired" }) firedValue!: number;
  @Field(() => Float) threshold!: number;
  @Field() summary!: string;
  @Field(() => GraphQLDateTime) firedAt!: Date;
  @Field(() => GraphQLDateTime, { nullable: true }) resolvedAt!: Date | null;
  @Field(() => [AlertNotificationType], { description: "Its notices, oldest first" }) notifications!: AlertNotificationType[];
}

export const AlertConnection = connectionOf(AlertType, "Alert");

@InputType()
export class AlertConditionInput {
  @Field(() => AlertKind) kind!: AlertKind;
  @Field(() => ID, { nullable: true }) gatewayAccountId?: string | null;
  @Field(() => String, { nullable: true, description: "DECLINE_CODE_SHARE_ABOVE: the code, e.g. insufficient_funds" }) declineCode?: string | null;
  @Field(() => ID, { nullable: true }) webhookEndpointId?: string | null;
  @Field(() => Float, { nullable: true, description: THRESHOLD }) threshold?: number | null;
  @Field(() => Int, { nullable: true, description: "Windowed kinds; default 300 (a success rate's window is at most ROUTING_WINDOW_MS)" }) windowSeconds?: number | null;
  @Field(() => Int, { nullable: true, description: "Windowed kinds; default 20" }) minVolume?: number | null;
}

@InputType()
export class AlertChannelInput {
  @Field(() => AlertChannelKind) kind!: AlertChannelKind;
  @Field({ description: "WEBHOOK: one of your webhook endpoints (we_…); SLACK: an incoming webhook URL; EMAIL: an address" }) target!: string;
}

@InputType()
export class CreateAlertRuleInput {
  @Field() name!: string;
  @Field(() => AlertConditionInput, { description: "The fields its kind takes; others are refused" }) condition!: AlertConditionInput;
  @Field(() => [AlertChannelInput], { description: "Up to 5; none: alerts are only listed and streamed" }) channels!: AlertChannelInput[];
}

@ObjectType()
export class AlertRulePayload {
  @Field(() => AlertRuleType) alertRule!: AlertRuleType;
}

@InputType()
export class DeleteAlertRuleInput {
  @Field(() => ID) id!: string;
}
