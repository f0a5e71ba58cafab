// The GraphQL schema, built from the domains' type-graphql classes. `printSchemaSDL` is what
// `npm run generate` writes to schema/schema.graphql (a test fails when the file drifts).
import "reflect-metadata";
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from "graphql";
import { buildSchema } from "type-graphql";
import { validateStateMachine } from "../payments/payment-state.js";
import { PaymentResolver } from "../payments/payment.resolver.js";
import { PaymentFieldsResolver } from "../payments/payment-fields.resolver.js";
import { PaymentSubscriptionResolver } from "../payments/payment.subscription.js";
import { PaymentRefundsResolver, RefundResolver } from "../refunds/refund.resolver.js";
import { NodeResolver } from "./node.resolver.js";
import { authorize } from "./authorize.js";
import type { GqlContext } from "../app/graphql-context.js";
import { GatewayAccountResolver } from "../gateways/accounts/gateway-account.resolver.js";
import { GatewayDecisionResolver } from "../routing/decision-table.resolver.js";
import { GatewayHealthResolver } from "../routing/gateway-health.resolver.js";
import { ExchangeRateResolver } from "../fx/exchange-rate.resolver.js";
import { ApiKeyResolver } from "../merchants/api-key.resolver.js";
import { RoutingRuleResolver } from "../routing/rules/routing-rule.resolver.js";
import { AnalyticsResolver } from "../analytics/analytics.resolver.js";
import { AnalyticsSubscriptionResolver } from "../analytics/analytics.subscription.js";
import { CustomerResolver, PaymentMethodResolver } from "../customers/customer.resolver.js";
import { PaymentCustomerResolver } from "../payments/payment-customer.resolver.js";
import { OAuthClientResolver } from "../auth/oauth/oauth-client.resolver.js";
import { AuditResolver } from "../audit/audit.resolver.js";
import { UserResolver } from "../users/user.resolver.js";
import { WebhookResolver } from "../webhooks/webhook.resolver.js";
import { BatchResolver } from "../batches/batch.resolver.js";
import { CheckoutSessionResolver } from "../checkout/checkout.resolver.js";
import { AlertResolver } from "../alerts/alert.resolver.js";
import { RiskResolver } from "../risk/risk.resolver.js";

export async function buildPaygraphSchema(): Promise<GraphQLSchema> {
  validateStateMachine();
  return buildSchema({
    resolvers: [PaymentResolver, PaymentFieldsResolver, PaymentSubscriptionResolver, RefundResolver, PaymentRefundsResolver, NodeResolver, GatewayAccountResolver, GatewayDecisionResolver, GatewayHealthResolver, ExchangeRateResolver, RoutingRuleResolver,
      AnalyticsResolver, AnalyticsSubscriptionResolver, ApiKeyResolver, OAuthClientResolver, AuditResolver,
      CustomerResolver, PaymentMethodResolver, PaymentCustomerResolver, UserResolver, WebhookResolver, BatchResolver, AlertResolver, CheckoutSessionResolver, RiskResolver],
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
