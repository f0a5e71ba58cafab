// What node(id:) can read: one entry per id prefix, naming the one GraphQL type the prefix stands
// for, the scope reading that type needs (the same its own query demands, so node(id:) opens no
// side door), and how to read one object of the caller's merchant. A read that finds nothing
// answers null or NOT_FOUND; node(id:) turns both into null.
import type { GqlContext } from "../app/graphql-context.js";
import { merchantCtx } from "../app/graphql-context.js";
import { NODE_TYPES } from "../platform/graphql/common.types.js";
import { IdPrefix } from "../platform/ids.js";
import { alertView } from "../alerts/alert.resolver.js";
import { getAlertRule, ruleView } from "../alerts/alert-rules.js";
import { auditRecordView } from "../audit/audit.resolver.js";
import { oauthClientView } from "../auth/oauth/oauth-client.resolver.js";
import { getBatch } from "../batches/batches.js";
import { checkoutSessionView } from "../checkout/checkout.resolver.js";
import { getCustomer, getPaymentMethod } from "../customers/customer.data.js";
import { apiKeyView } from "../merchants/api-key.resolver.js";
import { findPaymentEvent, getPayment } from "../payments/payment.queries.js";
import { getRefund } from "../refunds/refund.queries.js";
import { userView } from "../users/user.resolver.js";
import { getEndpoint } from "../webhooks/endpoints.js";
import { findEvent, OBJECT_SCOPES } from "../webhooks/events.js";

export interface NodeKind {
  /** The GraphQL type the prefix names. */
  type: string;
  /** The scope its own query demands; null where the object decides (a webhook event: its object's). */
  scope: string | null;
  read(context: GqlContext, id: string): Promise<unknown>;
}

const db = (context: GqlContext) => context.app.db;
const tenant = (context: GqlContext) => merchantCtx(context).merchantId;
const mapped = async <T, U>(row: Promise<T | null>, view: (row: T) => U): Promise<U | null> => {
  const found = await row;
  return found ? view(found) : null;
};

export const NODES: Partial<Record<IdPrefix, NodeKind>> = {
  [IdPrefix.payment]: { type: "Payment", scope: "payments:read", read: (c, id) => getPayment(db(c), tenant(c), id) },
  [IdPrefix.attempt]: { type: "PaymentAttempt", scope: "payments:read", read: (c, id) => db(c).paymentAttempt.findFirst({ where: { id, merchantId: tenant(c) } }) },
  [IdPrefix.paymentEvent]: { type: "PaymentEvent", scope: "payments:read", read: (c, id) => findPaymentEvent(db(c), tenant(c), id) },
  [IdPrefix.refund]: { type: "Refund", scope: "refunds:read", read: (c, id) => getRefund(db(c), tenant(c), id) },
  [IdPrefix.customer]: { type: "Customer", scope: "payments:read", read: (c, id) => getCustomer(db(c), tenant(c), id) },
  [IdPrefix.paymentMethod]: { type: "PaymentMethod", scope: "payments:read", read: async (c, id) => (await getPaymentMethod(db(c), tenant(c), id, "id")).method },
  [IdPrefix.checkoutSession]: { type: "CheckoutSession", scope: "payments:read", read: (c, id) => checkoutSessionView(c, id) },
  [IdPrefix.batch]: { type: "Batch", scope: "payments:read", read: (c, id) => getBatch(merchantCtx(c), id) },
  [IdPrefix.gatewayAccount]: { type: "GatewayAccount", scope: "admin", read: (c, id) => db(c).gatewayAccount.findFirst({ where: { id, merchantId: tenant(c) } }) },
  [IdPrefix.apiKey]: { type: "ApiKey", scope: "admin", read: (c, id) => mapped(db(c).apiKey.findFirst({ where: { id, merchantId: tenant(c) } }), apiKeyView) },
  [IdPrefix.oauthClient]: { type: "OAuthClient", scope: "admin", read: (c, id) => mapped(db(c).oAuthClient.findFirst({ where: { id, merchantId: tenant(c) } }), oauthClientView) },
  [IdPrefix.auditRecord]: { type: "AuditRecord", scope: "admin", read: (c, id) => mapped(db(c).auditRecord.findFirst({ where: { id, merchantId: tenant(c) } }), auditRecordView) },
  [IdPrefix.user]: { type: "User", scope: "users:read", read: (c, id) => mapped(db(c).user.findFirst({ where: { id, merchantId: tenant(c) } }), userView) },
  [IdPrefix.invitation]: { type: "Invitation", scope: "users:manage", read: (c, id) => db(c).userInvitation.findFirst({ where: { id, merchantId: tenant(c) } }) },
  [IdPrefix.webhookEndpoint]: { type: "WebhookEndpoint", scope: "webhooks:read", read: (c, id) => getEndpoint(c.app, tenant(c), id) },
  [IdPrefix.webhookDelivery]: { type: "WebhookDelivery", scope: "webhooks:read", read: (c, id) => db(c).webhookDelivery.findFirst({ where: { id, merchantId: tenant(c) } }) },
  [IdPrefix.event]: {
    type: "WebhookEvent",
    scope: null,
    // An event the caller may not read (its object's scope is missing) is as absent as one that is not there.
    read: async (c, id) => {
      const event = await findEvent(db(c), tenant(c), id);
      const scopes = merchantCtx(c).caller?.scopes;
      return event && (!scopes || scopes.includes(OBJECT_SCOPES[event.objectType])) ? { ...event, data: event.data as object } : null;
    },
  },
  [IdPrefix.alert]: {
    type: "Alert",
    scope: "alerts:read",
    read: (c, id) => mapped(db(c).alert.findFirst({ where: { id, merchantId: tenant(c) }, include: { notifications: { orderBy: [{ createdAt: "asc" }, { channel: "asc" }] } } }), alertView),
  },
  [IdPrefix.alertRule]: { type: "AlertRule", scope: "alerts:read", read: async (c, id) => ruleView(await getAlertRule(merchantCtx(c), id)) },
  [IdPrefix.riskListEntry]: { type: "RiskListEntry", scope: "risk:read", read: (c, id) => db(c).riskListEntry.findFirst({ where: { id, merchantId: tenant(c) } }) },
};

for (const [prefix, kind] of Object.entries(NODES)) NODE_TYPES.set(prefix, kind.type);
