// GraphQL shapes of the outcome table (src/routing/decision-table.ts); GatewayDecision is also
// shown on each payment attempt.
import { Field, InputType, ObjectType, registerEnumType } from "type-graphql";
import { GatewayDecision, GatewayKind } from "../generated/prisma/enums.js";

registerEnumType(GatewayDecision, {
  name: "GatewayDecision",
  description: "What a failed gateway call leads to",
  valuesConfig: {
    RETRY: { description: "For lost answers (timeouts, 5xx): same gateway, same idempotency key, after a backoff; when retries run out, fail over. Allowed only on a row naming one of the gateway kind's lost-answer codes, without declineCode: not on a decline row, nor on code * (a refusal would only repeat)" },
    FAIL_OVER: { description: "The route plan's next gateway (a new attempt and key); none left: declined. A lost answer is looked up first" },
    STOP: { description: "Decline the payment; no other gateway sees the card" },
    STEP_UP: { description: "The issuer asks for 3-D Secure: the payment requires action" },
  },
});

export enum DecisionSource { MERCHANT = "MERCHANT", DEFAULT = "DEFAULT" }
registerEnumType(DecisionSource, { name: "GatewayDecisionSource" });

@ObjectType({ description: "One row of an outcome table: the first row matching a failed call decides" })
export class GatewayDecisionRule {
  @Field({ description: "The gateway's error code, or * for any" }) code!: string;
  @Field(() => String, { nullable: true, description: "When set, the decline code must be equal" }) declineCode!: string | null;
  @Field(() => String, { nullable: true, description: "When set, the gateway's message must contain this text (case-insensitive)" }) messageContains!: string | null;
  @Field(() => GatewayDecision) decision!: GatewayDecision;
  @Field(() => String, { nullable: true }) description!: string | null;
  @Field(() => DecisionSource) source!: DecisionSource;
}

@InputType()
export class GatewayDecisionRuleInput {
  @Field() code!: string;
  @Field(() => String, { nullable: true }) declineCode?: string | null;
  @Field(() => String, { nullable: true }) messageContains?: string | null;
  @Field(() => GatewayDecision) decision!: GatewayDecision;
  @Field(() => String, { nullable: true }) description?: string | null;
}

@ObjectType()
export class SetGatewayDecisionOverridesPayload {
  @Field(() => [GatewayDecisionRule], { description: "The table in force: your overrides first, then the connector's defaults" }) rules!: GatewayDecisionRule[];
}

@InputType()
export class SetGatewayDecisionOverridesInput {
  @Field(() => GatewayKind) kind!: GatewayKind;
  @Field(() => [GatewayDecisionRuleInput], { description: "Replaces all overrides of this kind; [] restores the defaults" }) rules!: GatewayDecisionRuleInput[];
}

