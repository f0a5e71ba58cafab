// The one authorization check behind every `@Authorized(...)` (src/server/schema.ts wires it as
// type-graphql's authChecker), also called directly where the scope depends on an argument
// (node(id:), src/server/node.resolver.ts).
import { merchantCtx, type GqlContext } from "../app/graphql-context.js";
import { AppError, ErrorCode } from "../platform/errors.js";
import { ApiKeyRole } from "../generated/prisma/enums.js";

const CALLER = { API_KEY: "API key", OAUTH: "OAuth access token", USER: "user's role", CHECKOUT: "checkout session secret" } as const;

/**
 * The one authorization check, for every credential (API key, OAuth access token, user session).
 * Throws UNAUTHENTICATED with the reason (missing, malformed, unknown, revoked, expired); then
 * FORBIDDEN for a PUBLISHABLE key (POST /v1/tokens only, never /graphql); then FORBIDDEN when the
 * field's `@Authorized(...)` names a platform role (ADMIN, MERCHANT) the caller lacks or a scope
 * (README: "API keys", "Merchant users and roles") it does not hold, naming it in
 * `extensions.requiredRoles` / `extensions.missingScope`. Every name given must hold:
 * `@Authorized("ADMIN", "admin")` needs both; `"a|b"` is one name held by holding either.
 */
export function authorize(gql: GqlContext, required: string[]): true {
  merchantCtx(gql);
  const principal = gql.principal!;
  if (principal.keyKind === "PUBLISHABLE") {
    throw new AppError(ErrorCode.FORBIDDEN, "A publishable key is for client-side tokenization only", { keyKind: "PUBLISHABLE" });
  }
  const roles = required.filter((r): r is ApiKeyRole => (Object.values(ApiKeyRole) as string[]).includes(r));
  if (roles.length && !roles.includes(principal.role)) {
    throw new AppError(ErrorCode.FORBIDDEN, `This needs the platform role ${roles.join(" or ")} (given to API keys from the command line only)`, { requiredRoles: roles });
  }
  // "a|b": either scope will do (a checkout session read by its merchant or by its own page).
  const missingScope = required.filter((r) => !roles.includes(r as ApiKeyRole)).find((scope) => !scope.split("|").some((one) => principal.scopes.includes(one)));
  if (missingScope !== undefined) {
    throw new AppError(ErrorCode.FORBIDDEN, `This ${CALLER[principal.via]} lacks the scope '${missingScope}'`, { missingScope });
  }
  return true;
}
