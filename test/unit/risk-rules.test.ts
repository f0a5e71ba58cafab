import { describe, expect, it } from "vitest";
import { evaluateRules, levelOf, outcomeOf, type RiskFacts } from "../../src/risk/rules.js";
import { ipForVelocity } from "../../src/risk/velocity.js";
import { checkShopper } from "../../src/risk/shopper.js";

const facts = (over: Partial<RiskFacts> = {}): RiskFacts => ({
  amountMinor: 2000n, currency: "USD", minorPerMajor: 100n, card: { bin: "424242", last4: "4242", country: "US" }, shopperCountry: null,
  velocity: { cardAttempts: 1 }, retryAfterInsufficientFunds: false, testCards: true, ...over,
});

describe("risk rules", () => {
  it("map scores to levels and outcomes at the documented thresholds", () => {
    expect([0, 49, 50, 74, 75, 100].map(levelOf)).toEqual(["NORMAL", "NORMAL", "ELEVATED", "ELEVATED", "HIGHEST", "HIGHEST"]);
    expect([0, 49, 50, 69, 70, 84, 85, 100].map(outcomeOf)).toEqual(["ALLOW", "ALLOW", "REQUEST_3DS", "REQUEST_3DS", "REVIEW", "REVIEW", "BLOCK", "BLOCK"]);
  });

  it("add up to a capped score, with a reason per rule that fired", () => {
    expect(evaluateRules(facts())).toEqual({ score: 0, level: "NORMAL", outcome: "ALLOW", reasons: [], modelVersion: null });
    const r = evaluateRules(facts({ velocity: { cardAttempts: 7, cardsPerEmail: 5, cardsPerIp: 9 }, shopperCountry: "FR" }));
    expect(r.reasons.map((x) => x.code)).toEqual(["card_attempts", "cards_per_email", "cards_per_ip", "country_mismatch"]);
    expect([r.score, r.outcome]).toEqual([100, "BLOCK"]);
    expect(r.reasons[1]!.message).toBe("5 cards tried with this email in 10 minutes");
  });

  it("count a large amount in the currency's own units (0 and 3 decimals), exactly", () => {
    const large = (amountMinor: bigint, currency: string, minorPerMajor: bigint) => evaluateRules(facts({ amountMinor, currency, minorPerMajor })).reasons.map((x) => x.code);
    expect(large(5_000n, "JPY", 1n)).toEqual(["large_amount"]);
    expect(large(4_999n, "JPY", 1n)).toEqual([]);
    expect(large(5_000_000n, "KWD", 1000n)).toEqual(["large_amount"]);
    expect(large(4_999_999n, "KWD", 1000n)).toEqual([]);
  });

  it("leave a retry after insufficient funds alone, and act on the sandbox cards only where test cards count", () => {
    expect(evaluateRules(facts({ velocity: { cardAttempts: 9 }, retryAfterInsufficientFunds: true })).reasons).toEqual([]);
    const blocked = { card: { bin: "410000", last4: "0019", country: "US" } };
    expect(evaluateRules(facts(blocked)).outcome).toBe("BLOCK");
    expect(evaluateRules(facts({ ...blocked, testCards: false })).outcome).toBe("ALLOW");
    // No counts (Redis late): the velocity rules cannot fire.
    expect(evaluateRules(facts({ velocity: undefined })).reasons).toEqual([]);
  });

  it("count an IPv4-mapped address as IPv4, and an IPv6 address by its /64", () => {
    expect(ipForVelocity("::ffff:203.0.113.7")).toBe("203.0.113.7");
    expect(ipForVelocity("2001:db8:1:2:aaaa::1")).toBe(ipForVelocity("2001:db8:1:2:bbbb::9"));
    expect(ipForVelocity("2001:db8:1:3::1")).not.toBe(ipForVelocity("2001:db8:1:2::1"));
  });

  it("check the shopper's signals", () => {
    expect(checkShopper({ ip: " 203.0.113.7 ", email: "A@Shop.Example", country: "fr" })).toEqual({ ip: "203.0.113.7", email: "a@shop.example", country: "FR" });
    expect(checkShopper({})).toBeNull();
    for (const bad of [{ ip: "300.1.1.1" }, { email: "a@b" }, { country: "ZZ" }]) expect(() => checkShopper(bad)).toThrow();
  });
});
