import { describe, expect, it } from "vitest";
import { chooseGateway, nextGateway, type RoutableAccount } from "../../src/routing/route-plan.js";
import { AppError } from "../../src/platform/errors.js";

const account = (over: Partial<RoutableAccount>): RoutableAccount => ({
  id: "gwa_1", name: "a", currencies: [], cardBrands: [], priority: 100, enabled: true, createdAt: new Date("2026-01-01"), ...over,
});

describe("chooseGateway", () => {
  it("uses the server's default gateway when the merchant connected none", () => {
    expect(chooseGateway([], "USD", "visa", "sandbox")).toMatchObject({ gatewayAccountId: null, gateway: "sandbox" });
  });

  it("takes the lowest priority number among accounts accepting the currency and brand, and says why", () => {
    const accounts = [
      account({ id: "gwa_eur", name: "eur-only", currencies: ["EUR"], priority: 1 }),
      account({ id: "gwa_off", name: "off", priority: 2, enabled: false }),
      account({ id: "gwa_b", name: "b", priority: 20 }),
      account({ id: "gwa_a", name: "a", priority: 10, cardBrands: ["visa"] }),
    ];
    const choice = chooseGateway(accounts, "USD", "visa", "sandbox");
    expect(choice).toMatchObject({ gatewayAccountId: "gwa_a", gateway: "a" });
    expect(choice.reason).toBe("Priority 10: first of 2 enabled account(s) accepting USD visa; 2 other(s) disabled or not accepting it");
    expect(chooseGateway(accounts, "USD", "mastercard", "sandbox").gateway).toBe("b");
  });

  it("breaks priority ties by age", () => {
    const older = account({ id: "gwa_old", name: "old", createdAt: new Date("2025-01-01") });
    expect(chooseGateway([account({ id: "gwa_new", name: "new" }), older], "USD", "visa", "sandbox").gatewayAccountId).toBe("gwa_old");
  });

  it("refuses when no enabled account accepts the payment", () => {
    try {
      chooseGateway([account({ currencies: ["EUR"] })], "USD", "visa", "sandbox");
      expect.unreachable();
    } catch (err) {
      expect((err as AppError).code).toBe("GATEWAY_UNAVAILABLE");
    }
  });

  it("plans a failover to the best account not yet tried, and nothing once all were", () => {
    const accounts = [account({ id: "gwa_a", name: "a", priority: 1 }), account({ id: "gwa_b", name: "b", priority: 2 })];
    expect(nextGateway(accounts, "USD", "visa", ["gwa_a"])).toMatchObject({ gatewayAccountId: "gwa_b", reason: "Priority 2: first of 1 enabled account(s) accepting USD visa, not yet tried" });
    expect(nextGateway(accounts, "USD", "visa", ["gwa_a", "gwa_b"])).toBeUndefined();
  });
});
