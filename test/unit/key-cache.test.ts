import { describe, expect, it } from "vitest";
import { KeyCache } from "../../src/merchants/api-keys.js";
import { hashSecret } from "../../src/platform/ids.js";

describe("KeyCache", () => {
  it("trusts a verified key until its TTL runs out", () => {
    const cache = new KeyCache(1000);
    const admin = { merchantId: "mer_a", role: "ADMIN", via: "API_KEY", credentialId: "key_a", actor: "key:key_a", rateLimitPerSecond: null, keyKind: "SECRET", scopes: [], expiresAt: null } as const;
    cache.set("h", admin, 0);
    expect(cache.get("h", 999)).toEqual(admin);
    expect(cache.get("h", 1000)).toBeUndefined();
  });
  it("caches nothing with a TTL of 0", () => {
    const cache = new KeyCache(0);
    cache.set("h", { merchantId: "mer_a", role: "MERCHANT", via: "API_KEY", credentialId: "key_a", actor: "key:key_a", rateLimitPerSecond: 50, keyKind: "SECRET", scopes: [], expiresAt: null }, 0);
    expect(cache.get("h", 0)).toBeUndefined();
  });
  it("drops an entry past its key's expiry, or when told to", () => {
    const cache = new KeyCache(10_000);
    const rolled = { merchantId: "mer_a", role: "MERCHANT", via: "API_KEY", credentialId: "key_a", actor: "key:key_a", rateLimitPerSecond: null, keyKind: "SECRET", scopes: [], expiresAt: 500 } as const;
    cache.set("h", rolled, 0);
    expect(cache.get("h", 499)).toEqual(rolled);
    expect(cache.get("h", 500)).toBeUndefined();
    cache.set("h", { ...rolled, expiresAt: null }, 0);
    cache.delete("h");
    expect(cache.get("h", 1)).toBeUndefined();
  });
  it("hashes keys, never stores them", () => {
    expect(hashSecret("sk_test_x")).toMatch(/^[0-9a-f]{64}$/);
    expect(hashSecret("sk_test_x")).not.toContain("sk_test_x");
  });
});
