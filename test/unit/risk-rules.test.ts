// The risk step's decision, pure: built-in rules, the documented order (test cards, allow list,
// block list, merchant rules by action, thresholds), shadow rules, per-merchant thresholds and
// large amounts, and the risk language's checks and refusals.
import { describe, expect, it } from "vitest";
import { decide, outcomeOf, type Listed } from "../../src/risk/decide.js";
import { largeAmountFor, type RiskFacts } from "../../src/risk/facts.js";
import { compileRule, RuleRefused } from "../../src/risk/language.js";
import { RISK_MODEL } from "../../src/risk/model/risk-model.js";
import { NO_SETTINGS, DEFAULT_THRESHOLDS, type LoadedRiskSettings, type RiskRule } from "../../src/risk/risk-settings.js";
import { builtInRules, levelOf } from "../../src/risk/rules.js";
import { checkShopper } from "../../src/risk/shopper.js";
import { ipForVelocity } from "../../src/risk/velocity.js";

const facts = (over: Partial<RiskFacts> = {}): RiskFacts => ({
  amountMinor: 2000n, currency: "USD", largeAmountMinor: largeAmountFor("USD"), card: { bin: "424242", last4: "4242", country: "US", brand: "visa" }, hasCustomer: true,
  shopper: { country: null, emailDomain: null }, velocity: { cardAttempts: 1, cardPayments: 3, cardAmountSum: 6000n }, retryAfterInsufficientFunds: false, testCards: true, ...over,
});

const settings = (rules: Partial<RiskRule>[], over: Partial<LoadedRiskSettings> = {}): LoadedRiskSettings => {
  const full = rules.map((r, i) => ({ name: `r${i}`, action: "BLOCK" as const, when: "true", mode: "ACTIVE" as const, message: null, ...r }));
  return { ...NO_SETTINGS, rules: full, compiled: full.map((r) => compileRule(r.when)), ...over };
};
const run = (f: Partial<RiskFacts>, s: LoadedRiskSettings = NO_SETTINGS, listed: Listed[] = []) => decide(facts(f), s, listed, RISK_MODEL);

describe("the risk step's decision", () => {
  it("maps scores to levels, and to outcomes by the merchant's thresholds (null: never by score)", () => {
    expect([0, 49, 50, 74, 75, 100].map(levelOf)).toEqual(["NORMAL", "NORMAL", "ELEVATED", "ELEVATED", "HIGHEST", "HIGHEST"]);
    expect([0, 49, 50, 69, 70, 84, 85, 100].map((s) => outcomeOf(s, DEFAULT_THRESHOLDS))).toEqual(["ALLOW", "ALLOW", "REQUEST_3DS", "REQUEST_3DS", "REVIEW", "REVIEW", "BLOCK", "BLOCK"]);
    const lenient = { requestThreeDSecure: null, review: 90, block: null };
    expect([60, 89, 90, 100].map((s) => outcomeOf(s, lenient))).toEqual(["ALLOW", "ALLOW", "REVIEW", "REVIEW"]);
  });

  it("scores an everyday payment low, by the model, with no reasons", () => {
    const r = run({});
    expect([r.outcome, r.decidedBy, r.modelVersion, r.reasons]).toEqual(["ALLOW", "score", RISK_MODEL.version, []]);
    expect(r.score).toBeLessThan(20);
  });

  it("adds the built-in rules' points; the score is the larger of theirs and the model's", () => {
    const r = run({ velocity: { cardAttempts: 7, cardPayments: 3, cardAmountSum: 6000n, cardsPerEmail: 5, cardsPerIp: 9 }, shopper: { country: "FR", emailDomain: null } });
    const rules = r.reasons.filter((x) => x.source.startsWith("rule:"));
    expect(rules.map((x) => x.code)).toEqual(["card_attempts", "cards_per_email", "cards_per_ip", "country_mismatch"]);
    expect(rules[1]!.message).toBe("5 cards tried with this email in 10 minutes");
    expect([r.score, r.outcome]).toEqual([100, "BLOCK"]);
    // The model says why in its own words too (the features that pushed it up most).
    expect(r.reasons.some((x) => x.source === "model:cards_per_ip" && x.message === "9 cards tried from this shopper's IP address in 10 minutes")).toBe(true);
  });

  it("counts a large amount in the currency's own units, from paygraph's table or the merchant's own threshold, exactly", () => {
    const large = (amountMinor: bigint, currency: string, own: { currency: string; amountMinor: bigint }[] = []) =>
      builtInRules(facts({ amountMinor, currency, largeAmountMinor: largeAmountFor(currency, own) })).map((x) => x.code);
    expect(large(750_000n, "JPY")).toEqual(["large_amount"]);
    expect(large(749_999n, "JPY")).toEqual([]);
    expect(large(1_500_000n, "KWD")).toEqual(["large_amount"]);
    expect(large(1_499_999n, "KWD")).toEqual([]);
    expect([large(4_999n, "XOF"), large(5_000n, "XOF")]).toEqual([[], ["large_amount"]]); // not in the table: 5,000 major units
    expect(large(25_000n, "USD", [{ currency: "USD", amountMinor: 25_000n }])).toEqual(["large_amount"]);
    expect(large(24_999n, "USD", [{ currency: "USD", amountMinor: 25_000n }])).toEqual([]);
  });

  it("leaves an honest retry after insufficient funds alone, in the rules and in the model", () => {
    const retry = run({ velocity: { cardAttempts: 9, cardPayments: 3, cardAmountSum: 6000n }, retryAfterInsufficientFunds: true });
    expect([retry.reasons, retry.outcome]).toEqual([[], "ALLOW"]);
    expect(retry.score).toBe(run({}).score);
    // No counts (Redis late): the velocity rules cannot fire.
    expect(run({ velocity: undefined }).reasons).toEqual([]);
  });

  it("lets sandbox test cards decide alone, only where test cards count", () => {
    const blocked = { card: { bin: "410000", last4: "0019", country: "US", brand: "visa" } };
    expect(run(blocked, settings([{ action: "ALLOW" }]), [{ list: "ALLOW", subject: "CARD", label: "visa •••• 0019" }])).toMatchObject({ outcome: "BLOCK", decidedBy: "test_card", modelVersion: null });
    expect(run({ ...blocked, testCards: false }).outcome).toBe("ALLOW");
  });

  it("goes in the documented order: allow list, block list, merchant rules by action, then thresholds", () => {
    const listed = (list: "ALLOW" | "BLOCK"): Listed => ({ list, subject: "EMAIL", label: "j•••@shop.example" });
    const everything = settings([{ action: "REQUEST_3DS", name: "three" }, { action: "REVIEW", name: "review" }, { action: "BLOCK", name: "block" }, { action: "ALLOW", name: "allow" }]);
    const allowed = run({}, everything, [listed("BLOCK"), listed("ALLOW")]);
    expect([allowed.outcome, allowed.decidedBy, allowed.reasons[0]?.message]).toEqual(["ALLOW", "allow_list", "The email is on the merchant's allow list (j•••@shop.example)"]);
    expect(run({}, everything, [listed("BLOCK")])).toMatchObject({ outcome: "BLOCK", decidedBy: "block_list" });
    expect(run({}, everything)).toMatchObject({ outcome: "ALLOW", decidedBy: "merchant_rule:allow" });
    expect(run({}, settings([{ action: "REQUEST_3DS", name: "three" }, { action: "REVIEW", name: "review" }]))).toMatchObject({ outcome: "REVIEW", decidedBy: "merchant_rule:review" });
    // An allow rule lets even a high score through; with no rule matching, the thresholds decide.
    const hot = { velocity: { cardAttempts: 7, cardPayments: 0, cardAmountSum: 0n, cardsPerIp: 9 } };
    expect(run(hot, settings([{ action: "ALLOW", when: "has_customer" }]))).toMatchObject({ outcome: "ALLOW", score: 100 });
    expect(run(hot, settings([{ action: "ALLOW", when: "!has_customer" }]))).toMatchObject({ outcome: "BLOCK", decidedBy: "score" });
    expect(run(hot, settings([], { thresholds: { requestThreeDSecure: null, review: 90, block: null } }))).toMatchObject({ outcome: "REVIEW", decidedBy: "score" });
  });

  it("evaluates a merchant's rule on the payment's facts, with its own message", () => {
    const rule = { name: "big_foreign", action: "REVIEW" as const, when: 'card_country != shopper_country && shopper_country != "" && amount >= 10000', message: "Large foreign order" };
    const s = settings([rule]);
    const held = run({ amountMinor: 10_000n, shopper: { country: "FR", emailDomain: null } }, s);
    expect([held.outcome, held.reasons[0]]).toEqual(["REVIEW", { code: "merchant_rule", message: "Large foreign order", source: "merchant_rule:big_foreign", points: 0 }]);
    expect(run({ amountMinor: 9_999n, shopper: { country: "FR", emailDomain: null } }, s).decidedBy).toBe("score");
    expect(run({ amountMinor: 10_000n }, s).decidedBy).toBe("score");
    const byScore = settings([{ action: "BLOCK", when: 'risk_level == "HIGHEST" && currency == "USD"' }]);
    expect(run({ velocity: { cardAttempts: 1, cardPayments: 0, cardAmountSum: 0n, cardsPerIp: 12 } }, byScore).decidedBy).toBe("merchant_rule:r0");
  });

  it("records shadow rules that match without acting on them", () => {
    const s = settings([{ name: "watch", action: "BLOCK", when: "amount > 1000", mode: "SHADOW" }, { name: "quiet", action: "REVIEW", when: "amount > 5000", mode: "SHADOW" }]);
    expect(run({}, s)).toMatchObject({ outcome: "ALLOW", decidedBy: "score", shadowMatches: [{ rule: "watch", action: "BLOCK" }] });
  });
});

describe("the risk language", () => {
  it("accepts conditions on the documented variables", () => {
    for (const ok of [
      'card_country != shopper_country && amount >= 50000',
      'cards_per_email_10m >= 3 || (card_attempts_10m > 5 && !is_retry_after_insufficient_funds)',
      'currency in ["EUR", "GBP"] && amount_vs_usual > 4.0',
      'shopper_email_domain.endsWith(".example") && size(card_bin) == 6',
      "risk_score >= 40 && has_customer",
    ]) expect(() => compileRule(ok)).not.toThrow();
  });

  it("refuses, with a reason, anything that is not a small true-or-false condition on its variables", () => {
    const refused = (when: string) => {
      try { compileRule(when); } catch (err) { expect(err).toBeInstanceOf(RuleRefused); return (err as Error).message; }
      throw new Error(`accepted: ${when}`);
    };
    expect(refused("amount >")).toMatch(/Unexpected/);
    expect(refused("balance > 10")).toMatch(/Unknown variable: balance/);
    expect(refused('amount > "10"')).toMatch(/no such overload/);
    expect(refused("amount + 1")).toMatch(/must be true or false, not int/);
    // Regular expressions (could backtrack for seconds), macros, and anything not declared.
    expect(refused('shopper_email_domain.matches("(a+)+$")')).toMatch(/'matches' may not be used/);
    expect(refused("[1, 2, 3].all(x, x > amount)")).toMatch(/'all' may not be used/);
    expect(refused('process.exit(1) == null')).toMatch(/Unknown variable|may not be used/);
    expect(refused('constructor.constructor("return process")() == 1')).toMatch(/Unexpected|Unknown variable|may not be used/);
    expect(refused(`amount > 1 ${"&& amount > 1 ".repeat(60)}`)).toMatch(/at most 500 characters/);
    expect(refused(`${"(".repeat(40)}true${")".repeat(40)}`)).toMatch(/depth|nesting|Maximum/i);
  });

  it("does not match a rule that errs at run time", () => {
    const s = settings([{ action: "BLOCK", when: "amount / (amount - 2000) > 0" }]);
    expect(run({}, s).decidedBy).toBe("score");
  });
});

describe("the shopper's signals", () => {
  it("count an IPv4-mapped address as IPv4, and an IPv6 address by its /64", () => {
    expect(ipForVelocity("::ffff:203.0.113.7")).toBe("203.0.113.7");
    expect(ipForVelocity("2001:db8:1:2:aaaa::1")).toBe(ipForVelocity("2001:db8:1:2:bbbb::9"));
    expect(ipForVelocity("2001:db8:1:3::1")).not.toBe(ipForVelocity("2001:db8:1:2::1"));
  });

  it("are checked", () => {
    expect(checkShopper({ ip: " 203.0.113.7 ", email: "A@Shop.Example", country: "fr" })).toEqual({ ip: "203.0.113.7", email: "a@shop.example", country: "FR" });
    expect(checkShopper({})).toBeNull();
    for (const bad of [{ ip: "300.1.1.1" }, { email: "a@b" }, { country: "ZZ" }]) expect(() => checkShopper(bad)).toThrow();
  });
});
