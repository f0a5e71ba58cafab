// Tenant isolation, proven operation by operation: for EVERY query, mutation and subscription of
// the running server's schema there is a case below in which merchant Bob aims it at merchant
// Alice's ids (and tokens). Each case checks that Bob gets NOT_FOUND or FORBIDDEN, or — for an
// operation that takes no id — only his own data, and that no answer carries any of Alice's ids.
// An id-taking operation must also answer Alice's id exactly as it answers an id that does not
// exist, so an error cannot tell Bob that Alice's id is real. A new operation without a case fails
// the first test.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_CARDS, card, createStack, eventually, gql, ok, subscribe, wsClient, type GqlResult, type Stack } from "../support/stack.js";
import pg from "pg";
import { PASSWORD, merchantWithOwner, signIn, uniqueEmail, userWithRole } from "../support/users.js";

let stack: Stack;
let url: string;
let alice: string;
let bob: string;
/** Session tokens of each merchant's OWNER user (user operations need a user, not an API key). */
let aliceOwner: string;
let bobOwner: string;
/** Every id of Alice's that Bob's answers must never contain. */
const aliceIds: Record<string, string> = {};

type Result = GqlResult<Record<string, unknown>>;
const asAlice = (query: string, variables: Record<string, unknown> = {}): Promise<Result> => gql(url, query, variables, { key: alice });
const asBob = (query: string, variables: Record<string, unknown> = {}): Promise<Result> => gql(url, query, variables, { key: bob });

/** No id of Alice's in `result`, except the one Bob sent (a NOT_FOUND names the id it was asked for). */
function noLeak(result: unknown, sent?: string): void {
  const text = JSON.stringify(result);
  for (const [what, id] of Object.entries(aliceIds)) if (id !== sent) expect(text, `Bob's answer holds Alice's ${what}`).not.toContain(id);
}

const code = (r: Result): string | undefined => r.errors?.[0]?.extensions?.code;
const fakeLike = (id: string): string => `${id.split("_")[0]}_${"Zq".repeat(11)}`;

/**
 * Bob runs `query` with Alice's id in `variables(id)`: refused (NOT_FOUND or FORBIDDEN), no data,
 * no leak, and the same answer as for a made-up id of the same kind.
 */
async function refusedLikeUnknown(query: string, aliceId: string, variables: (id: string) => Record<string, unknown>, codes = ["NOT_FOUND", "FORBIDDEN"], as = bob): Promise<void> {
  const real = await gql(url, query, variables(aliceId), { key: as }) as Result;
  expect(codes).toContain(code(real));
  expect(real.data ?? null).toBeNull();
  noLeak(real, aliceId);
  const fake = fakeLike(aliceId);
  const unknown = await gql(url, query, variables(fake), { key: as }) as Result;
  expect(code(unknown)).toBe(code(real));
  expect(unknown.errors?.[0]?.message.replaceAll(fake, "<id>")).toBe(real.errors?.[0]?.message.replaceAll(aliceId, "<id>"));
}

/** Bob's own answer: no errors, none of Alice's ids. */
async function ownDataOnly(query: string, variables: Record<string, unknown> = {}, as = bob): Promise<Record<string, unknown>> {
  const result = await gql(url, query, variables, { key: as }) as Result;
  noLeak(result);
  return ok(result);
}

const PAYMENT = "query($id: ID!) { payment(id: $id) { id status } }";
const PAYMENT_STATE = async (): Promise<unknown> => ok(await asAlice("query($id: ID!) { payment(id: $id) { status version amountCaptured { minorUnits } amountRefunded { minorUnits } } }", { id: aliceIds.payment })).payment;
const hourStart = (): string => new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000).toISOString();
const ANALYTICS_INPUT = () => ({ from: hourStart(), to: new Date(Date.parse(hourStart()) + 3_600_000).toISOString(), interval: "HOUR", groupBy: ["GATEWAY"] });

/** A customer of Bob's with a saved card. */
async function bobCustomerAndCard(): Promise<{ customer: string; paymentMethod: string }> {
  const made = ok(await asBob('mutation { createCustomer(input: { email: "bob@example.com" }) { customer { id } } }')) as { createCustomer: { customer: { id: string } } };
  const pm = ok(await asBob("mutation($card: CardInput!) { createPaymentMethod(input: { card: $card }) { paymentMethod { id } } }", { card: card(TEST_CARDS.approve) })) as { createPaymentMethod: { paymentMethod: { id: string } } };
  return { customer: made.createCustomer.customer.id, paymentMethod: pm.createPaymentMethod.paymentMethod.id };
}

/** Alice's objects of every type node(id:) reads with an API key (her own key reads them all). */
const ALICE_NODES = (): string[] => [
  aliceIds.payment!, aliceIds.refund!, aliceIds.gatewayAccount!, aliceIds.apiKey!, aliceIds.customer!, aliceIds.paymentMethod!, aliceIds.oauthClient!,
  aliceIds.webhookEndpoint!, aliceIds.webhookEvent!, aliceIds.batch!, aliceIds.alertRule!, aliceIds.checkoutSession!, aliceIds.riskListEntry!,
];

/** One case per operation field: `Query.payment`, `Mutation.capturePayment`, `Subscription.paymentUpdated`. */
const CASES: Record<string, () => Promise<void>> = {
  // --- payments and refunds ---
  "Query.payment": () => refusedLikeUnknown(PAYMENT, aliceIds.payment!, (id) => ({ id })),
  "Query.node": async () => {
    // Every type node(id:) reads: Alice's id answers null, exactly as an id that does not exist.
    for (const id of ALICE_NODES()) {
      expect(ok(await asBob("query($id: ID!) { node(id: $id) { id } }", { id }))).toEqual({ node: null });
      expect(ok(await asBob("query($id: ID!) { node(id: $id) { id } }", { id: fakeLike(id) }))).toEqual({ node: null });
    }
    // Users and invitations: API keys hold no users:read, so Bob's OWNER session asks.
    for (const id of [aliceIds.owner!, aliceIds.invitation!]) {
      expect(ok(await gql(url, "query($id: ID!) { node(id: $id) { id } }", { id }, { key: bobOwner }))).toEqual({ node: null });
    }
  },
  "Query.nodes": async () => {
    const ids = ALICE_NODES();
    expect(ok(await asBob("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", { ids }))).toEqual({ nodes: ids.map(() => null) });
    expect((ok(await asAlice("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", { ids })).nodes as { id: string }[]).map((n) => n.id)).toEqual(ids);
  },
  "Query.payments": async () => void (await ownDataOnly("{ payments(first: 100) { edges { node { id } } } }")),
  "Query.refund": () => refusedLikeUnknown("query($id: ID!) { refund(id: $id) { id } }", aliceIds.refund!, (id) => ({ id })),
  "Mutation.createPayment": async () => {
    const made = await ownDataOnly('mutation { createPayment(input: { amount: "1.00", currency: "USD" }) { payment { id } } }');
    const id = (made.createPayment as { payment: { id: string } }).payment.id;
    expect(code(await asAlice(PAYMENT, { id }))).toBe("NOT_FOUND");
    await refusedLikeUnknown('mutation($cus: ID!) { createPayment(input: { amount: "1.00", currency: "USD", customerId: $cus }) { payment { id } } }', aliceIds.customer!, (cus) => ({ cus }));
  },
  "Mutation.confirmPayment": async () => {
    const before = await PAYMENT_STATE();
    await refusedLikeUnknown("mutation($id: ID!, $card: CardInput!) { confirmPayment(input: { paymentId: $id, card: $card }) { payment { id } } }", aliceIds.payment!, (id) => ({ id, card: card(TEST_CARDS.approve) }));
    expect(await PAYMENT_STATE()).toEqual(before);
    // Bob's own payment, paid with Alice's card token or saved card: as if they did not exist.
    const bobPayment = async (): Promise<string> => ((ok(await asBob('mutation { createPayment(input: { amount: "3.00", currency: "USD" }) { payment { id } } }')).createPayment) as { payment: { id: string } }).payment.id;
    const paymentId = await bobPayment();
    await refusedLikeUnknown("mutation($p: ID!, $token: String!) { confirmPayment(input: { paymentId: $p, token: $token }) { payment { id } } }", aliceIds.cardToken!, (token) => ({ p: paymentId, token }));
    await refusedLikeUnknown("mutation($p: ID!, $pm: ID!) { confirmPayment(input: { paymentId: $p, paymentMethodId: $pm }) { payment { id } } }", aliceIds.paymentMethod!, (pm) => ({ p: paymentId, pm }));
    expect((ok(await asBob(PAYMENT, { id: paymentId })).payment as { status: string }).status).toBe("REQUIRES_PAYMENT_METHOD");
  },
  "Mutation.capturePayment": async () => {
    const before = await PAYMENT_STATE();
    await refusedLikeUnknown("mutation($id: ID!) { capturePayment(input: { paymentId: $id }) { payment { id } } }", aliceIds.payment!, (id) => ({ id }));
    expect(await PAYMENT_STATE()).toEqual(before);
  },
  "Mutation.cancelPayment": async () => {
    const before = await PAYMENT_STATE();
    await refusedLikeUnknown("mutation($id: ID!) { cancelPayment(input: { paymentId: $id }) { payment { id } } }", aliceIds.payment!, (id) => ({ id }));
    expect(await PAYMENT_STATE()).toEqual(before);
  },
  "Mutation.refundPayment": async () => {
    const before = await PAYMENT_STATE();
    await refusedLikeUnknown('mutation($id: ID!) { refundPayment(input: { paymentId: $id, amount: "1.00" }) { refund { id } } }', aliceIds.payment!, (id) => ({ id }));
    expect(await PAYMENT_STATE()).toEqual(before);
  },
  "Subscription.paymentUpdated": async () => {
    const client = wsClient(url, bob);
    const witness = wsClient(url, alice);
    const aimed = subscribe(client, "subscription($id: ID) { paymentUpdated(paymentId: $id) { id status } }", { id: aliceIds.payment });
    const all = subscribe(client, "subscription { paymentUpdated { id status } }", {});
    const hers = subscribe(witness, "subscription { paymentUpdated { id amountRefunded { minorUnits } } }", {});
    await eventually(async () => aimed.errors.length, (n) => n > 0);
    expect(JSON.stringify(aimed.errors)).toContain("NOT_FOUND");
    // Alice's payment changes while Bob listens to all of his payments; once Alice has heard of it,
    // Bob changes one of his own and hears that: nothing of Alice's came before or with it.
    ok(await asAlice('mutation($id: ID!) { refundPayment(input: { paymentId: $id, amount: "0.01" }) { refund { id } } }', { id: aliceIds.payment }));
    await hers.until((e) => JSON.stringify(e).includes(aliceIds.payment!));
    const mine = ok(await asBob('mutation { createPayment(input: { amount: "2.00", currency: "USD" }) { payment { id } } }')) as { createPayment: { payment: { id: string } } };
    ok(await asBob('mutation($id: ID!) { cancelPayment(input: { paymentId: $id }) { payment { id } } }', { id: mine.createPayment.payment.id }));
    await all.until((e) => JSON.stringify(e).includes(mine.createPayment.payment.id));
    noLeak(all.events);
    noLeak(aimed.events);
    await Promise.all([client.dispose(), witness.dispose()]);
  },

  // --- customers, saved cards, card tokens ---
  "Query.customer": () => refusedLikeUnknown("query($id: ID!) { customer(id: $id) { id email } }", aliceIds.customer!, (id) => ({ id })),
  "Query.customers": async () => void (await ownDataOnly("{ customers(first: 100) { edges { node { id paymentMethods { nodes { id } } } } } }")),
  "Mutation.createCustomer": async () => {
    const made = await ownDataOnly('mutation { createCustomer(input: { email: "bob@example.com" }) { customer { id } } }');
    expect(code(await asAlice("query($id: ID!) { customer(id: $id) { id } }", { id: (made.createCustomer as { customer: { id: string } }).customer.id }))).toBe("NOT_FOUND");
  },
  "Mutation.updateCustomer": async () => {
    await refusedLikeUnknown('mutation($id: ID!) { updateCustomer(input: { id: $id, name: "stolen" }) { customer { id } } }', aliceIds.customer!, (id) => ({ id }));
    expect(ok(await asAlice("query($id: ID!) { customer(id: $id) { name } }", { id: aliceIds.customer })).customer).toEqual({ name: "Alice's customer" });
  },
  "Mutation.deleteCustomer": async () => {
    await refusedLikeUnknown("mutation($id: ID!) { deleteCustomer(input: { id: $id }) { deletedCustomerId } }", aliceIds.customer!, (id) => ({ id }));
    expect(ok(await asAlice("query($id: ID!) { customer(id: $id) { paymentMethods { nodes { id } } } }", { id: aliceIds.customer })).customer).toEqual({ paymentMethods: { nodes: [{ id: aliceIds.paymentMethod }] } });
  },
  "Mutation.createPaymentMethod": async () => {
    // onto Alice's customer, or from Alice's card token: both as if they did not exist
    await refusedLikeUnknown("mutation($id: ID!, $card: CardInput!) { createPaymentMethod(input: { card: $card, customerId: $id }) { paymentMethod { id } } }", aliceIds.customer!, (id) => ({ id, card: card(TEST_CARDS.approve) }));
    await refusedLikeUnknown("mutation($token: String!) { createPaymentMethod(input: { token: $token }) { paymentMethod { id } } }", aliceIds.cardToken!, (token) => ({ token }));
  },
  "Mutation.attachPaymentMethod": async () => {
    const bobs = await bobCustomerAndCard();
    await refusedLikeUnknown("mutation($pm: ID!, $cus: ID!) { attachPaymentMethod(input: { paymentMethodId: $pm, customerId: $cus }) { paymentMethod { id } } }", aliceIds.paymentMethod!, (pm) => ({ pm, cus: bobs.customer }));
    await refusedLikeUnknown("mutation($pm: ID!, $cus: ID!) { attachPaymentMethod(input: { paymentMethodId: $pm, customerId: $cus }) { paymentMethod { id } } }", aliceIds.customer!, (cus) => ({ pm: bobs.paymentMethod, cus }));
  },
  "Mutation.detachPaymentMethod": async () => {
    await refusedLikeUnknown("mutation($pm: ID!) { detachPaymentMethod(input: { paymentMethodId: $pm }) { paymentMethod { id } } }", aliceIds.paymentMethod!, (pm) => ({ pm }));
    expect(ok(await asAlice("query($id: ID!) { customer(id: $id) { paymentMethods { nodes { id } } } }", { id: aliceIds.customer })).customer).toEqual({ paymentMethods: { nodes: [{ id: aliceIds.paymentMethod }] } });
  },

  // --- analytics and gateway health ---
  "Query.analytics": async () => {
    const mine = await ownDataOnly("query($input: AnalyticsInput!) { analytics(input: $input) { buckets { groups { key { gateway { id name } } payments } } } }", { input: ANALYTICS_INPUT() });
    expect(JSON.stringify(mine)).not.toContain(aliceIds.gatewayAccountName);
  },
  "Subscription.analyticsUpdated": async () => {
    const client = wsClient(url, bob);
    const witness = wsClient(url, alice);
    const QUERY = "subscription($input: AnalyticsInput!) { analyticsUpdated(input: $input) { buckets { groups { key { gateway { id name } } payments refunds } } } }";
    const live = subscribe(client, QUERY, { input: ANALYTICS_INPUT() });
    const hers = subscribe(witness, QUERY, { input: ANALYTICS_INPUT() });
    await hers.until(() => true); // her initial answer: the count to beat
    // Refunds over all her groups (a payment not yet routed has a group of its own).
    const refunds = (e: unknown): number => [...JSON.stringify(e).matchAll(/"refunds":(\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
    const refundsBefore = refunds(hers.events[0]);
    ok(await asAlice('mutation($id: ID!) { refundPayment(input: { paymentId: $id, amount: "0.01" }) { refund { id } } }', { id: aliceIds.payment }));
    await hers.until((e) => refunds(e) !== refundsBefore); // Alice's figures moved…
    expect(JSON.stringify(live.events)).not.toContain(aliceIds.gatewayAccountName); // …Bob's did not carry them
    noLeak(live.events);
    await Promise.all([client.dispose(), witness.dispose()]);
  },
  "Query.gateways": async () => void (await ownDataOnly("{ gateways { account { id name } attempts } }")),

  // --- gateways, routing, decisions ---
  "Query.gatewayAccounts": async () => void (await ownDataOnly("{ gatewayAccounts { id name } }")),
  "Mutation.createGatewayAccount": async () => {
    // Bob may use the same name as Alice: names are per merchant, so nothing tells him hers exists.
    await ownDataOnly(`mutation { createGatewayAccount(input: { name: "${aliceIds.gatewayAccountName}", kind: SANDBOX, config: { url: "http://127.0.0.1:9" } }) { gatewayAccount { id } } }`.replace(aliceIds.gatewayAccountName!, "bob-acquirer"));
    const names = (ok(await asAlice("{ gatewayAccounts { name } }")).gatewayAccounts as { name: string }[]).map((g) => g.name);
    expect(names).not.toContain("bob-acquirer");
  },
  "Mutation.updateGatewayAccount": () => refusedLikeUnknown("mutation($id: ID!) { updateGatewayAccount(input: { id: $id, priority: 1 }) { gatewayAccount { id } } }", aliceIds.gatewayAccount!, (id) => ({ id })),
  "Mutation.disableGatewayAccount": async () => {
    await refusedLikeUnknown("mutation($id: ID!) { disableGatewayAccount(input: { id: $id }) { gatewayAccount { id } } }", aliceIds.gatewayAccount!, (id) => ({ id }));
    const accounts = ok(await asAlice("{ gatewayAccounts { id enabled } }")).gatewayAccounts as { id: string; enabled: boolean }[];
    expect(accounts.find((a) => a.id === aliceIds.gatewayAccount)?.enabled).toBe(true);
  },
  "Query.routingRules": async () => void (await ownDataOnly("{ routingRules { name action { gateways { gatewayAccountId } } } }")),
  "Mutation.setRoutingRules": async () => {
    // A rule naming Alice's gateway account is refused exactly like one naming no account at all.
    await refusedLikeUnknown(
      "mutation($id: ID!) { setRoutingRules(input: { rules: [{ name: \"steal\", when: {}, action: { type: FIXED, gateways: [{ gatewayAccountId: $id }] } }] }) { rules { name } } }",
      aliceIds.gatewayAccount!, (id) => ({ id }), ["BAD_USER_INPUT"],
    );
    expect(JSON.stringify(ok(await asAlice("{ routingRules { name } }")))).toContain("alice-rule");
  },
  "Query.gatewayDecisions": async () => {
    const rows = await ownDataOnly("{ gatewayDecisions(kind: SANDBOX) { messageContains source } }");
    expect(JSON.stringify(rows)).not.toContain("alice-marker");
  },
  "Mutation.setGatewayDecisionOverrides": async () => {
    await ownDataOnly('mutation { setGatewayDecisionOverrides(input: { kind: SANDBOX, rules: [] }) { rules { source } } }');
    expect(JSON.stringify(ok(await asAlice("{ gatewayDecisions(kind: SANDBOX) { messageContains } }")))).toContain("alice-marker");
  },

  // --- API keys ---
  "Query.apiKeys": async () => void (await ownDataOnly("{ apiKeys { nodes { id } } }")),
  "Mutation.createApiKey": async () => {
    const made = await ownDataOnly('mutation { createApiKey(input: { name: "bob-extra", kind: SECRET }) { apiKey { id } } }');
    const id = (made.createApiKey as { apiKey: { id: string } }).apiKey.id;
    expect(JSON.stringify(ok(await asAlice("{ apiKeys { nodes { id } } }")))).not.toContain(id);
  },
  "Mutation.rollApiKey": () => refusedLikeUnknown("mutation($id: ID!) { rollApiKey(input: { id: $id, gracePeriodSeconds: 0 }) { secret } }", aliceIds.apiKey!, (id) => ({ id })),
  "Mutation.revokeApiKey": () => refusedLikeUnknown("mutation($id: ID!) { revokeApiKey(input: { id: $id }) { apiKey { id } } }", aliceIds.apiKey!, (id) => ({ id })),
  "Mutation.setApiKeyRateLimit": () => refusedLikeUnknown("mutation($id: ID!) { setApiKeyRateLimit(input: { id: $id, rateLimitPerSecond: 1 }) { apiKey { id } } }", aliceIds.apiKey!, (id) => ({ id })),

  // --- OAuth clients ---
  "Query.oauthClients": async () => void (await ownDataOnly("{ oauthClients { nodes { id name } } }")),
  "Mutation.createOAuthClient": async () => {
    const made = await ownDataOnly('mutation { createOAuthClient(input: { name: "bob-client", scopes: ["payments:read"] }) { client { id } } }');
    expect(JSON.stringify(ok(await asAlice("{ oauthClients { nodes { id } } }")))).not.toContain((made.createOAuthClient as { client: { id: string } }).client.id);
  },
  "Mutation.revokeOAuthClient": async () => {
    await refusedLikeUnknown("mutation($id: ID!) { revokeOAuthClient(input: { id: $id }) { client { id } } }", aliceIds.oauthClient!, (id) => ({ id }));
    expect(JSON.stringify(ok(await asAlice("{ oauthClients { nodes { id } } }")))).toContain(aliceIds.oauthClient);
  },

  // --- audit log ---
  "Query.auditLog": async () => {
    await ownDataOnly("{ auditLog(first: 100) { edges { node { id entityId before after } } } }");
    const aimed = await ownDataOnly("query($id: String) { auditLog(filter: { entityId: $id }) { edges { node { id } } } }", { id: aliceIds.payment });
    expect((aimed.auditLog as { edges: unknown[] }).edges).toEqual([]);
  },
  "Query.verifyAuditChain": async () => void (await ownDataOnly("{ verifyAuditChain { ok checked headSeq firstBroken { id } } }")),

  // --- merchant users (as Bob's OWNER, signed in) ---
  "Query.me": async () => {
    const me = await ownDataOnly("{ me { userId email role } }", {}, bobOwner);
    expect((me.me as { role: string }).role).toBe("OWNER");
  },
  "Query.users": async () => void (await ownDataOnly("{ users { nodes { id name email role } } }", {}, bobOwner)),
  "Query.invitations": async () => void (await ownDataOnly("{ invitations { nodes { id email } } }", {}, bobOwner)),
  "Mutation.inviteUser": async () => {
    await ownDataOnly("mutation($email: String!) { inviteUser(input: { email: $email, role: ANALYST, name: \"B\" }) { invitation { id } } }", { email: uniqueEmail("bob-invitee") }, bobOwner);
    noLeak(ok(await gql(url, "{ invitations { nodes { email } } }", {}, { key: bobOwner })));
  },
  "Mutation.acceptInvitation": async () => {
    // Alice's revoked invitation is refused like a made-up one, and says nothing about her.
    const r = (await gql(url, "mutation($t: String!) { acceptInvitation(input: { token: $t, password: \"a long enough password\" }) { user { id } } }", { t: aliceIds.revokedInviteToken })) as Result;
    const made = (await gql(url, "mutation($t: String!) { acceptInvitation(input: { token: $t, password: \"a long enough password\" }) { user { id } } }", { t: `pgi_${"Zq".repeat(20)}` })) as Result;
    expect(r.data ?? null).toBeNull();
    expect(code(r)).toBe(code(made));
    expect(r.errors?.[0]?.message).toBe(made.errors?.[0]?.message);
    noLeak(r);
  },
  "Mutation.signIn": async () => {
    // Alice's user's email with a wrong password answers exactly as an unknown email.
    const wrong = (await gql(url, "mutation($e: String!) { signIn(input: { email: $e, password: \"not the password\" }) { token } }", { e: aliceIds.userEmail })) as Result;
    const unknown = (await gql(url, "mutation($e: String!) { signIn(input: { email: $e, password: \"not the password\" }) { token } }", { e: uniqueEmail("nobody") })) as Result;
    expect(code(wrong)).toBe("UNAUTHENTICATED");
    expect(wrong.errors?.[0]?.message).toBe(unknown.errors?.[0]?.message);
    noLeak(wrong, aliceIds.userEmail);
  },
  "Mutation.signOut": async () => {
    const bobSession = await signIn(url, (ok(await gql(url, "{ me { email } }", {}, { key: bobOwner })) as { me: { email: string } }).me.email, PASSWORD);
    await ownDataOnly("mutation { signOut { revoked } }", {}, bobSession);
    // Bob signing out ends his session only: Alice's user is still signed in.
    expect(ok(await gql(url, "{ me { userId } }", {}, { key: aliceIds.userSession }))).toEqual({ me: { userId: aliceIds.user } });
  },
  "Mutation.updateUserRole": async () => {
    await refusedLikeUnknown("mutation($id: ID!) { updateUserRole(input: { id: $id, role: ANALYST }) { user { id } } }", aliceIds.user!, (id) => ({ id }), ["NOT_FOUND", "FORBIDDEN"], bobOwner);
    expect(ok(await gql(url, "{ me { role } }", {}, { key: aliceIds.userSession }))).toEqual({ me: { role: "DEVELOPER" } });
  },
  "Mutation.removeUser": async () => {
    await refusedLikeUnknown("mutation($id: ID!) { removeUser(input: { id: $id }) { user { id } } }", aliceIds.user!, (id) => ({ id }), ["NOT_FOUND", "FORBIDDEN"], bobOwner);
    await refusedLikeUnknown("mutation($id: ID!) { removeUser(input: { id: $id }) { user { id } } }", aliceIds.owner!, (id) => ({ id }), ["NOT_FOUND", "FORBIDDEN"], bobOwner);
    expect(ok(await gql(url, "{ me { userId } }", {}, { key: aliceIds.userSession }))).toEqual({ me: { userId: aliceIds.user } });
  },
  "Mutation.revokeInvitation": async () => {
    await refusedLikeUnknown("mutation($id: ID!) { revokeInvitation(input: { id: $id }) { invitation { id } } }", aliceIds.invitation!, (id) => ({ id }), ["NOT_FOUND", "FORBIDDEN"], bobOwner);
    expect(JSON.stringify(ok(await gql(url, "{ invitations { nodes { id } } }", {}, { key: aliceOwner })))).toContain(aliceIds.invitation);
  },

  // --- exchange rates: platform data, the same for every merchant; only platform admins write them ---
  "Query.exchangeRate": async () => noLeak(await asBob('{ exchangeRate(from: "USD", to: "EUR") { rate source } }')),
  "Query.convert": async () => noLeak(await asBob('{ convert(amount: "1.00", from: "USD", to: "EUR") { converted { amount } } }')),
  "Mutation.setExchangeRate": async () => {
    const r = await asBob('mutation { setExchangeRate(input: { from: "USD", to: "EUR", rate: "9" }) { exchangeRate { rate } } }');
    expect(code(r)).toBe("FORBIDDEN");
  },

  // --- webhooks: endpoints, events and deliveries are the merchant's own ---
  "Query.webhookEndpoints": async () => void (await ownDataOnly("{ webhookEndpoints { nodes { id url } } }")),
  "Query.webhookEndpoint": () => refusedLikeUnknown("query($id: ID!) { webhookEndpoint(id: $id) { id } }", aliceIds.webhookEndpoint!, (id) => ({ id })),
  "Query.webhookEventTypes": async () => void (await ownDataOnly("{ webhookEventTypes }")),
  "Query.webhookEvents": async () => {
    await ownDataOnly("{ webhookEvents(first: 100) { edges { node { id objectId data } } } }");
    await ownDataOnly("query($o: ID!) { webhookEvents(first: 100, filter: { objectId: $o }) { edges { node { id } } } }", { o: aliceIds.payment });
  },
  "Query.webhookEvent": () => refusedLikeUnknown("query($id: ID!) { webhookEvent(id: $id) { id } }", aliceIds.webhookEvent!, (id) => ({ id })),
  "Query.webhookDeliveries": () => refusedLikeUnknown("query($id: ID!) { webhookDeliveries(endpointId: $id) { edges { node { id } } } }", aliceIds.webhookEndpoint!, (id) => ({ id })),
  "Mutation.createWebhookEndpoint": async () => {
    await ownDataOnly('mutation { createWebhookEndpoint(input: { url: "http://127.0.0.1:9/bob", events: ["test.ping"] }) { webhookEndpoint { id } } }');
    expect((ok(await asAlice("{ webhookEndpoints { nodes { id } } }")).webhookEndpoints as { nodes: unknown[] }).nodes.length).toBe(1);
  },
  "Mutation.updateWebhookEndpoint": () => refusedLikeUnknown("mutation($id: ID!) { updateWebhookEndpoint(input: { id: $id, enabled: false }) { webhookEndpoint { id } } }", aliceIds.webhookEndpoint!, (id) => ({ id })),
  "Mutation.deleteWebhookEndpoint": () => refusedLikeUnknown("mutation($id: ID!) { deleteWebhookEndpoint(input: { id: $id }) { webhookEndpoint { id } } }", aliceIds.webhookEndpoint!, (id) => ({ id })),
  "Mutation.rollWebhookEndpointSecret": () => refusedLikeUnknown("mutation($id: ID!) { rollWebhookEndpointSecret(input: { id: $id }) { secret } }", aliceIds.webhookEndpoint!, (id) => ({ id })),
  "Mutation.sendTestWebhookEvent": () => refusedLikeUnknown("mutation($id: ID!) { sendTestWebhookEvent(input: { endpointId: $id }) { webhookEvent { id } } }", aliceIds.webhookEndpoint!, (id) => ({ id })),
  "Mutation.redeliverWebhookEvent": async () => {
    const own = ok(await asBob('mutation { createWebhookEndpoint(input: { url: "http://127.0.0.1:9/bob-redeliver", events: ["test.ping"] }) { webhookEndpoint { id } } }')) as { createWebhookEndpoint: { webhookEndpoint: { id: string } } };
    const endpointId = own.createWebhookEndpoint.webhookEndpoint.id;
    await refusedLikeUnknown("mutation($e: ID!, $w: ID!) { redeliverWebhookEvent(input: { eventId: $e, endpointId: $w }) { webhookEvent { id } } }", aliceIds.webhookEvent!, (e) => ({ e, w: endpointId }));
    await refusedLikeUnknown("mutation($e: ID!, $w: ID!) { redeliverWebhookEvent(input: { eventId: $e, endpointId: $w }) { webhookEvent { id } } }", aliceIds.webhookEndpoint!, (w) => ({ e: aliceIds.webhookEvent, w }));
  },
  "Mutation.replayWebhookEvents": () => refusedLikeUnknown('mutation($id: ID!) { replayWebhookEvents(input: { endpointId: $id, from: "2026-01-01T00:00:00Z", to: "2030-01-01T00:00:00Z" }) { queued } }', aliceIds.webhookEndpoint!, (id) => ({ id })),
  "Subscription.webhookDeliveryUpdated": async () => {
    const client = wsClient(url, bob);
    const aimed = subscribe(client, "subscription($id: ID) { webhookDeliveryUpdated(endpointId: $id) { id } }", { id: aliceIds.webhookEndpoint });
    await eventually(async () => aimed.errors.length, (n) => n > 0);
    expect(JSON.stringify(aimed.errors)).toContain("NOT_FOUND");
    aimed.dispose();
    await client.dispose();
  },

  // --- alerts ---
  "Query.alertRules": async () => void (await ownDataOnly("{ alertRules { nodes { id name condition { gatewayAccountId } channels { target } } } }")),
  "Query.alerts": async () => void (await ownDataOnly("{ alerts(first: 100) { edges { node { id ruleId subject } } } }")),
  "Query.alert": () => refusedLikeUnknown("query($id: ID!) { alert(id: $id) { id } }", aliceIds.alert!, (id) => ({ id })),
  "Mutation.createAlertRule": async () => {
    // Alice's account and endpoint are, to Bob's rules, ones that do not exist: the same input error.
    await refusedLikeUnknown("mutation($g: ID!) { createAlertRule(input: { name: \"b\", condition: { kind: CIRCUIT_OPEN, gatewayAccountId: $g }, channels: [] }) { alertRule { id } } }", aliceIds.gatewayAccount!, (g) => ({ g }), ["BAD_USER_INPUT"]);
    await refusedLikeUnknown("mutation($w: String!) { createAlertRule(input: { name: \"b\", condition: { kind: CIRCUIT_OPEN }, channels: [{ kind: WEBHOOK, target: $w }] }) { alertRule { id } } }", aliceIds.webhookEndpoint!, (w) => ({ w }), ["BAD_USER_INPUT"]);
    expect((ok(await asBob("{ alertRules { nodes { id } } }")).alertRules as { nodes: unknown[] }).nodes.length).toBe(0);
  },
  "Mutation.deleteAlertRule": async () => {
    await refusedLikeUnknown("mutation($id: ID!) { deleteAlertRule(input: { id: $id }) { alertRule { id } } }", aliceIds.alertRule!, (id) => ({ id }));
    expect((ok(await asAlice("{ alertRules { nodes { id } } }")).alertRules as { nodes: unknown[] }).nodes.length).toBe(1);
  },
  "Subscription.alertUpdated": async () => {
    const client = wsClient(url, bob);
    const aimed = subscribe(client, "subscription($id: ID) { alertUpdated(ruleId: $id) { id } }", { id: aliceIds.alertRule });
    await eventually(async () => aimed.errors.length, (n) => n > 0);
    expect(JSON.stringify(aimed.errors)).toContain("NOT_FOUND");
    aimed.dispose();
    await client.dispose();
  },

  // --- fraud and risk: rules and lists are the merchant's own; a report or removal aimed at Alice's ids is unknown ---
  "Query.riskRules": async () => {
    const mine = JSON.stringify(await ownDataOnly("{ riskRules { version rules { name } } }"));
    expect(mine).not.toContain("alice-risk-rule");
  },
  "Mutation.setRiskRules": async () => {
    await ownDataOnly('mutation { setRiskRules(input: { rules: [{ name: "bob-rule", action: REVIEW, when: "amount > 1" }] }) { riskSettings { version } } }');
    await ownDataOnly('mutation { setRiskRules(input: { rules: [] }) { riskSettings { version } } }');
    expect(JSON.stringify(ok(await asAlice("{ riskRules { rules { name } } }")))).toContain("alice-risk-rule");
  },
  "Query.riskListEntries": async () => void (await ownDataOnly("{ riskListEntries(first: 100) { edges { node { id label } } } }")),
  "Mutation.addRiskListEntry": async () => {
    // Alice's customer is as unknown to Bob as a made-up one.
    await refusedLikeUnknown("mutation($id: ID!) { addRiskListEntry(input: { list: ALLOW, customerId: $id }) { riskListEntry { id } } }", aliceIds.customer!, (id) => ({ id }));
  },
  "Mutation.removeRiskListEntry": async () => {
    await refusedLikeUnknown("mutation($id: ID!) { removeRiskListEntry(input: { id: $id }) { riskListEntry { id } } }", aliceIds.riskListEntry!, (id) => ({ id }));
    expect(JSON.stringify(ok(await asAlice("{ riskListEntries(first: 100) { edges { node { id } } } }")))).toContain(aliceIds.riskListEntry);
  },
  "Mutation.reportFraud": async () => {
    await refusedLikeUnknown("mutation($id: ID!) { reportFraud(input: { paymentId: $id }) { payment { id } } }", aliceIds.payment!, (id) => ({ id }));
    expect(JSON.stringify(ok(await asAlice("{ riskListEntries(first: 100) { edges { node { paymentId } } } }")))).not.toContain(aliceIds.payment);
  },

  // --- review (risk:review is a user-only scope: Bob's key is refused outright, his owner sees nothing of Alice's) ---
  "Mutation.approvePayment": async () => {
    const before = await PAYMENT_STATE();
    const approve = "mutation($id: ID!) { approvePayment(input: { paymentId: $id }) { payment { id } } }";
    await refusedLikeUnknown(approve, aliceIds.payment!, (id) => ({ id }), ["FORBIDDEN"]);
    await refusedLikeUnknown(approve, aliceIds.payment!, (id) => ({ id }), ["NOT_FOUND"], bobOwner);
    expect(await PAYMENT_STATE()).toEqual(before);
  },
  "Mutation.rejectPayment": async () => {
    const before = await PAYMENT_STATE();
    const reject = 'mutation($id: ID!) { rejectPayment(input: { paymentId: $id, reason: "no" }) { payment { id } } }';
    await refusedLikeUnknown(reject, aliceIds.payment!, (id) => ({ id }), ["FORBIDDEN"]);
    await refusedLikeUnknown(reject, aliceIds.payment!, (id) => ({ id }), ["NOT_FOUND"], bobOwner);
    expect(await PAYMENT_STATE()).toEqual(before);
  },

  // --- hosted checkout ---
  "Query.checkoutSession": () => refusedLikeUnknown("query($id: ID!) { checkoutSession(id: $id) { id status url } }", aliceIds.checkoutSession!, (id) => ({ id })),
  "Mutation.createCheckoutSession": async () => {
    const made = await ownDataOnly('mutation { createCheckoutSession(input: { amount: "1.00", currency: "USD", successUrl: "https://bob.example/thanks" }) { checkoutSession { id url payment { id } } } }');
    expect(JSON.stringify(made)).toContain("cs_");
  },
  "Mutation.expireCheckoutSession": async () => {
    await refusedLikeUnknown("mutation($id: ID!) { expireCheckoutSession(input: { id: $id }) { checkoutSession { id } } }", aliceIds.checkoutSession!, (id) => ({ id }));
    expect((ok(await asAlice("query($id: ID!) { checkoutSession(id: $id) { status } }", { id: aliceIds.checkoutSession })).checkoutSession as { status: string }).status).toBe("OPEN");
  },
  "Mutation.payCheckoutSession": async () => {
    const pay = "mutation($id: ID!, $card: CardInput!) { payCheckoutSession(input: { id: $id, card: $card }) { checkoutSession { id } } }";
    // Bob's key holds no checkout:session; Bob's own session's secret opens his session only.
    await refusedLikeUnknown(pay, aliceIds.checkoutSession!, (id) => ({ id, card: card(TEST_CARDS.approve) }), ["FORBIDDEN"]);
    const mine = ok(await asBob('mutation { createCheckoutSession(input: { amount: "1.00", currency: "USD", successUrl: "https://bob.example/thanks" }) { checkoutSession { url } } }')) as { createCheckoutSession: { checkoutSession: { url: string } } };
    const bobSecret = new URL(mine.createCheckoutSession.checkoutSession.url).hash.slice(1);
    await refusedLikeUnknown(pay, aliceIds.checkoutSession!, (id) => ({ id, card: card(TEST_CARDS.approve) }), ["FORBIDDEN"], bobSecret);
    await refusedLikeUnknown("query($id: ID!) { checkoutSession(id: $id) { id } }", aliceIds.checkoutSession!, (id) => ({ id }), ["FORBIDDEN"], bobSecret);
    expect((ok(await asAlice("query($id: ID!) { checkoutSession(id: $id) { paymentStatus } }", { id: aliceIds.checkoutSession })).checkoutSession as { paymentStatus: string }).paymentStatus).toBe("REQUIRES_PAYMENT_METHOD");
  },
  "Subscription.checkoutSessionUpdated": async () => {
    const client = wsClient(url, bob);
    const aimed = subscribe(client, "subscription($id: ID!) { checkoutSessionUpdated(id: $id) { id } }", { id: aliceIds.checkoutSession });
    await eventually(async () => aimed.errors.length, (n) => n > 0);
    expect(JSON.stringify(aimed.errors)).toContain("NOT_FOUND");
    aimed.dispose();
    await client.dispose();
  },

  // --- batches ---
  "Query.batch": () => refusedLikeUnknown("query($id: ID!) { batch(id: $id) { id items { items { paymentId } } } }", aliceIds.batch!, (id) => ({ id })),
  "Query.batches": async () => void (await ownDataOnly("{ batches(first: 100) { edges { node { id } } } }")),
  "Mutation.createBatch": async () => {
    const before = await PAYMENT_STATE();
    // Alice's payment is, to Bob's batch, a payment that does not exist: the same line error.
    await refusedLikeUnknown("mutation($p: ID!) { createBatch(input: { operation: REFUND, items: [{ paymentId: $p }] }) { batch { id } } }", aliceIds.payment!, (p) => ({ p }), ["BAD_USER_INPUT"]);
    expect(await PAYMENT_STATE()).toEqual(before);
  },
  "Mutation.cancelBatch": () => refusedLikeUnknown("mutation($id: ID!) { cancelBatch(input: { id: $id }) { batch { id } } }", aliceIds.batch!, (id) => ({ id })),
  "Subscription.batchUpdated": async () => {
    const client = wsClient(url, bob);
    const aimed = subscribe(client, "subscription($id: ID!) { batchUpdated(id: $id) { id } }", { id: aliceIds.batch });
    await eventually(async () => aimed.errors.length, (n) => n > 0);
    expect(JSON.stringify(aimed.errors)).toContain("NOT_FOUND");
    aimed.dispose();
    await client.dispose();
  },
};

beforeAll(async () => {
  stack = await createStack();
  url = (await stack.start(["start", "--role", "all", "--port", "0"])).url;
  const [a, b] = [await merchantWithOwner(stack, uniqueEmail("alice")), await merchantWithOwner(stack, uniqueEmail("bob"))];
  [alice, bob] = [a.secretKey, b.secretKey];
  [aliceOwner, bobOwner] = await Promise.all([signIn(url, a.ownerEmail), signIn(url, b.ownerEmail)]);
  aliceIds.ownerEmail = a.ownerEmail;
  aliceIds.owner = a.ownerUserId;
  const developer = await userWithRole(url, aliceOwner, "DEVELOPER");
  [aliceIds.user, aliceIds.userEmail, aliceIds.userSession] = [developer.id, developer.email, developer.token];
  const invited = ok(await gql(url, "mutation($email: String!) { inviteUser(input: { email: $email, role: SUPPORT, name: \"Pending\" }) { invitation { id } inviteToken } }", { email: uniqueEmail("alice-invitee") }, { key: aliceOwner })) as { inviteUser: { invitation: { id: string }; inviteToken: string } };
  aliceIds.invitation = invited.inviteUser.invitation.id;
  const revoked = ok(await gql(url, "mutation($email: String!) { inviteUser(input: { email: $email, role: SUPPORT, name: \"Revoked\" }) { invitation { id } inviteToken } }", { email: uniqueEmail("alice-revoked") }, { key: aliceOwner })) as { inviteUser: { invitation: { id: string }; inviteToken: string } };
  ok(await gql(url, "mutation($id: ID!) { revokeInvitation(input: { id: $id }) { invitation { id } } }", { id: revoked.inviteUser.invitation.id }, { key: aliceOwner }));
  aliceIds.revokedInviteToken = revoked.inviteUser.inviteToken;
  // Alice: a gateway account of her own (used for her payment), a rule, an override, an extra key,
  // a captured payment with a refund.
  aliceIds.gatewayAccountName = "alice-acquirer-7f3";
  const sandbox = (await stack.start(["sandbox", "--port", "0", "--name", "alice-acquirer"])).url;
  const account = ok(await asAlice(`mutation($config: JSONObject!) { createGatewayAccount(input: { name: "${aliceIds.gatewayAccountName}", kind: SANDBOX, config: $config }) { gatewayAccount { id } } }`, { config: { url: sandbox } }));
  aliceIds.gatewayAccount = (account.createGatewayAccount as { gatewayAccount: { id: string } }).gatewayAccount.id;
  ok(await asAlice("mutation($id: ID!) { setRoutingRules(input: { rules: [{ name: \"alice-rule\", when: { currencies: [\"EUR\"] }, action: { type: FIXED, gateways: [{ gatewayAccountId: $id }] } }] }) { rules { name } } }", { id: aliceIds.gatewayAccount }));
  ok(await asAlice('mutation { setGatewayDecisionOverrides(input: { kind: SANDBOX, rules: [{ code: "processing_error", messageContains: "alice-marker", decision: STOP }] }) { rules { source } } }'));
  const key = ok(await asAlice('mutation { createApiKey(input: { name: "alice-extra", kind: RESTRICTED, scopes: ["payments:read"] }) { apiKey { id } } }'));
  aliceIds.apiKey = (key.createApiKey as { apiKey: { id: string } }).apiKey.id;
  const customer = ok(await asAlice('mutation { createCustomer(input: { email: "shopper@alice.example", name: "Alice\'s customer" }) { customer { id } } }'));
  aliceIds.customer = (customer.createCustomer as { customer: { id: string } }).customer.id;
  const saved = ok(await asAlice("mutation($card: CardInput!, $cus: ID!) { createPaymentMethod(input: { card: $card, customerId: $cus }) { paymentMethod { id } } }", { card: card(TEST_CARDS.approve), cus: aliceIds.customer }));
  aliceIds.paymentMethod = (saved.createPaymentMethod as { paymentMethod: { id: string } }).paymentMethod.id;
  const publishable = ok(await asAlice('mutation { createApiKey(input: { name: "alice-checkout", kind: PUBLISHABLE }) { secret } }'));
  const tokenized = await fetch(`${url}/v1/tokens`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${(publishable.createApiKey as { secret: string }).secret}` },
    body: JSON.stringify({ card: card(TEST_CARDS.approve) }),
  });
  aliceIds.cardToken = ((await tokenized.json()) as { id: string }).id;
  const client = ok(await asAlice('mutation { createOAuthClient(input: { name: "alice-client", scopes: ["payments:read"] }) { client { id } } }'));
  aliceIds.oauthClient = (client.createOAuthClient as { client: { id: string } }).client.id;
  const payment = ok(await asAlice('mutation { createPayment(input: { amount: "10.00", currency: "USD" }) { payment { id } } }'));
  aliceIds.payment = (payment.createPayment as { payment: { id: string } }).payment.id;
  ok(await asAlice("mutation($id: ID!, $card: CardInput!) { confirmPayment(input: { paymentId: $id, card: $card }) { payment { id } } }", { id: aliceIds.payment, card: card(TEST_CARDS.approve) }));
  await eventually(async () => ok(await asAlice(PAYMENT, { id: aliceIds.payment })).payment as { status: string }, (p) => p.status === "CAPTURED");
  const refund = ok(await asAlice('mutation($id: ID!) { refundPayment(input: { paymentId: $id, amount: "1.00" }) { refund { id } } }', { id: aliceIds.payment }));
  aliceIds.refund = (refund.refundPayment as { refund: { id: string } }).refund.id;
  // A webhook endpoint (taking test pings only, so nothing is sent), an event, and a finished batch.
  const endpoint = ok(await asAlice('mutation { createWebhookEndpoint(input: { url: "http://127.0.0.1:9/alice", events: ["test.ping"] }) { webhookEndpoint { id } } }'));
  aliceIds.webhookEndpoint = (endpoint.createWebhookEndpoint as { webhookEndpoint: { id: string } }).webhookEndpoint.id;
  const events = ok(await asAlice("query($o: ID!) { webhookEvents(first: 1, filter: { objectId: $o }) { edges { node { id } } } }", { o: aliceIds.payment }));
  aliceIds.webhookEvent = (events.webhookEvents as { edges: { node: { id: string } }[] }).edges[0]!.node.id;
  const batch = ok(await asAlice('mutation($p: ID!) { createBatch(input: { operation: REFUND, items: [{ paymentId: $p, amount: "1.00" }] }) { batch { id } } }', { p: aliceIds.payment }));
  aliceIds.batch = (batch.createBatch as { batch: { id: string } }).batch.id;
  await eventually(async () => ok(await asAlice("query($id: ID!) { batch(id: $id) { status } }", { id: aliceIds.batch })).batch as { status: string }, (b) => b.status === "COMPLETED");
  // An alert rule, and an alert of it written straight to the database (firing one for real takes
  // a degraded gateway and the evaluator's ticks: test/integration/alerts.test.ts does that).
  const rule = ok(await asAlice("mutation($g: ID!, $w: String!) { createAlertRule(input: { name: \"alice-circuit\", condition: { kind: CIRCUIT_OPEN, gatewayAccountId: $g }, channels: [{ kind: WEBHOOK, target: $w }] }) { alertRule { id } } }", { g: aliceIds.gatewayAccount, w: aliceIds.webhookEndpoint }));
  aliceIds.alertRule = (rule.createAlertRule as { alertRule: { id: string } }).alertRule.id;
  const checkout = ok(await asAlice('mutation { createCheckoutSession(input: { amount: "5.00", currency: "USD", successUrl: "https://alice.example/thanks" }) { checkoutSession { id url } } }'));
  const session = (checkout.createCheckoutSession as { checkoutSession: { id: string; url: string } }).checkoutSession;
  aliceIds.checkoutSession = session.id;
  aliceIds.checkoutSecret = new URL(session.url).hash.slice(1);
  aliceIds.alert = "alt_AliceAlertQx7Lm2Np9RsT";
  ok(await asAlice('mutation { setRiskRules(input: { rules: [{ name: "alice-risk-rule", action: REVIEW, when: "amount > 99999999", mode: SHADOW }] }) { riskSettings { version } } }'));
  const listed = ok(await asAlice("mutation($id: ID!) { addRiskListEntry(input: { list: ALLOW, customerId: $id }) { riskListEntry { id } } }", { id: aliceIds.customer }));
  aliceIds.riskListEntry = (listed.addRiskListEntry as { riskListEntry: { id: string } }).riskListEntry.id;
  const db = new pg.Client({ connectionString: stack.databaseUrl });
  await db.connect();
  await db.query(
    `INSERT INTO alert (id, merchant_id, rule_id, rule_name, kind, subject, dedup_key, state, fired_value, last_value, threshold, summary)
     SELECT $1, merchant_id, id, name, kind, $2, id || ':' || $2, 'FIRING', 1, 1, 1, 'circuit open' FROM alert_rule WHERE id = $3`,
    [aliceIds.alert, aliceIds.gatewayAccount, aliceIds.alertRule]);
  await db.end();
  // Both refunds settled: the payment no longer changes under the cases that compare it before and after.
  await eventually(async () => (await PAYMENT_STATE()) as { amountRefunded: { minorUnits: string } }, (p) => p.amountRefunded.minorUnits === "200");
}, 60_000);
afterAll(async () => stack?.close());

describe("tenant isolation over every operation", () => {
  it("has a case for every query, mutation and subscription the server exposes", async () => {
    const schema = ok(await asAlice("{ __schema { queryType { fields { name } } mutationType { fields { name } } subscriptionType { fields { name } } } }")).__schema as Record<string, { fields: { name: string }[] } | null>;
    const fields = [
      ...(schema.queryType?.fields ?? []).map((f) => `Query.${f.name}`),
      ...(schema.mutationType?.fields ?? []).map((f) => `Mutation.${f.name}`),
      ...(schema.subscriptionType?.fields ?? []).map((f) => `Subscription.${f.name}`),
    ];
    expect(fields.filter((f) => !(f in CASES)), "operations without a tenant-isolation case").toEqual([]);
    expect(Object.keys(CASES).filter((c) => !fields.includes(c)), "cases for operations that no longer exist").toEqual([]);
  });

  it.each(Object.keys(CASES))("%s: Bob gets nothing of Alice's", async (operation) => {
    await CASES[operation]!();
  });

  it("holds for Bob's OAuth access token as for his API key", async () => {
    const made = ok(await asBob('mutation { createOAuthClient(input: { name: "bob-reader", scopes: ["payments:read", "refunds:read"] }) { client { id } clientSecret } }')) as { createOAuthClient: { client: { id: string }; clientSecret: string } };
    const form = new URLSearchParams({ grant_type: "client_credentials", client_id: made.createOAuthClient.client.id, client_secret: made.createOAuthClient.clientSecret });
    const { access_token: jwt } = (await (await fetch(`${url}/oauth/token`, { method: "POST", body: form })).json()) as { access_token: string };
    for (const [query, id] of [[PAYMENT, aliceIds.payment!], ["query($id: ID!) { refund(id: $id) { id } }", aliceIds.refund!], ] as const) {
      const r = (await gql(url, query, { id }, { key: jwt })) as Result;
      expect(code(r)).toBe("NOT_FOUND");
      noLeak(r, id);
    }
    expect(ok(await gql(url, "query($id: ID!) { node(id: $id) { id } }", { id: aliceIds.payment! }, { key: jwt }))).toEqual({ node: null });
    noLeak(ok(await gql(url, "{ payments(first: 100) { edges { node { id } } } }", {}, { key: jwt })));
  });
});
