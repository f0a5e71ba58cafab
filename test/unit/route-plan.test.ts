import { describe, expect, it } from "vitest";
import { planRoute, type GatewayStat, type PlanInput, type RoutableAccount } from "../../src/routing/route-plan.js";

const account = (over: Partial<RoutableAccount>): RoutableAccount => ({
  id: "gwa_1", name: "a", currencies: [], cardBrands: [], priority: 100, enabled: true, createdAt: new Date("2026-01-01"), costBps: 0, ...over,
});
const stat = (approved: number, calls: number, circuit: GatewayStat["circuit"] = "CLOSED"): GatewayStat => ({ approved, calls, circuit });
const plan = (over: Partial<PlanInput>) =>
  planRoute({ accounts: [], currency: "USD", brand: "visa", tried: [], stats: new Map(), exploration: 0, ...over });

const A = account({ id: "gwa_a", name: "A", priority: 1 });
const B = account({ id: "gwa_b", name: "B", priority: 2 });
const C = account({ id: "gwa_c", name: "C", priority: 3 });

describe("planRoute", () => {
  it("keeps only enabled accounts accepting the currency and brand, not yet tried", () => {
    const accounts = [
      account({ id: "gwa_eur", name: "eur-only", currencies: ["EUR"], priority: 0 }),
      account({ id: "gwa_off", name: "off", priority: 0, enabled: false }),
      account({ id: "gwa_mc", name: "mc", priority: 0, cardBrands: ["mastercard"] }),
      B, A,
    ];
    expect(plan({ accounts })?.gatewayAccountId).toBe("gwa_a");
    expect(plan({ accounts, tried: ["gwa_a"] })).toMatchObject({ gatewayAccountId: "gwa_b", reason: expect.stringContaining("not yet tried") });
    expect(plan({ accounts, tried: ["gwa_a", "gwa_b"] })).toBeUndefined();
    expect(plan({ accounts, currency: "EUR" })?.gatewayAccountId).toBe("gwa_eur");
  });

  it("ranks by success rate for the segment, and says so", () => {
    const stats = new Map([["gwa_a", stat(60, 100)], ["gwa_b", stat(95, 100)]]);
    const choice = plan({ accounts: [A, B], stats });
    expect(choice?.gatewayAccountId).toBe("gwa_b");
    expect(choice?.reason).toBe("Ranked 1st of 2 for USD visa: best success rate (95.0% of 100; next A 60.0% of 100)");
  });

  it("treats rates within a 2-point band as a tie, broken by cost, then priority", () => {
    const stats = new Map([["gwa_a", stat(90, 100)], ["gwa_b", stat(91, 100)]]);
    const cheapA = { ...A, costBps: 250 };
    const dearB = { ...B, costBps: 290 };
    expect(plan({ accounts: [dearB, cheapA], stats })).toMatchObject({ gatewayAccountId: "gwa_a", reason: expect.stringContaining("cheapest at a tied success rate (250 vs 290 bps)") });
    expect(plan({ accounts: [B, A], stats })).toMatchObject({ gatewayAccountId: "gwa_a", reason: expect.stringContaining("priority 1") });
  });

  it("gives a gateway with too few recent calls the benefit of the doubt, never one proven to fail", () => {
    // B is proven at 100 %, A has no data: a tie, so priority gives A its chance to prove itself.
    expect(plan({ accounts: [A, B], stats: new Map([["gwa_b", stat(20, 20)]]) })?.gatewayAccountId).toBe("gwa_a");
    expect(plan({ accounts: [A, B], stats: new Map([["gwa_a", stat(0, 9)], ["gwa_b", stat(20, 20)]]) })?.gatewayAccountId).toBe("gwa_a");
    expect(plan({ accounts: [B, A], stats: new Map([["gwa_a", stat(0, 12)], ["gwa_b", stat(1, 3)]]) })?.reason).toContain("best success rate (33.3% of 3, too few to judge; next A 0.0% of 12)");
    expect(plan({ accounts: [A, B], stats: new Map([["gwa_a", stat(0, 10)]]) })?.gatewayAccountId).toBe("gwa_b");
    expect(plan({ accounts: [A, B], stats: new Map([["gwa_a", stat(5, 10)], ["gwa_b", stat(9, 10)]]) })?.gatewayAccountId).toBe("gwa_b");
    // A degraded gateway (70 %) does not keep the traffic just because the other is unmeasured.
    expect(plan({ accounts: [A, B], stats: new Map([["gwa_a", stat(70, 100)]]) })?.gatewayAccountId).toBe("gwa_b");
  });

  it("skips a gateway whose circuit is open, and tries anyway when every circuit is", () => {
    const open = new Map([["gwa_a", stat(100, 100, "OPEN")]]);
    expect(plan({ accounts: [A, B], stats: open })).toMatchObject({ gatewayAccountId: "gwa_b", reason: expect.stringContaining("skipped A: circuit open") });
    const allOpen = new Map([["gwa_a", stat(0, 0, "OPEN")], ["gwa_b", stat(0, 0, "OPEN")]]);
    expect(plan({ accounts: [A, B], stats: allOpen })).toMatchObject({ gatewayAccountId: "gwa_a", reason: expect.stringContaining("every circuit is open") });
    // Half-open lets a probe through: it stays a candidate.
    expect(plan({ accounts: [A, B], stats: new Map([["gwa_a", stat(0, 0, "HALF_OPEN")]]) })?.gatewayAccountId).toBe("gwa_a");
  });

  it("follows a matched rule's order over the ranking, skipping what it cannot use", () => {
    const stats = new Map([["gwa_c", stat(100, 100)]]);
    const rule = { gatewayAccountIds: ["gwa_b", "gwa_a"], reason: 'Rule "eu": ordered → B, then A' };
    expect(plan({ accounts: [A, B, C], stats, rule })).toMatchObject({ gatewayAccountId: "gwa_b", reason: 'Rule "eu": ordered → B, then A' });
    expect(plan({ accounts: [A, B, C], stats, rule, tried: ["gwa_b"] })).toMatchObject({ gatewayAccountId: "gwa_a", reason: expect.stringContaining("A is the rule's next usable gateway") });
    // Its gateways' circuits are judged among themselves: all open, the rule's first is tried anyway.
    const ruleOpen = new Map([["gwa_b", stat(0, 0, "OPEN")], ["gwa_a", stat(0, 0, "OPEN")]]);
    expect(plan({ accounts: [A, B, C], stats: ruleOpen, rule })).toMatchObject({ gatewayAccountId: "gwa_b", allCircuitsOpen: true, reason: expect.stringContaining("every circuit is open") });
    expect(plan({ accounts: [A, B, C], stats: new Map([["gwa_b", stat(0, 0, "OPEN")]]), rule })).toMatchObject({ gatewayAccountId: "gwa_a", reason: expect.stringContaining("skipped B: circuit open") });
    // A rule never falls through to gateways it did not name.
    expect(plan({ accounts: [A, B, C], stats, rule, tried: ["gwa_b", "gwa_a"] })).toBeUndefined();
  });

  it("explores a bounded share of first attempts, never on failover", () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const stats = new Map([["gwa_a", stat(99, 100)], ["gwa_b", stat(50, 100)], ["gwa_c", stat(50, 100)]]);
    const picks = { gwa_a: 0, gwa_b: 0, gwa_c: 0 } as Record<string, number>;
    for (let i = 0; i < 10_000; i++) picks[plan({ accounts: [A, B, C], stats, exploration: 0.1, random })!.gatewayAccountId!]!++;
    const explored = (picks.gwa_b! + picks.gwa_c!) / 10_000;
    expect(explored).toBeGreaterThan(0.08);
    expect(explored).toBeLessThan(0.12);
    expect(Math.abs(picks.gwa_b! - picks.gwa_c!)).toBeLessThan(200); // spread over the others
    const failover = plan({ accounts: [A, B, C], stats, exploration: 1, random, tried: ["gwa_x"] });
    expect(failover?.gatewayAccountId).toBe("gwa_a");
    const explore = plan({ accounts: [A, B], stats, exploration: 1, random });
    expect(explore).toMatchObject({ gatewayAccountId: "gwa_b", reason: expect.stringMatching(/^Exploration \(100% of first attempts/) });
  });
});
