// Merchant users' pure parts: the scrypt string format and its verification, and the roles table.
import { describe, expect, it } from "vitest";
import { hashPassword, needsRehash, passwordProblem, verifyPassword } from "../../src/users/password.js";
import { MANAGEABLE, ROLE_SCOPES, USER_SCOPES, mayManage } from "../../src/users/roles.js";
import { SCOPES } from "../../src/merchants/api-keys.js";
import { looksLikeSessionToken, newSessionToken } from "../../src/users/secrets.js";

describe("passwords", () => {
  it("hashes with a fresh salt into a self-describing scrypt string, and verifies it", async () => {
    const [a, b] = await Promise.all([hashPassword("correct horse battery"), hashPassword("correct horse battery")]);
    expect(a).toMatch(/^\$scrypt\$ln=15,r=8,p=3\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword("correct horse battery", a)).toBe(true);
    expect(await verifyPassword("correct horse batterY", a)).toBe(false);
    expect(await verifyPassword("anything", "not a hash")).toBe(false);
  });

  it("keeps verifying hashes made with older parameters, and asks for a re-hash", async () => {
    const old = await hashPassword("an older password", { ln: 12, r: 8, p: 1 });
    expect(old.startsWith("$scrypt$ln=12,r=8,p=1$")).toBe(true);
    expect(await verifyPassword("an older password", old)).toBe(true);
    expect(needsRehash(old)).toBe(true);
    expect(needsRehash(await hashPassword("a current password"))).toBe(false);
  });

  it("takes 12 to 128 characters", () => {
    expect(passwordProblem("x".repeat(11))).toMatch(/at least 12/);
    expect(passwordProblem("x".repeat(12))).toBeUndefined();
    expect(passwordProblem("🔑".repeat(128))).toBeUndefined(); // code points, not UTF-16 units
    expect(passwordProblem("x".repeat(129))).toMatch(/at most 128/);
  });
});

describe("roles", () => {
  it("grants only known scopes, and user-only scopes are outside what API keys may carry", () => {
    const known = new Set<string>([...SCOPES, ...USER_SCOPES]);
    for (const scopes of Object.values(ROLE_SCOPES)) for (const s of scopes) expect(known.has(s)).toBe(true);
    for (const s of USER_SCOPES) expect((SCOPES as readonly string[]).includes(s)).toBe(false);
  });

  it("lets exactly the holders of users:manage manage someone, and ADMIN never OWNER or ADMIN", () => {
    for (const [role, targets] of Object.entries(MANAGEABLE)) {
      expect(targets.length > 0).toBe(ROLE_SCOPES[role as keyof typeof ROLE_SCOPES].includes("users:manage"));
    }
    expect(mayManage("ADMIN", "OWNER")).toBe(false);
    expect(mayManage("ADMIN", "ADMIN")).toBe(false);
    expect(mayManage("ADMIN", "SUPPORT")).toBe(true);
    expect(mayManage("OWNER", "OWNER")).toBe(true);
    expect(ROLE_SCOPES.ANALYST.some((s) => s.endsWith(":write") || s === "admin" || s === "users:manage")).toBe(false);
  });

  it("makes session tokens that no other credential shape matches", () => {
    const token = newSessionToken();
    expect(looksLikeSessionToken(token)).toBe(true);
    expect(token.split(".").length).toBe(1);
    expect(/^(sk|pk|rk)_/.test(token)).toBe(false);
  });
});
