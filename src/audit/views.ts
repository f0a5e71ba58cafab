// What the audit log shows of each entity, in one place, so "no secrets, no card data" is reviewed
// here: fields are listed (allow-list), never spread, so a column added later stays out until
// someone decides it belongs. Dates become ISO strings and bigints decimal strings (JSON has neither).
import type { Prisma } from "../generated/prisma/client.js";
import type { ApiKey, GatewayAccount, PaymentAttempt, PaymentMethod, Refund, WebhookEndpoint } from "../generated/prisma/client.js";

type Json = Prisma.InputJsonObject;

/** Plain JSON: Date → ISO 8601, bigint → string, undefined dropped. */
export function toJson(value: Record<string, unknown>): Json {
  return JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))) as Json;
}

/** No hash (it would let anyone test a guessed key offline). */
export const apiKeyView = (k: ApiKey): Json => toJson({
  id: k.id, name: k.name, kind: k.kind, role: k.role, scopes: k.scopes, last4: k.last4, rateLimitPerSecond: k.rateLimitPerSecond,
  createdAt: k.createdAt, expiresAt: k.expiresAt, revokedAt: k.revokedAt, rolledToId: k.rolledToId,
});

/** No configuration (it holds the gateway credentials, encrypted). */
export const gatewayAccountView = (a: GatewayAccount): Json => toJson({
  id: a.id, name: a.name, kind: a.kind, currencies: a.currencies, cardBrands: a.cardBrands, priority: a.priority, costBps: a.costBps, enabled: a.enabled,
});

/** No ciphertext, no BIN, no fingerprint: brand, last 4 and expiry only. */
export const paymentMethodView = (m: PaymentMethod): Json => toJson({ id: m.id, brand: m.brand, last4: m.last4, expMonth: m.expMonth, expYear: m.expYear, country: m.country });

export const refundView = (r: Refund): Json => toJson({
  id: r.id, paymentId: r.paymentId, amount: r.amount, currency: r.currency, status: r.status, reason: r.reason,
  gatewayAmount: r.gatewayAmount, gatewayCurrency: r.gatewayCurrency, gatewayReference: r.gatewayReference, failureCode: r.failureCode,
});

export const attemptView = (a: PaymentAttempt): Json => toJson({
  id: a.id, paymentId: a.paymentId, status: a.status, amount: a.amount, currency: a.currency, gateway: a.gateway, gatewayAccountId: a.gatewayAccountId,
  routingReason: a.routingReason, previousAttemptId: a.previousAttemptId, errorCode: a.errorCode, declineCode: a.declineCode, decision: a.decision,
});

/** No secret, sealed or not. */
export const webhookEndpointView = (e: WebhookEndpoint): Json => toJson({
  id: e.id, url: e.url, description: e.description, events: e.events, enabled: e.enabled, disabledReason: e.disabledReason,
  previousSecretExpiresAt: e.previousSecretExpiresAt,
});
