// What Settings offers a role, as pure functions of the signed-in user's role and scopes (the
// server decides, with the same scopes; the page only leaves out what would be refused, so a role
// is never offered what it may not do). test/unit/dashboard-settings.test.ts checks these against
// src/users/roles.ts and src/merchants/api-keys.ts.

import { BASE } from "../ui/base.js";

export type SettingsTab = "api-keys" | "webhooks" | "users";

/** Each tab, the scope its list needs (the `@Authorized` of apiKeys, webhookEndpoints, users), and the scope of its changes. */
export const TABS: readonly { id: SettingsTab; label: string; read: string; write: string }[] = [
  { id: "api-keys", label: "API keys", read: "admin", write: "admin" },
  { id: "webhooks", label: "Webhook endpoints", read: "webhooks:read", write: "webhooks:write" },
  { id: "users", label: "Users and invitations", read: "users:read", write: "users:manage" },
];

export const tabsFor = (scopes: readonly string[]) => TABS.filter((tab) => scopes.includes(tab.read));

export const SETTINGS = `${BASE}/settings`;

/** Where "Settings" in the navigation goes: the first tab the role may read. */
export const settingsHome = (scopes: readonly string[]): string => `${SETTINGS}/${tabsFor(scopes)[0]?.id ?? "users"}`;

/** The scopes an API key may hold (src/merchants/api-keys.ts SCOPES): user-only scopes (users:*, risk:review) never. */
export const API_KEY_SCOPES = [
  "payments:read", "payments:write", "refunds:read", "refunds:write", "analytics:read", "webhooks:read",
  "webhooks:write", "alerts:read", "alerts:write", "risk:read", "risk:write", "admin",
] as const;

/**
 * The scopes offered as checkboxes for a RESTRICTED key: the API's, and of those only what the
 * user holds (a credential grants only what it holds: more would be FORBIDDEN).
 */
export const keyScopesFor = (scopes: readonly string[]): string[] => API_KEY_SCOPES.filter((s) => scopes.includes(s));

/** Whether a SECRET key (every API scope) may be minted by this user. */
export const maySecretKey = (scopes: readonly string[]): boolean => API_KEY_SCOPES.every((s) => scopes.includes(s));

export type KeyKind = "SECRET" | "RESTRICTED" | "PUBLISHABLE";

export interface KeyForm { name: string; kind: KeyKind; scopes: readonly string[]; origins: string }

/**
 * The form as `createApiKey`'s input: scopes only for RESTRICTED (in the API's order), allowed
 * origins (one a line or comma-separated) only for PUBLISHABLE; any other combination is the
 * server's BAD_USER_INPUT, so the page never sends one.
 */
export function createKeyInput(form: KeyForm): { name: string; kind: KeyKind; scopes?: string[]; allowedOrigins?: string[] } {
  const input = { name: form.name.trim(), kind: form.kind };
  if (form.kind === "RESTRICTED") return { ...input, scopes: API_KEY_SCOPES.filter((s) => form.scopes.includes(s)) };
  if (form.kind === "PUBLISHABLE") {
    const origins = form.origins.split(/[\s,]+/).map((o) => o.trim()).filter(Boolean);
    return origins.length ? { ...input, allowedOrigins: [...new Set(origins)] } : input;
  }
  return input;
}

/** Ticks or unticks one checkbox of a list (scopes, event types). */
export const toggle = (list: readonly string[], item: string, on: boolean): string[] =>
  on ? [...new Set([...list, item])] : list.filter((s) => s !== item);

export type Role = "OWNER" | "ADMIN" | "DEVELOPER" | "ANALYST" | "SUPPORT";

/** src/users/roles.ts MANAGEABLE: the roles a role may grant, and whose holders it may re-role or remove. */
const MANAGEABLE: Record<Role, readonly Role[]> = {
  OWNER: ["OWNER", "ADMIN", "DEVELOPER", "ANALYST", "SUPPORT"],
  ADMIN: ["DEVELOPER", "ANALYST", "SUPPORT"],
  DEVELOPER: [],
  ANALYST: [],
  SUPPORT: [],
};

export const grantableRoles = (actor: string): readonly Role[] => MANAGEABLE[actor as Role] ?? [];

/** Whether `actor` may change or remove a user holding `target` (never themselves: no locking oneself out here). */
export const mayManageUser = (actor: { role: string; userId: string }, target: { role: string; id: string }): boolean =>
  actor.userId !== target.id && grantableRoles(actor.role).includes(target.role as Role);

/** How long a rolled key keeps working, the choices offered (RollApiKeyInput.gracePeriodSeconds, 0 to 604800). */
export const GRACE_PERIODS: readonly { seconds: number; label: string }[] = [
  { seconds: 0, label: "Stop it now" },
  { seconds: 3600, label: "1 hour" },
  { seconds: 86_400, label: "24 hours" },
  { seconds: 604_800, label: "7 days" },
];
