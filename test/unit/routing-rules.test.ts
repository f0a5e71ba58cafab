// Routing rules: the pure matcher (each condition, first match wins, the weighted split and its
// determinism), the rules' validation (every refusal names its field), and card country from the BIN.
import { describe, expect, it } from "vitest";
import { AppError } from "../../src/platform/errors.js";
import { COUNTRY_CODES } from "../../src/platform/countries.js";
import { INTERNATIONAL_TEST_CARDS, TEST_CARDS, luhnValid } from "../../src/gateways/sandbox/cards.js";
import { binCountry } from "../../src/vault/bin-country.js";
import { validateCard } from "../../src/vault/card.js";
import { describeMatch, matchRule, type PaymentFacts } from "../../src/routing/rules/match.js";
import { rulesFromJson, rulesToJson, type RoutingRule } from "../../src/routing/rules/rule.js";
import { MAX_RULES, validateRules, type AccountFacts, type RuleInput } from "../../src/routing/rules/validate.js";

const facts = (over: Partial<PaymentFacts> = {}): PaymentFacts => ({
  paymentId: "pay_1", currency: "EUR", amount: 10_00n, cardBrand: "visa", cardCountry: "DE", metadata: {}, ...over,
});
const fixed = (name: string, when: RoutingRule["when"], gatewayAccountId = `gwa_${name}`): RoutingRule => ({
  name, when, action: { type: "FIXED", gateways: [{ gatewayAccountId }] },
});
const matched = (rules: RoutingRule[], over: Partial<PaymentFacts> = {}): string | undefined => matchRule(rules, facts(over))?.rule.name;

describe("matchRule: conditions", () => {
  it("matches on currency", () => {
    const rules = [fixed("eu", { currencies: ["EUR", "CHF"] })];
    expect(matched(rules)).toBe("eu");
    expect(matched(rules, { currency: "USD" })).toBeUndefined();
  });

  it("matches on card brand", () => {
    const rules = [fixed("mc", { cardBrands: ["mastercard"] })];
    expect(matched(rules, { cardBrand: "mastercard" })).toBe("mc");
    expect(matched(rules)).toBeUndefined();
  });

  it("matches on card country, and never when the country is unknown", () => {
    const rules = [fixed("de", { cardCountries: ["DE", "AT"] })];
    expect(matched(rules)).toBe("de");
    expect(matched(rules, { cardCountry: "FR" })).toBeUndefined();
    expect(matched(rules, { cardCountry: null })).toBeUndefined();
  });

  it("matches an amount range with inclusive bounds, only in its currency", () => {
    const rules = [fixed("mid", { amount: { currency: "EUR", min: 10_00n, max: 100_00n } })];
    expect(matched(rules, { amount: 10_00n })).toBe("mid");
    expect(matched(rules, { amount: 100_00n })).toBe("mid");
    expect(matched(rules, { amount: 9_99n })).toBeUndefined();
    expect(matched(rules, { amount: 100_01n })).toBeUndefined();
    expect(matched(rules, { currency: "USD", amount: 50_00n })).toBeUndefined();
    expect(matched([fixed("big", { amount: { currency: "EUR", min: 1000_00n } })], { amount: 5000_00n })).toBe("big");
    expect(matched([fixed("small", { amount: { currency: "EUR", max: 5_00n } })], { amount: 5_00n })).toBe("small");
  });

  it("matches metadata values exactly, every listed key", () => {
    const rules = [fixed("vip", { metadata: [{ key: "tier", equals: "vip" }, { key: "shop", equals: "eu" }] })];
    expect(matched(rules, { metadata: { tier: "vip", shop: "eu", other: "x" } })).toBe("vip");
    expect(matched(rules, { metadata: { tier: "vip" } })).toBeUndefined();
    expect(matched(rules, { metadata: { tier: "VIP", shop: "eu" } })).toBeUndefined();
  });

  it("needs every given condition to hold; no condition matches every payment", () => {
    const rules = [fixed("both", { currencies: ["EUR"], cardCountries: ["FR"] })];
    expect(matched(rules)).toBeUndefined();
    expect(matched(rules, { cardCountry: "FR" })).toBe("both");
    expect(matched([fixed("all", {})], { currency: "JPY", cardCountry: null })).toBe("all");
  });

  it("lets the first matching rule win, and matches nothing in an empty list", () => {
    const rules = [fixed("usd", { currencies: ["USD"] }), fixed("de", { cardCountries: ["DE"] }), fixed("all", {})];
    expect(matched(rules)).toBe("de");
    expect(matched(rules, { currency: "USD" })).toBe("usd");
    expect(matched(rules, { cardCountry: "FR" })).toBe("all");
    expect(matchRule([], facts())).toBeUndefined();
  });
});

describe("matchRule: gateway order", () => {
  const weighted: RoutingRule = {
    name: "split", when: {},
    action: { type: "WEIGHTED", gateways: [{ gatewayAccountId: "gwa_a", weight: 20 }, { gatewayAccountId: "gwa_b", weight: 70 }, { gatewayAccountId: "gwa_c", weight: 10 }] },
  };

  it("gives FIXED's one gateway and ORDERED's as listed", () => {
    expect(matchRule([fixed("f", {}, "gwa_x")], facts())?.gatewayAccountIds).toEqual(["gwa_x"]);
    const ordered: RoutingRule = { name: "o", when: {}, action: { type: "ORDERED", gateways: [{ gatewayAccountId: "gwa_b" }, { gatewayAccountId: "gwa_a" }] } };
    expect(matchRule([ordered], facts())?.gatewayAccountIds).toEqual(["gwa_b", "gwa_a"]);
  });

  it("splits 10,000 payments within 3 points of the weights, the others following heaviest first", () => {
    const firsts = new Map<string, number>();
    for (let i = 0; i < 10_000; i++) {
      const ids = matchRule([weighted], facts({ paymentId: `pay_synthetic${i}` }))?.gatewayAccountIds ?? [];
      firsts.set(ids[0] ?? "", (firsts.get(ids[0] ?? "") ?? 0) + 1);
      const rest = ids.slice(1);
      const expected = ["gwa_b", "gwa_a", "gwa_c"].filter((id) => id !== ids[0]);
      expect(rest).toEqual(expected);
    }
    expect(Math.abs((firsts.get("gwa_a") ?? 0) / 10_000 - 0.2)).toBeLessThanOrEqual(0.03);
    expect(Math.abs((firsts.get("gwa_b") ?? 0) / 10_000 - 0.7)).toBeLessThanOrEqual(0.03);
    expect(Math.abs((firsts.get("gwa_c") ?? 0) / 10_000 - 0.1)).toBeLessThanOrEqual(0.03);
  });

  it("picks the same gateway for the same payment every time", () => {
    for (let i = 0; i < 50; i++) {
      const f = facts({ paymentId: `pay_again${i}` });
      expect(matchRule([weighted], f)?.gatewayAccountIds).toEqual(matchRule([weighted], f)?.gatewayAccountIds);
    }
  });

  it("says why in a short phrase, with account names when known", () => {
    const names = new Map([["gwa_a", "acq-a"], ["gwa_b", "acq-b"], ["gwa_c", "acq-c"]]);
    const m = matchRule([weighted], facts({ paymentId: "pay_phrase" }));
    expect(m && describeMatch(m, names)).toMatch(/^Rule "split": weighted 20\/70\/10 → chose acq-[abc]$/);
    expect(describeMatch({ rule: fixed("eu", {}), gatewayAccountIds: ["gwa_eu"] })).toBe('Rule "eu": fixed → gwa_eu');
    const ordered: RoutingRule = { name: "o", when: {}, action: { type: "ORDERED", gateways: [{ gatewayAccountId: "gwa_a" }, { gatewayAccountId: "gwa_b" }] } };
    expect(describeMatch({ rule: ordered, gatewayAccountIds: ["gwa_a", "gwa_b"] }, names)).toBe('Rule "o": ordered → acq-a, then acq-b');
  });
});

const accounts: AccountFacts[] = [
  { id: "gwa_any", name: "any", currencies: [], cardBrands: [] },
  { id: "gwa_usd", name: "usd-only", currencies: ["USD"], cardBrands: [] },
  { id: "gwa_visa", name: "visa-only", currencies: [], cardBrands: ["visa"] },
];
const rule = (over: Partial<RuleInput> = {}): RuleInput => ({ name: "r", action: { type: "FIXED", gateways: [{ gatewayAccountId: "gwa_any" }] }, ...over });
function refusal(input: RuleInput[]): { field: unknown; message: string } {
  try {
    validateRules(input, accounts);
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe("BAD_USER_INPUT");
    return { field: (err as AppError).details.field, message: (err as AppError).message };
  }
  throw new Error("validation passed");
}

describe("validateRules", () => {
  it("normalises codes, parses amounts exactly and keeps the order", () => {
    const rules = validateRules([
      rule({ name: " EU cards ", when: { currencies: ["eur", "EUR"], cardBrands: ["Visa"], cardCountries: ["de"], amount: { currency: "eur", min: "10.5", max: "100" } } }),
      rule({ name: "split", action: { type: "WEIGHTED", gateways: [{ gatewayAccountId: "gwa_any", weight: 7 }, { gatewayAccountId: "gwa_visa", weight: 3 }] } }),
    ], accounts);
    expect(rules[0]).toEqual({
      name: "EU cards",
      when: { currencies: ["EUR"], cardBrands: ["visa"], cardCountries: ["DE"], amount: { currency: "EUR", min: 10_50n, max: 100_00n } },
      action: { type: "FIXED", gateways: [{ gatewayAccountId: "gwa_any" }] },
    });
    expect(rules[1]?.action.gateways.map((g) => g.weight)).toEqual([7, 3]);
    expect(rulesFromJson(JSON.parse(JSON.stringify(rulesToJson(rules))))).toEqual(rules);
    expect(validateRules([], accounts)).toEqual([]);
  });

  const gw = (gatewayAccountId: string, weight?: number) => ({ gatewayAccountId, ...(weight === undefined ? {} : { weight }) });
  it.each<[string, RuleInput[], string]>([
    ["too many rules", Array.from({ length: MAX_RULES + 1 }, (_, i) => rule({ name: `r${i}`, when: { metadata: [{ key: "k", equals: String(i) }] } })), "rules"],
    ["an empty name", [rule({ name: " " })], "rules[0].name"],
    ["a duplicate name", [rule({ name: "a", when: { currencies: ["USD"] } }), rule({ name: "A" })], "rules[1].name"],
    ["an unknown currency", [rule({ when: { currencies: ["EUR", "ABC"] } })], "rules[0].when.currencies[1]"],
    ["an empty currency list", [rule({ when: { currencies: [] } })], "rules[0].when.currencies"],
    ["an unknown brand", [rule({ when: { cardBrands: ["visa-gold"] } })], "rules[0].when.cardBrands[0]"],
    ["an unknown country", [rule({ when: { cardCountries: ["UK"] } })], "rules[0].when.cardCountries[0]"],
    ["an unknown amount currency", [rule({ when: { amount: { currency: "XYZ", min: "1" } } })], "rules[0].when.amount.currency"],
    ["a negative min", [rule({ when: { amount: { currency: "USD", min: "-1.00" } } })], "rules[0].when.amount.min"],
    ["too many decimals", [rule({ when: { amount: { currency: "JPY", max: "10.5" } } })], "rules[0].when.amount.max"],
    ["min above max", [rule({ when: { amount: { currency: "USD", min: "10.00", max: "9.99" } } })], "rules[0].when.amount"],
    ["a range with no bound", [rule({ when: { amount: { currency: "USD" } } })], "rules[0].when.amount"],
    ["an amount outside its currencies", [rule({ when: { currencies: ["EUR"], amount: { currency: "GBP", max: "5" } } })], "rules[0].when.amount.currency"],
    ["a metadata key twice", [rule({ when: { metadata: [{ key: "a", equals: "1" }, { key: "a", equals: "2" }] } })], "rules[0].when.metadata[1].key"],
    ["an empty metadata key", [rule({ when: { metadata: [{ key: "", equals: "1" }] } })], "rules[0].when.metadata[0].key"],
    ["no gateways", [rule({ action: { type: "ORDERED", gateways: [] } })], "rules[0].action.gateways"],
    ["FIXED with two", [rule({ action: { type: "FIXED", gateways: [gw("gwa_any"), gw("gwa_visa")] } })], "rules[0].action.gateways"],
    ["an unknown gateway account", [rule({ action: { type: "ORDERED", gateways: [gw("gwa_any"), gw("gwa_nope")] } })], "rules[0].action.gateways[1]"],
    ["a duplicate gateway", [rule({ action: { type: "ORDERED", gateways: [gw("gwa_any"), gw("gwa_any")] } })], "rules[0].action.gateways[1]"],
    ["ORDERED with a weight", [rule({ action: { type: "ORDERED", gateways: [gw("gwa_any", 5)] } })], "rules[0].action.gateways[0].weight"],
    ["FIXED with a weight", [rule({ action: { type: "FIXED", gateways: [gw("gwa_any", 1)] } })], "rules[0].action.gateways[0].weight"],
    ["WEIGHTED without a weight", [rule({ action: { type: "WEIGHTED", gateways: [gw("gwa_any", 1), gw("gwa_visa")] } })], "rules[0].action.gateways[1].weight"],
    ["WEIGHTED with weight 0", [rule({ action: { type: "WEIGHTED", gateways: [gw("gwa_any", 0)] } })], "rules[0].action.gateways[0].weight"],
    ["WEIGHTED with a negative weight", [rule({ action: { type: "WEIGHTED", gateways: [gw("gwa_any", -3)] } })], "rules[0].action.gateways[0].weight"],
    ["an account refusing the rule's currency", [rule({ when: { currencies: ["EUR"] }, action: { type: "FIXED", gateways: [gw("gwa_usd")] } })], "rules[0].action.gateways[0]"],
    ["an account refusing the range's currency", [rule({ when: { amount: { currency: "EUR", min: "1" } }, action: { type: "FIXED", gateways: [gw("gwa_usd")] } })], "rules[0].action.gateways[0]"],
    ["an account refusing the rule's brands", [rule({ when: { cardBrands: ["mastercard"] }, action: { type: "FIXED", gateways: [gw("gwa_visa")] } })], "rules[0].action.gateways[0]"],
    ["a rule behind a catch-all", [rule({ name: "all" }), rule({ name: "eu", when: { currencies: ["EUR"] } })], "rules[1]"],
    ["a rule behind a wider one", [
      rule({ name: "eu", when: { currencies: ["EUR", "GBP"], cardCountries: ["DE", "FR"] } }),
      rule({ name: "tagged", when: { metadata: [{ key: "a", equals: "b" }] } }),
      rule({ name: "gb-de", when: { cardCountries: ["DE"], amount: { currency: "GBP", min: "5" }, metadata: [{ key: "c", equals: "d" }] } }),
    ], "rules[2]"],
  ])("refuses %s, naming the field", (_what, input, field) => {
    expect(refusal(input).field).toBe(field);
  });

  it("says what is wrong in the merchant's terms", () => {
    expect(refusal([rule({ when: { currencies: ["EUR"] }, action: { type: "FIXED", gateways: [gw("gwa_usd")] } })]).message)
      .toBe(`Gateway account 'usd-only' accepts only USD, but rule "r" matches only EUR payments`);
    expect(refusal([rule({ name: "all" }), rule({ name: "eu", when: { currencies: ["EUR"] } })]).message)
      .toBe(`Rule "eu" can never match: rule "all" (rules[0]) comes first and matches every payment it would`);
  });

  it("accepts rules that only overlap, and accounts that accept part of what a rule matches", () => {
    expect(() => validateRules([
      rule({ name: "eu", when: { currencies: ["EUR"] } }),
      rule({ name: "eu-or-usd", when: { currencies: ["EUR", "USD"] }, action: { type: "ORDERED", gateways: [gw("gwa_usd"), gw("gwa_any")] } }),
      rule({ name: "de-big", when: { cardCountries: ["DE"], amount: { currency: "JPY", min: "100000" } } }),
      rule({ name: "rest" }),
    ], accounts)).not.toThrow();
  });
});

describe("card country from the BIN", () => {
  it("knows the sandbox's cards: the behaviour cards are US cards (the SCA one German), the international ones their own country", () => {
    for (const [name, number] of Object.entries(TEST_CARDS)) expect(binCountry(number), name).toBe(name === "authenticationRequired" ? "DE" : "US");
    for (const [country, number] of Object.entries(INTERNATIONAL_TEST_CARDS)) {
      expect(binCountry(number)).toBe(country.slice(0, 2));
      expect(luhnValid(number)).toBe(true);
      expect(COUNTRY_CODES.has(country.slice(0, 2))).toBe(true);
    }
  });

  it("answers null for a prefix it does not know, never a guess", () => {
    expect(binCountry("4111111111111111")).toBeNull();
    expect(binCountry("4000009990000000")).toBeNull();
  });

  it("is recorded with the first six digits when a card is validated", () => {
    const card = validateCard({ number: INTERNATIONAL_TEST_CARDS.GB_MASTERCARD, expMonth: 12, expYear: 2099, cvc: "123" });
    expect(card).toMatchObject({ brand: "mastercard", bin: "555555", last4: "4449", country: "GB" });
  });
});
