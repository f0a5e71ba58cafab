// Checks a merchant's new rule list and turns it into RoutingRule[]: every refusal is a
// BAD_USER_INPUT naming the input field (`rules[2].action.gateways[0]`) in words a merchant
// understands. Pure: the merchant's gateway accounts are passed in.
//
// Disabled gateway accounts are accepted without a word: a merchant disables an account during an
// outage without rewriting rules, or writes rules before enabling one; the planner skips disabled
// accounts at run time and `routingRules` shows each account's `enabled`.
import { CARD_BRANDS } from "../../gateways/accounts/gateway-accounts.js";
import { isCountryCode } from "../../platform/countries.js";
import { badInput } from "../../platform/errors.js";
import { currencyExponent, Money } from "../../platform/money.js";
import type { RoutingRule, RuleActionType, RuleConditions, RuleGateway } from "./rule.js";
import { covers, matchableCurrencies } from "./rule-sets.js";

export const MAX_RULES = 100;
export const MAX_GATEWAYS_PER_RULE = 20;
export const MAX_WEIGHT = 10_000;

export interface RuleInput {
  name: string;
  when?: {
    currencies?: string[] | null;
    cardBrands?: string[] | null;
    cardCountries?: string[] | null;
    amount?: { currency: string; min?: string | null; max?: string | null } | null;
    metadata?: { key: string; equals: string }[] | null;
  } | null;
  action: { type: RuleActionType; gateways: { gatewayAccountId: string; weight?: number | null }[] };
}

/** What validation needs to know of a gateway account (empty currencies / brands: accepts all). */
export interface AccountFacts {
  id: string;
  name: string;
  currencies: string[];
  cardBrands: string[];
}

export function validateRules(input: RuleInput[], accounts: AccountFacts[]): RoutingRule[] {
  if (input.length > MAX_RULES) throw badInput(`At most ${MAX_RULES} routing rules (got ${input.length})`, "rules");
  const byId = new Map(accounts.map((a) => [a.id, a]));
  const rules: RoutingRule[] = [];
  const names = new Map<string, number>();
  input.forEach((raw, i) => {
    const at = `rules[${i}]`;
    const name = raw.name.trim();
    if (!name || name.length > 64) throw badInput("A rule name is 1 to 64 characters", `${at}.name`);
    const taken = names.get(name.toLowerCase());
    if (taken !== undefined) throw badInput(`Rule name "${name}" is used by rules[${taken}] already: names must be unique`, `${at}.name`);
    names.set(name.toLowerCase(), i);
    const when = conditions(raw.when ?? {}, `${at}.when`);
    const rule: RoutingRule = { name, when, action: action(raw.action, `${at}.action`, name, when, byId) };
    const shadow = rules.findIndex((earlier) => covers(earlier.when, when));
    if (shadow >= 0) {
      throw badInput(`Rule "${name}" can never match: rule "${rules[shadow]?.name}" (rules[${shadow}]) comes first and matches every payment it would`, at);
    }
    rules.push(rule);
  });
  return rules;
}

function codes(list: string[] | null | undefined, field: string, what: string, normalise: (c: string) => string, known: (c: string) => boolean, hint: string): string[] | undefined {
  if (list === null || list === undefined) return undefined;
  if (list.length === 0) throw badInput(`Give at least one ${what}, or leave the condition out to match every ${what}`, field);
  if (list.length > 300) throw badInput(`At most 300 ${what} codes in one condition`, field);
  const normalised = list.map(normalise);
  normalised.forEach((code, j) => {
    if (!known(code)) throw badInput(`Unknown ${what} '${list[j]}': ${hint}`, `${field}[${j}]`);
  });
  return [...new Set(normalised)];
}

function conditions(raw: NonNullable<RuleInput["when"]>, at: string): RuleConditions {
  const when: RuleConditions = {};
  const currencies = codes(raw.currencies, `${at}.currencies`, "currency", (c) => c.trim().toUpperCase(), (c) => currencyExponent(c) !== undefined, "use an ISO 4217 code such as EUR");
  const cardBrands = codes(raw.cardBrands, `${at}.cardBrands`, "card brand", (c) => c.trim().toLowerCase(), (c) => CARD_BRANDS.includes(c), `use one of ${CARD_BRANDS.join(", ")}`);
  const cardCountries = codes(raw.cardCountries, `${at}.cardCountries`, "country", (c) => c.trim().toUpperCase(), isCountryCode, "use an ISO 3166-1 alpha-2 code such as DE or GB");
  if (currencies) when.currencies = currencies;
  if (cardBrands) when.cardBrands = cardBrands;
  if (cardCountries) when.cardCountries = cardCountries;
  if (raw.amount) {
    when.amount = amountRange(raw.amount, `${at}.amount`);
    if (currencies && !currencies.includes(when.amount.currency)) {
      throw badInput(`The amount range is in ${when.amount.currency} but the rule matches only ${currencies.join(", ")}: it could never match`, `${at}.amount.currency`);
    }
  }
  if (raw.metadata) when.metadata = metadata(raw.metadata, `${at}.metadata`);
  return when;
}

function amountRange(raw: NonNullable<NonNullable<RuleInput["when"]>["amount"]>, at: string): NonNullable<RuleConditions["amount"]> {
  const currency = raw.currency.trim().toUpperCase();
  if (currencyExponent(currency) === undefined) throw badInput(`Unknown currency '${raw.currency}': use an ISO 4217 code such as EUR`, `${at}.currency`);
  const bound = (value: string | null | undefined, which: "min" | "max"): bigint | undefined => {
    if (value === null || value === undefined) return undefined;
    if (value.trim().startsWith("-")) throw badInput(`${which} must not be negative (got ${value})`, `${at}.${which}`);
    return Money.parse(value, currency, `${at}.${which}`).minor;
  };
  const min = bound(raw.min, "min");
  const max = bound(raw.max, "max");
  if (min === undefined && max === undefined) throw badInput("Give min, max or both (to match a currency alone, use currencies)", at);
  if (min !== undefined && max !== undefined && min > max) {
    throw badInput(`min ${Money.of(min, currency).format()} is above max ${Money.of(max, currency).format()} ${currency}: the rule could never match`, at);
  }
  return { currency, ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) };
}

function metadata(raw: { key: string; equals: string }[], at: string): { key: string; equals: string }[] {
  if (raw.length === 0) throw badInput("Give at least one metadata condition, or leave metadata out", at);
  const seen = new Set<string>();
  return raw.map(({ key, equals }, j) => {
    if (key.length === 0 || key.length > 40) throw badInput("A metadata key is 1 to 40 characters, as on payments", `${at}[${j}].key`);
    if (equals.length > 500) throw badInput("A metadata value is at most 500 characters, as on payments", `${at}[${j}].equals`);
    if (seen.has(key)) throw badInput(`Metadata key '${key}' is listed twice: one payment has one value for it`, `${at}[${j}].key`);
    seen.add(key);
    return { key, equals };
  });
}

function action(raw: RuleInput["action"], at: string, ruleName: string, when: RuleConditions, byId: Map<string, AccountFacts>): RoutingRule["action"] {
  const { type, gateways: list } = raw;
  if (list.length === 0) throw badInput("List at least one gateway account", `${at}.gateways`);
  if (list.length > MAX_GATEWAYS_PER_RULE) throw badInput(`At most ${MAX_GATEWAYS_PER_RULE} gateway accounts in one rule`, `${at}.gateways`);
  if (type === "FIXED" && list.length !== 1) {
    throw badInput(`A FIXED action names exactly one gateway account (got ${list.length}); use ORDERED for a list to try in turn`, `${at}.gateways`);
  }
  const seen = new Set<string>();
  const gateways = list.map((g, j): RuleGateway => {
    const field = `${at}.gateways[${j}]`;
    const account = byId.get(g.gatewayAccountId);
    // Another merchant's account gets the same answer as a made-up id: its existence is not told.
    if (!account) throw badInput(`No gateway account '${g.gatewayAccountId}': use an id from gatewayAccounts`, field);
    if (seen.has(account.id)) throw badInput(`Gateway account '${account.name}' is listed twice in this rule`, field);
    seen.add(account.id);
    incompatibility(account, ruleName, when, field);
    if (type !== "WEIGHTED") {
      if (g.weight !== null && g.weight !== undefined) throw badInput(`weight applies to WEIGHTED actions only, not ${type}`, `${field}.weight`);
      return { gatewayAccountId: account.id };
    }
    if (g.weight === null || g.weight === undefined || !Number.isInteger(g.weight) || g.weight <= 0 || g.weight > MAX_WEIGHT) {
      throw badInput(`A WEIGHTED action needs a weight from 1 to ${MAX_WEIGHT} for each gateway account (its share is weight / sum of weights)`, `${field}.weight`);
    }
    return { gatewayAccountId: account.id, weight: g.weight };
  });
  return { type, gateways };
}

/** Refuses an account that cannot take any payment the rule matches (e.g. rule on EUR, account USD only). */
function incompatibility(account: AccountFacts, ruleName: string, when: RuleConditions, field: string): void {
  const currencies = matchableCurrencies(when);
  if (account.currencies.length && currencies && !currencies.some((c) => account.currencies.includes(c))) {
    throw badInput(`Gateway account '${account.name}' accepts only ${account.currencies.join(", ")}, but rule "${ruleName}" matches only ${currencies.join(", ")} payments`, field);
  }
  if (account.cardBrands.length && when.cardBrands && !when.cardBrands.some((b) => account.cardBrands.includes(b))) {
    throw badInput(`Gateway account '${account.name}' accepts only ${account.cardBrands.join(", ")} cards, but rule "${ruleName}" matches only ${when.cardBrands.join(", ")}`, field);
  }
}
