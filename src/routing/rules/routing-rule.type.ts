// GraphQL shape of routing rules: what setRoutingRules takes and routingRules returns. Amount
// bounds are decimal strings in the range's currency ("12.50" USD), as everywhere in the API.
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import type { GatewayAccount } from "../../generated/prisma/client.js";
import { GatewayAccountType } from "../../gateways/accounts/gateway-account.type.js";
import { Money } from "../../platform/money.js";
import type { RoutingRule, RuleActionType } from "./rule.js";

export const RoutingActionType = { FIXED: "FIXED", ORDERED: "ORDERED", WEIGHTED: "WEIGHTED" } as const satisfies Record<RuleActionType, RuleActionType>;
registerEnumType(RoutingActionType, {
  name: "RoutingActionType",
  description: "FIXED: one gateway account. ORDERED: try them as listed. WEIGHTED: split payments by weight (each payment sticks to its draw), the others as fallbacks, heaviest first",
});

@ObjectType("RoutingAmountRange", { description: "Matches only payments in `currency`, between the inclusive bounds" })
export class RoutingAmountRangeType {
  @Field() currency!: string;
  @Field(() => String, { nullable: true, description: 'Decimal string, e.g. "10.00"' }) min!: string | null;
  @Field(() => String, { nullable: true }) max!: string | null;
}

@ObjectType("MetadataCondition", { description: "The payment's metadata value for `key` is exactly `equals`" })
export class MetadataConditionType {
  @Field() key!: string;
  @Field() equals!: string;
}

@ObjectType("RoutingConditions", { description: "Every condition given must hold; an absent (null) one matches every payment" })
export class RoutingConditionsType {
  @Field(() => [String], { nullable: true, description: "ISO 4217 codes" }) currencies!: string[] | null;
  @Field(() => [String], { nullable: true }) cardBrands!: string[] | null;
  @Field(() => [String], { nullable: true, description: "Issuing countries (ISO 3166-1 alpha-2); a card of unknown country never matches" })
  cardCountries!: string[] | null;
  @Field(() => RoutingAmountRangeType, { nullable: true }) amount!: RoutingAmountRangeType | null;
  @Field(() => [MetadataConditionType], { nullable: true }) metadata!: MetadataConditionType[] | null;
}

@ObjectType("RoutingGateway")
export class RoutingGatewayType {
  @Field(() => ID) gatewayAccountId!: string;
  @Field(() => Int, { nullable: true, description: "WEIGHTED only: share = weight / sum of weights" }) weight!: number | null;
  @Field(() => GatewayAccountType, { description: "Disabled accounts may stay in rules: payments skip them while they are disabled" })
  gatewayAccount!: GatewayAccount;
}

@ObjectType("RoutingAction")
export class RoutingActionObject {
  @Field(() => RoutingActionType) type!: RuleActionType;
  @Field(() => [RoutingGatewayType]) gateways!: RoutingGatewayType[];
}

@ObjectType("RoutingRule", { description: "The first rule whose conditions all hold decides a payment's gateways" })
export class RoutingRuleType {
  @Field() name!: string;
  @Field(() => RoutingConditionsType) when!: RoutingConditionsType;
  @Field(() => RoutingActionObject) action!: RoutingActionObject;

  static of(rule: RoutingRule, accounts: ReadonlyMap<string, GatewayAccount>): RoutingRuleType {
    const { currencies, cardBrands, cardCountries, amount, metadata } = rule.when;
    const format = (minor: bigint | undefined, currency: string): string | null => (minor === undefined ? null : Money.of(minor, currency).format());
    return {
      name: rule.name,
      when: {
        currencies: currencies ?? null, cardBrands: cardBrands ?? null, cardCountries: cardCountries ?? null, metadata: metadata ?? null,
        amount: amount ? { currency: amount.currency, min: format(amount.min, amount.currency), max: format(amount.max, amount.currency) } : null,
      },
      action: {
        type: rule.action.type,
        gateways: rule.action.gateways.map((g) => {
          const account = accounts.get(g.gatewayAccountId);
          // Accounts are never deleted, so a stored rule always finds its account.
          if (!account) throw new Error(`routing rule "${rule.name}" names a missing gateway account ${g.gatewayAccountId}`);
          return { gatewayAccountId: g.gatewayAccountId, weight: g.weight ?? null, gatewayAccount: account };
        }),
      },
    };
  }
}

@InputType()
export class RoutingAmountRangeInput {
  @Field({ description: "ISO 4217 code: the rule then matches only payments in this currency" }) currency!: string;
  @Field(() => String, { nullable: true, description: 'Inclusive lower bound, a decimal string such as "10.00"' }) min?: string | null;
  @Field(() => String, { nullable: true, description: "Inclusive upper bound" }) max?: string | null;
}

@InputType()
export class MetadataConditionInput {
  @Field() key!: string;
  @Field() equals!: string;
}

@InputType()
export class RoutingConditionsInput {
  @Field(() => [String], { nullable: true }) currencies?: string[] | null;
  @Field(() => [String], { nullable: true }) cardBrands?: string[] | null;
  @Field(() => [String], { nullable: true }) cardCountries?: string[] | null;
  @Field(() => RoutingAmountRangeInput, { nullable: true }) amount?: RoutingAmountRangeInput | null;
  @Field(() => [MetadataConditionInput], { nullable: true }) metadata?: MetadataConditionInput[] | null;
}

@InputType()
export class RoutingGatewayInput {
  @Field(() => ID) gatewayAccountId!: string;
  @Field(() => Int, { nullable: true, description: "Required for WEIGHTED (1 to 10000), refused otherwise" }) weight?: number | null;
}

@InputType()
export class RoutingActionInput {
  @Field(() => RoutingActionType) type!: RuleActionType;
  @Field(() => [RoutingGatewayInput]) gateways!: RoutingGatewayInput[];
}

@InputType()
export class RoutingRuleInput {
  @Field({ description: "Unique among the merchant's rules; shown in attempts' routingReason" }) name!: string;
  @Field(() => RoutingConditionsInput, { nullable: true, description: "Leave out to match every payment (a last, catch-all rule)" })
  when?: RoutingConditionsInput | null;
  @Field(() => RoutingActionInput) action!: RoutingActionInput;
}

@InputType()
export class SetRoutingRulesInput {
  @Field(() => [RoutingRuleInput], { description: "Replaces all routing rules, in the order they are tried; [] clears them" }) rules!: RoutingRuleInput[];
}

@ObjectType()
export class SetRoutingRulesPayload {
  @Field(() => [RoutingRuleType], { description: "The rules in force, in the order they are tried" }) rules!: RoutingRuleType[];
}
