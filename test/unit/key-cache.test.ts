import { describe, expect, it } from "vitest";
import { KeyCache, hashKey } from "../../src/merchants/api-keys.js";

describe("KeyCache", () => {
  it("trusts a verified key until its TTL runs out", () => {
    const cache = new KeyCache(1000);
    const admin = { merchantId: "mer_a", role: "ADMIN", keyId: "key_a", rateLimitPerSecond: null } as const;
    cache.set("h", admin, 0);
    expect(cache.get("h", 999)).toEqual(admin);
    expect(cache.get("h", 1000)).toBeUndefined();
  });
  it("caches nothing with a TTL of 0", () => {
    const cache = new KeyCache(0);
    cache.set("h", { merchantId: "mer_a", role: "MERCHANT", keyId: "key_a", rateLimitPerSecond: 50 }, 0);
    expect(cache.get("h", 0)).toBeUndefined();
  });
  it("hashes keys, never stores them", () => {
    expect(hashKey("sk_test_x")).toMatch(/^[0-9a-f]{64}$/);
    expect(hashKey("sk_test_x")).not.toContain("sk_test_x");
  });
});
