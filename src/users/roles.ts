// Roles → permissions, in one place. A signed-in user's Principal carries the scopes of their role
// (read on every request, so a role change takes effect at once); the one auth checker (`authorize`
// in src/server/authorize.ts) compares them with each field's `@Authorized(...)`, as for API keys.
import { UserRole } from "../generated/prisma/enums.js";
import { SCOPES, type Scope } from "../merchants/api-keys.js";

export { UserRole };

/**
 * Scopes only people hold. No API key (nor OAuth client) can carry them: `createApiKey` accepts
 * only SCOPES, and a SECRET key's "every scope" is SCOPES. Managing people is a person's act,
 * so a leaked server key can never invite a user or make itself an OWNER.
 * - `users:read`: see the team (names, roles), your own profile (`me`), end your session.
 * - `users:manage`: invite, change roles, remove (within the rules of `mayManage` below); see emails.
 * - `risk:review`: approve or reject a payment the risk step held (src/payments/operations/review.ts):
 *   a hold is for a person's judgement, so no automated credential may clear one.
 */
export const USER_SCOPES = ["users:read", "users:manage", "risk:review"] as const;
export type UserScope = (typeof USER_SCOPES)[number];

const READ: Scope[] = ["payments:read", "refunds:read", "webhooks:read", "alerts:read", "risk:read"];

/**
 * The table (README "Merchant users and roles" shows it). DEVELOPER builds integrations: keys,
 * gateways, routing rules (the `admin` scope). A DEVELOPER may mint a SECRET key, which holds every
 * API scope, so withholding payments:write or refunds:write from the role would be a fig leaf:
 * it gets them. ANALYST reads everything but changes nothing. SUPPORT reads payments, refunds,
 * webhook endpoints and deliveries (to answer "did my server hear about it?") and alerts, and issues refunds;
 * it sees no analytics and configures nothing.
 */
export const ROLE_SCOPES: Record<UserRole, readonly (Scope | UserScope)[]> = {
  OWNER: [...SCOPES, "users:read", "users:manage", "risk:review"],
  ADMIN: [...SCOPES, "users:read", "users:manage", "risk:review"],
  DEVELOPER: [...SCOPES, "users:read"],
  ANALYST: [...READ, "analytics:read", "users:read"],
  SUPPORT: [...READ, "refunds:write", "users:read", "risk:review"],
};

export const scopesOf = (role: UserRole): string[] => [...ROLE_SCOPES[role]];

/**
 * The roles an actor may grant, and whose holders it may re-role or remove. OWNER: every role.
 * ADMIN: DEVELOPER, ANALYST, SUPPORT (never OWNER or ADMIN, itself included). Others: none.
 * The last active OWNER can be neither removed nor demoted (membership.ts, with the owners' rows locked).
 */
export const MANAGEABLE: Record<UserRole, readonly UserRole[]> = {
  OWNER: ["OWNER", "ADMIN", "DEVELOPER", "ANALYST", "SUPPORT"],
  ADMIN: ["DEVELOPER", "ANALYST", "SUPPORT"],
  DEVELOPER: [],
  ANALYST: [],
  SUPPORT: [],
};

export const mayManage = (actor: UserRole, target: UserRole): boolean => MANAGEABLE[actor].includes(target);
