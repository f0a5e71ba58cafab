// A merchant's routing rule, as the matcher and the planner see it: validated, normalised
// (currencies and countries upper case, brands lower case), amounts in minor units. Rules are
// stored as JSON, where a bigint cannot go, so amounts travel there as digit strings.

export type RuleActionType = "FIXED" | "ORDERED" | "WEIGHTED";

export interface RuleGateway {
  gatewayAccountId: string;
  /** WEIGHTED only: a positive whole number; the share is weight / sum of weights. */
  weight?: number;
}

/** Matches only payments in `currency`; bounds are inclusive minor units. */
export interface AmountRange {
  currency: string;
  min?: bigint;
  max?: bigint;
}

/** Every condition given must hold; an absent condition matches everything. */
export interface RuleConditions {
  currencies?: string[];
  cardBrands?: string[];
  /** A card whose issuing country is unknown never matches a country condition. */
  cardCountries?: string[];
  amount?: AmountRange;
  /** Payment metadata values are strings (createPayment refuses others): compared exactly. */
  metadata?: { key: string; equals: string }[];
}

export interface RoutingRule {
  name: string;
  when: RuleConditions;
  action: { type: RuleActionType; gateways: RuleGateway[] };
}

/** A merchant's rules and the version of the set they came from (0: never set). */
export interface RoutingRuleSet {
  version: number;
  rules: RoutingRule[];
}

type StoredAmount = { currency: string; min?: string; max?: string };
type StoredRule = Omit<RoutingRule, "when"> & { when: Omit<RuleConditions, "amount"> & { amount?: StoredAmount } };

export function rulesToJson(rules: RoutingRule[]): StoredRule[] {
  return rules.map((rule) => {
    const { amount, ...when } = rule.when;
    if (!amount) return { ...rule, when };
    const stored: StoredAmount = { currency: amount.currency };
    if (amount.min !== undefined) stored.min = amount.min.toString();
    if (amount.max !== undefined) stored.max = amount.max.toString();
    return { ...rule, when: { ...when, amount: stored } };
  });
}

/** Trusts its input: only rulesToJson of validated rules is ever stored. */
export function rulesFromJson(json: unknown): RoutingRule[] {
  return (json as StoredRule[]).map((rule) => {
    const { amount, ...when } = rule.when;
    if (!amount) return { ...rule, when };
    const range: AmountRange = { currency: amount.currency };
    if (amount.min !== undefined) range.min = BigInt(amount.min);
    if (amount.max !== undefined) range.max = BigInt(amount.max);
    return { ...rule, when: { ...when, amount: range } };
  });
}
