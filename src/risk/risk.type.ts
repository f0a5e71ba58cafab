// The GraphQL face of the risk step: what it said of a payment's latest confirmation, and what a
// merchant tells it of the shopper.
import { Field, InputType, Int, ObjectType, registerEnumType } from "type-graphql";

export enum RiskOutcomeKind { ALLOW = "ALLOW", REVIEW = "REVIEW", BLOCK = "BLOCK", REQUEST_3DS = "REQUEST_3DS" }
registerEnumType(RiskOutcomeKind, { name: "RiskOutcome", description: "ALLOW: on to a gateway; REQUEST_3DS: 3-D Secure first; BLOCK: nothing charged (blocked_by_risk); REVIEW: held for a person (later)" });

export enum RiskLevelKind { NORMAL = "NORMAL", ELEVATED = "ELEVATED", HIGHEST = "HIGHEST" }
registerEnumType(RiskLevelKind, { name: "RiskLevel", description: "NORMAL below 50, ELEVATED 50 to 74, HIGHEST from 75" });

@ObjectType("RiskReason", { description: "Why the score is what it is, in words: a rule that fired (or, later, a model feature)" })
export class RiskReasonType {
  @Field() code!: string;
  @Field() message!: string;
  @Field({ description: "rule:<name>, or model:<feature>" }) source!: string;
  @Field(() => Int, { description: "What it added to the score" }) points!: number;
}

@ObjectType("Risk", { description: "The risk step's assessment of the payment's latest confirmation" })
export class RiskType {
  @Field(() => Int, { description: "0 to 100" }) score!: number;
  @Field(() => RiskLevelKind) level!: RiskLevelKind;
  @Field(() => RiskOutcomeKind) outcome!: RiskOutcomeKind;
  @Field(() => [RiskReasonType]) reasons!: RiskReasonType[];
  @Field(() => String, { nullable: true, description: "The model that scored it; null while the rules alone score" }) modelVersion!: string | null;
}

@InputType({ description: "What the merchant's server knows of the shopper (its own address says nothing about them)" })
export class ShopperInput {
  @Field(() => String, { nullable: true, description: "The shopper's IP address" }) ip?: string | null;
  @Field(() => String, { nullable: true }) email?: string | null;
  @Field(() => String, { nullable: true, description: "ISO 3166-1 alpha-2, the merchant's word (no GeoIP lookup)" }) country?: string | null;
}
