// The GraphQL face of the risk step: what it said of a payment's latest confirmation, what a
// merchant tells it of the shopper, the merchant's rules and thresholds, and its allow and block lists.
import { GraphQLDateTime } from "graphql-scalars";
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import { RiskList, RiskListSubject } from "../generated/prisma/enums.js";
import { MoneyType, NodeInterface, connectionOf } from "../platform/graphql/common.types.js";

export enum RiskOutcomeKind { ALLOW = "ALLOW", REVIEW = "REVIEW", BLOCK = "BLOCK", REQUEST_3DS = "REQUEST_3DS" }
registerEnumType(RiskOutcomeKind, { name: "RiskOutcome", description: "ALLOW: on to a gateway; REQUEST_3DS: 3-D Secure first; REVIEW: held for a person (REQUIRES_REVIEW); BLOCK: nothing charged (blocked_by_risk)" });

export enum RiskLevelKind { NORMAL = "NORMAL", ELEVATED = "ELEVATED", HIGHEST = "HIGHEST" }
registerEnumType(RiskLevelKind, { name: "RiskLevel", description: "NORMAL below 50, ELEVATED 50 to 74, HIGHEST from 75" });

export enum RiskRuleModeKind { ACTIVE = "ACTIVE", SHADOW = "SHADOW" }
registerEnumType(RiskRuleModeKind, { name: "RiskRuleMode", description: "SHADOW: evaluated and recorded on the payment (risk.shadowMatches), never acted on" });

registerEnumType(RiskList, { name: "RiskList" });
registerEnumType(RiskListSubject, { name: "RiskListSubject", description: "CARD (any payment with the same card), EMAIL, IP (an IPv6 address's /64), CUSTOMER" });

@ObjectType("RiskReason", { description: "Why the score or outcome is what it is, in words: a rule that fired, a list, or a feature of the model" })
export class RiskReasonType {
  @Field() code!: string;
  @Field() message!: string;
  @Field({ description: "rule:<name> (built in), merchant_rule:<name>, list:allow or list:block, model:<feature>" }) source!: string;
  @Field(() => Int, { description: "What it added to the score" }) points!: number;
}

@ObjectType("RiskShadowMatch", { description: "A SHADOW rule that matched: what it would have done" })
export class RiskShadowMatchType {
  @Field() rule!: string;
  @Field(() => RiskOutcomeKind) action!: RiskOutcomeKind;
}

@ObjectType("Risk", { description: "The risk step's assessment of the payment's latest confirmation" })
export class RiskType {
  @Field(() => Int, { description: "0 to 100: the larger of the model's score and the built-in rules' points" }) score!: number;
  @Field(() => RiskLevelKind) level!: RiskLevelKind;
  @Field(() => RiskOutcomeKind) outcome!: RiskOutcomeKind;
  @Field(() => [RiskReasonType]) reasons!: RiskReasonType[];
  @Field({ description: "What decided the outcome: test_card, allow_list, block_list, merchant_rule:<name>, or score (the merchant's thresholds)" }) decidedBy!: string;
  @Field(() => [RiskShadowMatchType]) shadowMatches!: RiskShadowMatchType[];
  @Field(() => String, { nullable: true, description: "The model that scored it; null for a sandbox test card" }) modelVersion!: string | null;
}

@InputType({ description: "What the merchant's server knows of the shopper (its own address says nothing about them)" })
export class ShopperInput {
  @Field(() => String, { nullable: true, description: "The shopper's IP address" }) ip?: string | null;
  @Field(() => String, { nullable: true }) email?: string | null;
  @Field(() => String, { nullable: true, description: "ISO 3166-1 alpha-2, the merchant's word (no GeoIP lookup)" }) country?: string | null;
}

@ObjectType("RiskRule")
export class RiskRuleType {
  @Field() name!: string;
  @Field(() => RiskOutcomeKind) action!: RiskOutcomeKind;
  @Field({ description: "The condition, in the risk language (CEL): README \"Fraud and risk\"" }) when!: string;
  @Field(() => RiskRuleModeKind) mode!: RiskRuleModeKind;
  @Field(() => String, { nullable: true }) message!: string | null;
}

@ObjectType("RiskThresholds", { description: "The lowest score of each outcome; null: the score alone never leads to it" })
export class RiskThresholdsType {
  @Field(() => Int, { nullable: true }) requestThreeDSecure!: number | null;
  @Field(() => Int, { nullable: true }) review!: number | null;
  @Field(() => Int, { nullable: true }) block!: number | null;
}

@ObjectType("RiskRuleVariable", { description: "A variable the risk language offers a rule" })
export class RiskRuleVariableType {
  @Field() name!: string;
  @Field({ description: "CEL type: int, double, string or bool" }) type!: string;
  @Field() description!: string;
}

@ObjectType("RiskSettings", { description: "The merchant's risk rules, thresholds and large amounts" })
export class RiskSettingsType {
  @Field(() => Int, { description: "Grows by one with every setRiskRules; 0 before the first" }) version!: number;
  @Field(() => [RiskRuleType], { description: "In the merchant's order (evaluated by action: ALLOW, BLOCK, REVIEW, REQUEST_3DS)" }) rules!: RiskRuleType[];
  @Field(() => RiskThresholdsType) thresholds!: RiskThresholdsType;
  @Field(() => [MoneyType], { description: "Per currency: at or above it the large_amount rule fires; other currencies use paygraph's table" }) largeAmounts!: MoneyType[];
  @Field(() => [RiskRuleVariableType]) variables!: RiskRuleVariableType[];
}

@InputType()
export class RiskRuleInput {
  @Field({ description: "1 to 60 of a-z, 0-9, _ and -; unique" }) name!: string;
  @Field(() => RiskOutcomeKind) action!: RiskOutcomeKind;
  @Field({ description: "A condition in the risk language, e.g. card_country != shopper_country && amount >= 50000" }) when!: string;
  @Field(() => RiskRuleModeKind, { nullable: true, description: "Default ACTIVE" }) mode?: RiskRuleModeKind | null;
  @Field(() => String, { nullable: true, description: "What the payment's reasons say when the rule decides" }) message?: string | null;
}

@InputType()
export class RiskThresholdsInput {
  @Field(() => Int, { nullable: true }) requestThreeDSecure?: number | null;
  @Field(() => Int, { nullable: true }) review?: number | null;
  @Field(() => Int, { nullable: true }) block?: number | null;
}

@InputType()
export class LargeAmountInput {
  @Field({ description: 'Decimal string, e.g. "2500.00"' }) amount!: string;
  @Field() currency!: string;
}

@InputType()
export class SetRiskRulesInput {
  @Field(() => [RiskRuleInput], { description: "All of them, replacing the current ones; [] clears them" }) rules!: RiskRuleInput[];
  @Field(() => RiskThresholdsInput, { nullable: true, description: "Omitted: kept as they are" }) thresholds?: RiskThresholdsInput | null;
  @Field(() => [LargeAmountInput], { nullable: true, description: "Omitted: kept as they are" }) largeAmounts?: LargeAmountInput[] | null;
}

@ObjectType("SetRiskRulesPayload")
export class SetRiskRulesPayload {
  @Field(() => RiskSettingsType) riskSettings!: RiskSettingsType;
}

@ObjectType("RiskListEntry", { implements: NodeInterface })
export class RiskListEntryType {
  @Field(() => ID) id!: string;
  @Field(() => RiskList) list!: RiskList;
  @Field(() => RiskListSubject) subject!: RiskListSubject;
  @Field({ description: "What it names, for a person: visa •••• 0019, j•••@shop.example, 203.0.113.•, cus_…" }) label!: string;
  @Field(() => String, { nullable: true }) reason!: string | null;
  @Field(() => ID, { nullable: true, description: "The payment reported as fraud that put it here" }) paymentId!: string | null;
  @Field(() => GraphQLDateTime) createdAt!: Date;
}

export const RiskListEntryConnection = connectionOf(RiskListEntryType, "RiskListEntry");

@InputType({ description: "Exactly one of paymentMethodId (its card), email, ip, customerId" })
export class AddRiskListEntryInput {
  @Field(() => RiskList) list!: RiskList;
  @Field(() => ID, { nullable: true }) paymentMethodId?: string | null;
  @Field(() => String, { nullable: true }) email?: string | null;
  @Field(() => String, { nullable: true }) ip?: string | null;
  @Field(() => ID, { nullable: true }) customerId?: string | null;
  @Field(() => String, { nullable: true }) reason?: string | null;
}

@InputType()
export class RemoveRiskListEntryInput {
  @Field(() => ID) id!: string;
}

@ObjectType("RiskListEntryPayload")
export class RiskListEntryPayload {
  @Field(() => RiskListEntryType) riskListEntry!: RiskListEntryType;
}

@InputType()
export class ReportFraudInput {
  @Field(() => ID) paymentId!: string;
  @Field(() => String, { nullable: true }) reason?: string | null;
}
