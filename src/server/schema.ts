// The GraphQL schema, built from the domains' type-graphql classes. `printSchemaSDL` is what
// `npm run generate` writes to schema/schema.graphql (a test fails when the file drifts).
import "reflect-metadata";
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from "graphql";
import { buildSchema } from "type-graphql";
import { merchantCtx, type GqlContext } from "../platform/graphql/context.js";
import { validateStateMachine } from "../payments/payment-state.js";
import { PaymentResolver } from "../payments/payment.resolver.js";
import { PaymentFieldsResolver } from "../payments/payment-fields.resolver.js";
import { PaymentSubscriptionResolver } from "../payments/payment.subscription.js";
import { PaymentRefundsResolver, RefundResolver } from "../refunds/refund.resolver.js";
import { NodeResolver } from "./node.resolver.js";
import { GatewayAccountResolver } from "../gateways/accounts/gateway-account.resolver.js";
import { GatewayDecisionResolver } from "../routing/decision-table.resolver.js";
import { GatewayHealthResolver } from "../routing/gateway-health.resolver.js";
import { ExchangeRateResolver } from "../fx/exchange-rate.resolver.js";
import { AppError, ErrorCode } from "../platform/errors.js";
import { ApiKeyRole } from "../generated/prisma/enums.js";
import { ApiKeyResolver } from "../merchants/api-key.resolver.js";
import { RoutingRuleResolver } from "../routing/rules/routing-rule.resolver.js";
import { AnalyticsResolver } from "../analytics/analytics.resolver.js";
import { AnalyticsSubscriptionResolver } from "../analytics/analytics.subscription.js";
import { CustomerResolver, PaymentCustomerResolver, PaymentMethodResolver } from "../customers/customer.resolver.js";
import { OAuthClientResolver } from "../auth/oauth/oauth-client.resolver.js";
import { AuditResolver } from "../audit/audit.resolver.js";
import { UserResolver } from "../users/user.resolver.js";

const CALLER = { API_KEY: "API key", OAUTH: "OAuth access token", USER: "user's role" } as const;

/**
 * The one authorization check, for every credential (API key, OAuth access token, user session).
 * Throws UNAUTHENTICATED with the reason (missing, malformed, unknown, revoked, expired); then
 * FORBIDDEN for a PUBLISHABLE key (POST /v1/tokens only, never /graphql); then FORBIDDEN when the
 * field's `@Authorized(...)` names a platform role (ADMIN, MERCHANT) the caller lacks or a scope
 * (README: "API keys", "Merchant users and roles") it does not hold, naming it in
 * `extensions.requiredRoles` / `extensions.missingScope`. Every name given must hold:
 * `@Authorized("ADMIN", "admin")` needs both.
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
  const missingScope = required.filter((r) => !roles.includes(r as ApiKeyRole)).find((scope) => !principal.scopes.includes(scope));
  if (missingScope !== undefined) {
    throw new AppError(ErrorCode.FORBIDDEN, `This ${CALLER[principal.via]} lacks the scope '${missingScope}'`, { missingScope });
  }
  return true;
}

export async function buildPaygraphSchema(): Promise<GraphQLSchema> {
  validateStateMachine();
  return buildSchema({
    resolvers: [PaymentResolver, PaymentFieldsResolver, PaymentSubscriptionResolver, RefundResolver, PaymentRefundsResolver, NodeResolver, GatewayAccountResolver, GatewayDecisionResolver, GatewayHealthResolver, ExchangeRateResolver, RoutingRuleResolver,
      AnalyticsResolver, AnalyticsSubscriptionResolver, ApiKeyResolver, OAuthClientResolver, AuditResolver,
      CustomerResolver, PaymentMethodResolver, PaymentCustomerResolver, UserResolver],
    authChecker: ({ context }, required) => authorize(context as GqlContext, required),
    validate: false,
    // type-graphql insists on a PubSub, but every subscription here brings its own `subscribe`
    // (Redis-backed, see payment.subscription.ts); this one exists only to fail loudly if used.
    pubSub: {
      publish: () => { throw new Error("use the outbox: type-graphql's pubSub is not wired"); },
      subscribe: () => { throw new Error("subscriptions bring their own subscribe function"); },
    },
  });
}

export function printSchemaSDL(schema: GraphQLSchema): string {
  return `# Generated from the type-graphql classes by \`npm run generate\`. Do not edit.\n\n${printSchema(lexicographicSortSchema(schema))}\n`;
}
