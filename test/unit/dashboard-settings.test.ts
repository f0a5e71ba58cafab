// The dashboard's Settings (web/dashboard/settings): what it offers each role, checked against the
// server's own tables (src/users/roles.ts, src/merchants/api-keys.ts), the create-key form as the
// API's input, and its GraphQL operations' names (schema/operations/dashboard-settings.graphql).
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "graphql";
import { describe, expect, it } from "vitest";
import { SCOPES } from "../../src/merchants/api-keys.js";
import { MANAGEABLE, ROLE_SCOPES } from "../../src/users/roles.js";
import {
  API_KEY_SCOPES, createKeyInput, grantableRoles, keyScopesFor, maySecretKey, mayManageUser, tabsFor, toggle, type Role,
} from "../../web/dashboard/settings/access.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const ROLES = Object.keys(ROLE_SCOPES) as Role[];
const tabs = (role: Role): string[] => tabsFor(ROLE_SCOPES[role]).map((t) => t.id);

describe("what Settings offers each role", () => {
  it("shows a tab only to a role whose scopes read it", () => {
    expect(Object.fromEntries(ROLES.map((r) => [r, tabs(r)]))).toEqual({
      OWNER: ["api-keys", "webhooks", "users"],
      ADMIN: ["api-keys", "webhooks", "users"],
      DEVELOPER: ["api-keys", "webhooks", "users"],
      ANALYST: ["webhooks", "users"],
      SUPPORT: ["webhooks", "users"],
    });
  });

  it("offers to grant exactly the roles the server lets each role manage, and never the user's own row", () => {
    for (const role of ROLES) expect(grantableRoles(role), role).toEqual(MANAGEABLE[role]);
    expect(grantableRoles("NOBODY")).toEqual([]);
    const admin = { role: "ADMIN", userId: "usr_a" };
    expect(mayManageUser(admin, { role: "SUPPORT", id: "usr_b" })).toBe(true);
    expect(mayManageUser(admin, { role: "OWNER", id: "usr_c" })).toBe(false);
    expect(mayManageUser({ role: "OWNER", userId: "usr_o" }, { role: "OWNER", id: "usr_o" })).toBe(false);
  });

  it("offers a key only the API scopes the user holds, and a SECRET key only to who holds them all", () => {
    expect([...API_KEY_SCOPES]).toEqual([...SCOPES]);
    expect(keyScopesFor(ROLE_SCOPES.DEVELOPER)).toEqual([...SCOPES]);
    expect(keyScopesFor(ROLE_SCOPES.OWNER)).not.toContain("users:manage");
    expect(keyScopesFor(ROLE_SCOPES.ANALYST)).toEqual(["payments:read", "refunds:read", "analytics:read", "webhooks:read", "alerts:read", "risk:read"]);
    expect(maySecretKey(ROLE_SCOPES.DEVELOPER)).toBe(true);
    expect(maySecretKey(ROLE_SCOPES.SUPPORT)).toBe(false);
  });
});

describe("the create-key form", () => {
  it("sends scopes only for RESTRICTED (in the API's order) and origins only for PUBLISHABLE", () => {
    let scopes = toggle([], "refunds:write", true);
    scopes = toggle(scopes, "payments:read", true);
    scopes = toggle(toggle(scopes, "admin", true), "admin", false);
    expect(createKeyInput({ name: " ops ", kind: "RESTRICTED", scopes, origins: "https://x.test" }))
      .toEqual({ name: "ops", kind: "RESTRICTED", scopes: ["payments:read", "refunds:write"] });
    expect(createKeyInput({ name: "web", kind: "PUBLISHABLE", scopes, origins: "https://a.test, https://b.test\nhttps://a.test" }))
      .toEqual({ name: "web", kind: "PUBLISHABLE", allowedOrigins: ["https://a.test", "https://b.test"] });
    expect(createKeyInput({ name: "web", kind: "PUBLISHABLE", scopes: [], origins: "  " })).toEqual({ name: "web", kind: "PUBLISHABLE" });
    expect(createKeyInput({ name: "srv", kind: "SECRET", scopes, origins: "https://a.test" })).toEqual({ name: "srv", kind: "SECRET" });
  });
});

// test/unit/dashboard.test.ts validates every dashboard-*.graphql operation against the schema and limits.
describe("the Settings operations", () => {
  it("are all named DashboardSettings…", () => {
    const document = parse(readFileSync(path.join(ROOT, "schema/operations/dashboard-settings.graphql"), "utf8"));
    const names = document.definitions.flatMap((d) => ("name" in d && d.name ? [d.name.value] : []));
    expect(names.length).toBeGreaterThan(10);
    expect(names.filter((n) => !n.startsWith("DashboardSettings"))).toEqual([]);
  });
});
