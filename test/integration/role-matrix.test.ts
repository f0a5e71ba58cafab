// The role × operation matrix (issue #4 item 3): TABLE says which merchant-user roles may run each
// Query, Mutation and Subscription field. The test checks that TABLE covers exactly the running
// server's operation fields (introspection), then makes every role × operation call through the
// server with a real session token: FORBIDDEN (naming what is missing) exactly where TABLE says no,
// and never FORBIDDEN where it says yes. Arguments are minimal and ids belong to nothing (NOT_FOUND
// or BAD_USER_INPUT are fine answers: only the authorization decision is under test).
//
// Adding an operation = adding one line to TABLE. A subscription's row must make the server answer
// something at once (a first event or an error), which is how an allowed subscription is told apart.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { UserRole } from "../../client/src/generated/graphql.js";
import { createStack, eventually, gql, subscribe, wsClient, type Stack } from "../support/stack.js";
import { merchantWithOwner, signIn, userWithRole, uniqueEmail } from "../support/users.js";
import { parse } from "graphql";

const ROLES = ["OWNER", "ADMIN", "DEVELOPER", "ANALYST", "SUPPORT"] as const satisfies readonly UserRole[];
// Who holds which scope (src/users/roles.ts is the source; README shows the same table).
const EVERYONE = ROLES;
const MANAGERS = ["OWNER", "ADMIN"] as const;                       // users:manage
const BUILDERS = ["OWNER", "ADMIN", "DEVELOPER"] as const;          // admin, payments:write, webhooks:write, alerts:write
const REFUNDERS = ["OWNER", "ADMIN", "DEVELOPER", "SUPPORT"] as const; // refunds:write
const ANALYSTS = ["OWNER", "ADMIN", "DEVELOPER", "ANALYST"] as const;  // analytics:read
const REVIEWERS = ["OWNER", "ADMIN", "SUPPORT"] as const;          // risk:review (a user-only scope)
const FRAUD_REPORTERS = ["OWNER", "ADMIN", "DEVELOPER", "SUPPORT"] as const; // risk:write or risk:review
const NOBODY = [] as const;                                          // platform ADMIN keys only

interface Row {
  may: readonly UserRole[];
  op: string;
  /** Called with a throw-away session (the operation ends the session it runs with). */
  fresh?: true;
  /** Needs no credential: its bad-credential answer (UNAUTHENTICATED) is expected. */
  anonymous?: true;
}

const NONE = "0000000000000000000000";
const HOUR = `{ from: "2026-01-01T00:00:00Z", to: "2026-01-01T01:00:00Z", interval: HOUR }`;
const TABLE: Record<string, Row> = {
  // Query
  analytics: { may: ANALYSTS, op: `query { analytics(input: ${HOUR}) { interval } }` },
  apiKeys: { may: BUILDERS, op: `query { apiKeys { nodes { id } } }` },
  convert: { may: EVERYONE, op: `query { convert(amount: "1.00", from: "EUR", to: "USD") { __typename } }` },
  exchangeRate: { may: EVERYONE, op: `query { exchangeRate(from: "EUR", to: "USD") { rate } }` },
  gatewayAccounts: { may: BUILDERS, op: `query { gatewayAccounts { id } }` },
  gatewayDecisions: { may: BUILDERS, op: `query { gatewayDecisions(kind: SANDBOX) { code } }` },
  gateways: { may: ANALYSTS, op: `query { gateways { __typename } }` },
  invitations: { may: MANAGERS, op: `query { invitations { nodes { id } } }` },
  me: { may: EVERYONE, op: `query { me { userId } }` },
  node: { may: EVERYONE, op: `query { node(id: "pay_${NONE}") { id } }` },
  nodes: { may: EVERYONE, op: `query { nodes(ids: ["pay_${NONE}"]) { id } }` },
  payment: { may: EVERYONE, op: `query { payment(id: "pay_${NONE}") { id } }` },
  payments: { may: EVERYONE, op: `query { payments(first: 1) { edges { node { id } } } }` },
  refund: { may: EVERYONE, op: `query { refund(id: "re_${NONE}") { id } }` },
  routingRules: { may: BUILDERS, op: `query { routingRules { name } }` },
  riskRules: { may: EVERYONE, op: `query { riskRules { version } }` },
  riskListEntries: { may: EVERYONE, op: `query { riskListEntries(first: 1) { edges { node { id } } } }` },
  users: { may: EVERYONE, op: `query { users { nodes { id role } } }` },
  customer: { may: EVERYONE, op: `query { customer(id: "cus_${NONE}") { id } }` },
  customers: { may: EVERYONE, op: `query { customers(first: 1) { edges { node { id } } } }` },
  oauthClients: { may: BUILDERS, op: `query { oauthClients { nodes { id } } }` },
  auditLog: { may: BUILDERS, op: `query { auditLog(first: 1) { edges { node { id } } } }` },
  verifyAuditChain: { may: BUILDERS, op: `query { verifyAuditChain { ok } }` },
  batch: { may: EVERYONE, op: `query { batch(id: "bat_${NONE}") { id } }` },
  batches: { may: EVERYONE, op: `query { batches(first: 1) { edges { node { id } } } }` },
  webhookEndpoints: { may: EVERYONE, op: `query { webhookEndpoints { nodes { id } } }` },
  webhookEndpoint: { may: EVERYONE, op: `query { webhookEndpoint(id: "we_${NONE}") { id } }` },
  webhookEventTypes: { may: EVERYONE, op: `query { webhookEventTypes }` },
  webhookEvents: { may: EVERYONE, op: `query { webhookEvents(first: 1) { edges { node { id } } } }` },
  webhookEvent: { may: EVERYONE, op: `query { webhookEvent(id: "evt_${NONE}") { id } }` },
  alertRules: { may: EVERYONE, op: `query { alertRules { nodes { id } } }` },
  alerts: { may: EVERYONE, op: `query { alerts(first: 1) { edges { node { id } } } }` },
  alert: { may: EVERYONE, op: `query { alert(id: "alt_${NONE}") { id } }` },
  checkoutSession: { may: EVERYONE, op: `query { checkoutSession(id: "cs_${NONE}") { id } }` },
  webhookDeliveries: { may: EVERYONE, op: `query { webhookDeliveries(endpointId: "we_${NONE}") { edges { node { id } } } }` },
  // Mutation
  setApiKeyRateLimit: { may: BUILDERS, op: `mutation { setApiKeyRateLimit(input: { id: "key_${NONE}", rateLimitPerSecond: 1 }) { __typename } }` },
  createCustomer: { may: BUILDERS, op: `mutation { createCustomer(input: { email: "someone@example.test" }) { customer { id } } }` },
  updateCustomer: { may: BUILDERS, op: `mutation { updateCustomer(input: { id: "cus_${NONE}", name: "x" }) { customer { id } } }` },
  deleteCustomer: { may: BUILDERS, op: `mutation { deleteCustomer(input: { id: "cus_${NONE}" }) { deletedCustomerId } }` },
  createPaymentMethod: { may: BUILDERS, op: `mutation { createPaymentMethod(input: { token: "tok_${NONE}" }) { paymentMethod { id } } }` },
  attachPaymentMethod: { may: BUILDERS, op: `mutation { attachPaymentMethod(input: { paymentMethodId: "pm_${NONE}", customerId: "cus_${NONE}" }) { paymentMethod { id } } }` },
  detachPaymentMethod: { may: BUILDERS, op: `mutation { detachPaymentMethod(input: { paymentMethodId: "pm_${NONE}" }) { paymentMethod { id } } }` },
  createOAuthClient: { may: BUILDERS, op: `mutation { createOAuthClient(input: { name: "", scopes: [] }) { clientSecret } }` },
  revokeOAuthClient: { may: BUILDERS, op: `mutation { revokeOAuthClient(input: { id: "oac_${NONE}" }) { __typename } }` },
  acceptInvitation: { may: EVERYONE, anonymous: true, op: `mutation { acceptInvitation(input: { token: "pgi_none", password: "long enough password" }) { user { id } } }` },
  cancelPayment: { may: BUILDERS, op: `mutation { cancelPayment(input: { paymentId: "pay_${NONE}" }) { payment { id } } }` },
  capturePayment: { may: BUILDERS, op: `mutation { capturePayment(input: { paymentId: "pay_${NONE}" }) { payment { id } } }` },
  confirmPayment: { may: BUILDERS, op: `mutation { confirmPayment(input: { paymentId: "pay_${NONE}", card: { number: "4242424242424242", expMonth: 12, expYear: 2040 } }) { payment { id } } }` },
  createApiKey: { may: BUILDERS, op: `mutation { createApiKey(input: { name: "", kind: SECRET }) { secret } }` },
  createGatewayAccount: { may: BUILDERS, op: `mutation { createGatewayAccount(input: { name: "", kind: SANDBOX, config: {} }) { __typename } }` },
  createPayment: { may: BUILDERS, op: `mutation { createPayment(input: { amount: "1.00", currency: "EUR" }) { payment { id } } }` },
  disableGatewayAccount: { may: BUILDERS, op: `mutation { disableGatewayAccount(input: { id: "gwa_${NONE}" }) { __typename } }` },
  inviteUser: { may: MANAGERS, op: `mutation { inviteUser(input: { email: "not-an-email", role: SUPPORT, name: "X" }) { inviteToken } }` },
  refundPayment: { may: REFUNDERS, op: `mutation { refundPayment(input: { paymentId: "pay_${NONE}" }) { __typename } }` },
  removeUser: { may: MANAGERS, op: `mutation { removeUser(input: { id: "usr_${NONE}" }) { user { id } } }` },
  revokeInvitation: { may: MANAGERS, op: `mutation { revokeInvitation(input: { id: "inv_${NONE}" }) { __typename } }` },
  revokeApiKey: { may: BUILDERS, op: `mutation { revokeApiKey(input: { id: "key_${NONE}" }) { __typename } }` },
  rollApiKey: { may: BUILDERS, op: `mutation { rollApiKey(input: { id: "key_${NONE}", gracePeriodSeconds: 0 }) { secret } }` },
  setExchangeRate: { may: NOBODY, op: `mutation { setExchangeRate(input: { from: "EUR", to: "USD", rate: "1.1" }) { exchangeRate { rate } } }` },
  setGatewayDecisionOverrides: { may: BUILDERS, op: `mutation { setGatewayDecisionOverrides(input: { kind: SANDBOX, rules: [] }) { rules { code } } }` },
  setRoutingRules: { may: BUILDERS, op: `mutation { setRoutingRules(input: { rules: [] }) { rules { name } } }` },
  signIn: { may: EVERYONE, anonymous: true, op: `mutation { signIn(input: { email: "nobody@example.test", password: "not a password" }) { token } }` },
  signOut: { may: EVERYONE, fresh: true, op: `mutation { signOut { revoked } }` },
  updateGatewayAccount: { may: BUILDERS, op: `mutation { updateGatewayAccount(input: { id: "gwa_${NONE}", priority: 1 }) { __typename } }` },
  createBatch: { may: REFUNDERS, op: `mutation { createBatch(input: { operation: REFUND, items: [{ paymentId: "pay_${NONE}" }] }) { __typename } }` },
  cancelBatch: { may: EVERYONE, op: `mutation { cancelBatch(input: { id: "bat_${NONE}" }) { __typename } }` },
  createWebhookEndpoint: { may: BUILDERS, op: `mutation { createWebhookEndpoint(input: { url: "ftp://x" }) { secret } }` },
  updateWebhookEndpoint: { may: BUILDERS, op: `mutation { updateWebhookEndpoint(input: { id: "we_${NONE}", enabled: true }) { __typename } }` },
  deleteWebhookEndpoint: { may: BUILDERS, op: `mutation { deleteWebhookEndpoint(input: { id: "we_${NONE}" }) { __typename } }` },
  rollWebhookEndpointSecret: { may: BUILDERS, op: `mutation { rollWebhookEndpointSecret(input: { id: "we_${NONE}" }) { secret } }` },
  sendTestWebhookEvent: { may: BUILDERS, op: `mutation { sendTestWebhookEvent(input: { endpointId: "we_${NONE}" }) { __typename } }` },
  redeliverWebhookEvent: { may: BUILDERS, op: `mutation { redeliverWebhookEvent(input: { eventId: "evt_${NONE}", endpointId: "we_${NONE}" }) { __typename } }` },
  createAlertRule: { may: BUILDERS, op: `mutation { createAlertRule(input: { name: "x", condition: { kind: CIRCUIT_OPEN, gatewayAccountId: "gwa_${NONE}" }, channels: [] }) { __typename } }` },
  setRiskRules: { may: BUILDERS, op: `mutation { setRiskRules(input: { rules: [{ name: "x", action: REVIEW, when: "(" }] }) { __typename } }` },
  addRiskListEntry: { may: BUILDERS, op: `mutation { addRiskListEntry(input: { list: BLOCK, customerId: "cus_${NONE}" }) { __typename } }` },
  removeRiskListEntry: { may: BUILDERS, op: `mutation { removeRiskListEntry(input: { id: "rle_${NONE}" }) { __typename } }` },
  reportFraud: { may: FRAUD_REPORTERS, op: `mutation { reportFraud(input: { paymentId: "pay_${NONE}" }) { __typename } }` },
  approvePayment: { may: REVIEWERS, op: `mutation { approvePayment(input: { paymentId: "pay_${NONE}" }) { __typename } }` },
  rejectPayment: { may: REVIEWERS, op: `mutation { rejectPayment(input: { paymentId: "pay_${NONE}", reason: "x" }) { __typename } }` },
  createCheckoutSession: { may: BUILDERS, op: `mutation { createCheckoutSession(input: { amount: "1.00", currency: "EUR", successUrl: "ftp://x" }) { __typename } }` },
  expireCheckoutSession: { may: BUILDERS, op: `mutation { expireCheckoutSession(input: { id: "cs_${NONE}" }) { __typename } }` },
  // A checkout page's own secret only: no user or key holds checkout:session.
  payCheckoutSession: { may: NOBODY, op: `mutation { payCheckoutSession(input: { id: "cs_${NONE}", card: { number: "4242424242424242", expMonth: 12, expYear: 2040 } }) { __typename } }` },
  deleteAlertRule: { may: BUILDERS, op: `mutation { deleteAlertRule(input: { id: "alr_${NONE}" }) { __typename } }` },
  replayWebhookEvents: { may: BUILDERS, op: `mutation { replayWebhookEvents(input: { endpointId: "we_${NONE}", from: "2026-01-01T00:00:00Z", to: "2026-01-02T00:00:00Z" }) { queued } }` },
  updateUserRole: { may: MANAGERS, op: `mutation { updateUserRole(input: { id: "usr_${NONE}", role: SUPPORT }) { user { id } } }` },
  // Subscription
  analyticsUpdated: { may: ANALYSTS, op: `subscription { analyticsUpdated(input: ${HOUR}) { interval } }` },
  paymentUpdated: { may: EVERYONE, op: `subscription { paymentUpdated(paymentId: "pay_${NONE}") { id } }` },
  batchUpdated: { may: EVERYONE, op: `subscription { batchUpdated(id: "bat_${NONE}") { id } }` },
  webhookDeliveryUpdated: { may: EVERYONE, op: `subscription { webhookDeliveryUpdated(endpointId: "we_${NONE}") { id } }` },
  alertUpdated: { may: EVERYONE, op: `subscription { alertUpdated(ruleId: "alr_${NONE}") { id } }` },
  checkoutSessionUpdated: { may: EVERYONE, op: `subscription { checkoutSessionUpdated(id: "cs_${NONE}") { id } }` },
};

let stack: Stack;
let url: string;
const sessions = {} as Record<UserRole, { email: string; token: string }>;

beforeAll(async () => {
  stack = await createStack();
  url = (await stack.start(["start", "--role", "all", "--port", "0"])).url;
  const m = await merchantWithOwner(stack, uniqueEmail("matrix-owner"));
  sessions.OWNER = { email: m.ownerEmail, token: await signIn(url, m.ownerEmail) };
  for (const role of ROLES.slice(1)) sessions[role] = await userWithRole(url, sessions.OWNER.token, role);
});
afterAll(async () => stack?.close());

interface Answer { codes: string[]; missing: unknown[] }

/** Runs one operation as one role: over HTTP, or over graphql-ws until its first message. */
async function call(row: Row, role: UserRole): Promise<Answer> {
  const token = row.fresh ? await signIn(url, sessions[role].email) : sessions[role].token;
  const isSubscription = parse(row.op).definitions.some((d) => d.kind === "OperationDefinition" && d.operation === "subscription");
  let errors: { extensions?: Record<string, unknown> }[];
  if (isSubscription) {
    const client = wsClient(url, token);
    const live = subscribe(client, parse(row.op), {});
    await eventually(async () => live.events.length + live.errors.length, (n) => n > 0);
    await client.dispose();
    errors = live.errors.flatMap((e) => (Array.isArray(e) ? e : [e])) as typeof errors;
  } else {
    errors = (await gql(url, row.op, {}, { key: token })).errors ?? [];
  }
  return {
    codes: errors.map((e) => String(e.extensions?.code)),
    missing: errors.filter((e) => e.extensions?.code === "FORBIDDEN").map((e) => e.extensions?.missingScope ?? e.extensions?.requiredRoles),
  };
}

describe("role × operation matrix", () => {
  it("has a row for every Query, Mutation and Subscription field of the running schema, and no other", async () => {
    const q = `{ __schema { queryType { fields { name } } mutationType { fields { name } } subscriptionType { fields { name } } } }`;
    const schema = ((await gql(url, q)).data as { __schema: Record<string, { fields: { name: string }[] } | null> }).__schema;
    const fields = Object.values(schema).flatMap((t) => t?.fields.map((f) => f.name) ?? []);
    expect(Object.keys(TABLE).sort()).toEqual([...fields].sort());
  });

  for (const [field, row] of Object.entries(TABLE)) {
    it(`${field}: allowed for ${row.may.join(", ") || "no user role"}`, async () => {
      const outcomes: Record<string, string> = {};
      const expected: Record<string, string> = {};
      for (const role of ROLES) {
        const answer = await call(row, role);
        const forbidden = answer.codes.includes("FORBIDDEN");
        // A refusal says why (the missing scope, or the platform role for ADMIN-key operations).
        if (forbidden) expect(answer.missing.every((m) => m !== undefined), `${field} as ${role}`).toBe(true);
        if (!forbidden && !row.anonymous) expect(answer.codes, `${field} as ${role}: the session must be accepted`).not.toContain("UNAUTHENTICATED");
        outcomes[role] = forbidden ? "FORBIDDEN" : "allowed";
        expected[role] = row.may.includes(role) ? "allowed" : "FORBIDDEN";
      }
      expect(outcomes).toEqual(expected);
    });
  }

  it("leaves every role's session working (the matrix changed nothing it should not)", async () => {
    for (const role of ROLES) expect((await gql(url, `{ me { role } }`, {}, { key: sessions[role].token })).data).toEqual({ me: { role } });
  });
});
