// Managed API keys (issue #4): created, listed, rolled and revoked over GraphQL, on two api
// processes that each cache keys for a minute. Revocation reaches the other process through
// Redis, a rolled key's grace ends on its own, and restricted keys are held to their scopes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ApiKeysDocument, CreateApiKeyDocument, CreateGatewayAccountDocument, CreatePaymentDocument, ExchangeRateDocument, PaymentsDocument, RevokeApiKeyDocument, RollApiKeyDocument,
  type ApiKeyKind,
} from "../../client/src/generated/graphql.js";
import { createStack, errorCode, eventually, gql, ok, type GqlResult, type Stack } from "../support/stack.js";

let stack: Stack;
let apiA: string;
let apiB: string;
let key: string;

beforeAll(async () => {
  stack = await createStack();
  const gateway = (await stack.start(["sandbox", "--port", "0"])).url;
  // A long cache: without the invalidation on Redis, a revoked key would live on here for a minute.
  const env = { GATEWAY_URL: gateway, AUTH_CACHE_MS: "60000" };
  [apiA, apiB] = await Promise.all([
    stack.start(["start", "--role", "api", "--port", "0"], env).then((r) => r.url),
    stack.start(["start", "--role", "api", "--port", "0"], env).then((r) => r.url),
  ]);
  key = (await stack.merchant()).secretKey;
});
afterAll(async () => stack?.close());

const create = async (input: { name: string; kind: ApiKeyKind; scopes?: string[] }, url = apiA, as = key) =>
  ok(await gql(url, CreateApiKeyDocument, { input }, { key: as })).createApiKey;
const listPayments = (url: string, as: string) => gql(url, PaymentsDocument, { first: 1 }, { key: as });
const forbidden = (result: GqlResult<unknown>) => ({ code: errorCode(result), missingScope: result.errors?.[0]?.extensions?.missingScope });
const field = (result: GqlResult<unknown>) => ({ code: errorCode(result), field: result.errors?.[0]?.extensions?.field });

describe("API keys", () => {
  it("creates each kind with its prefix, shows the secret once and lists keys without it", async () => {
    const secret = await create({ name: "server", kind: "SECRET" });
    const publishable = await create({ name: "checkout", kind: "PUBLISHABLE" });
    const restricted = await create({ name: "reporting", kind: "RESTRICTED", scopes: ["payments:read", "analytics:read"] });
    expect(secret.secret).toMatch(/^sk_test_[0-9A-Za-z]{32}$/);
    expect(publishable.secret).toMatch(/^pk_test_[0-9A-Za-z]{32}$/);
    expect(restricted.secret).toMatch(/^rk_test_[0-9A-Za-z]{32}$/);
    expect(restricted.apiKey).toMatchObject({ name: "reporting", kind: "RESTRICTED", scopes: ["payments:read", "analytics:read"], last4: restricted.secret.slice(-4), expiresAt: null, revokedAt: null });
    expect(secret.apiKey.scopes).toContain("admin");
    expect(publishable.apiKey.scopes).toEqual([]);

    const listed = await gql(apiB, ApiKeysDocument, {}, { key });
    const ids = ok(listed).apiKeys.nodes.map((k) => k.id);
    expect(ids).toEqual(expect.arrayContaining([secret.apiKey.id, publishable.apiKey.id, restricted.apiKey.id]));
    const text = JSON.stringify(listed.data);
    for (const made of [secret, publishable, restricted]) expect(text).not.toContain(made.secret);
    expect(errorCode(await gql(apiA, "{ apiKeys { nodes { id secret } } }", {}, { key }))).toBe("GRAPHQL_VALIDATION_FAILED");
  });

  it("holds a restricted key to its scopes, naming the one missing", async () => {
    const { secret } = await create({ name: "read-only", kind: "RESTRICTED", scopes: ["payments:read"] });
    ok(await listPayments(apiB, secret));
    const write = await gql(apiB, CreatePaymentDocument, { input: { amount: "1.00", currency: "EUR" } }, { key: secret });
    expect(forbidden(write)).toEqual({ code: "FORBIDDEN", missingScope: "payments:write" });
    expect(forbidden(await gql(apiA, ApiKeysDocument, {}, { key: secret }))).toEqual({ code: "FORBIDDEN", missingScope: "admin" });
    expect(forbidden(await gql(apiA, "{ gateways { __typename } }", {}, { key: secret }))).toEqual({ code: "FORBIDDEN", missingScope: "analytics:read" });

    const writer = await create({ name: "writer", kind: "RESTRICTED", scopes: ["payments:write", "admin"] });
    ok(await gql(apiA, CreatePaymentDocument, { input: { amount: "1.00", currency: "EUR" } }, { key: writer.secret }));
    ok(await gql(apiA, ApiKeysDocument, {}, { key: writer.secret }));
    expect(forbidden(await listPayments(apiA, writer.secret))).toEqual({ code: "FORBIDDEN", missingScope: "payments:read" });
  });

  it("asks node(id:) for the scope of the type its id names, before any lookup", async () => {
    const reader = (await create({ name: "node-reader", kind: "RESTRICTED", scopes: ["payments:read"] })).secret;
    const payment = ok(await gql(apiA, CreatePaymentDocument, { input: { amount: "1.00", currency: "EUR" } }, { key })).createPayment.payment;
    const account = ok(await gql(apiA, CreateGatewayAccountDocument, { input: { name: "node-probe", kind: "SANDBOX", config: { url: "http://127.0.0.1:9" } } }, { key }))
      .createGatewayAccount.gatewayAccount;
    const node = (id: string, as: string) => gql<{ node: { id: string; __typename: string } }, { id: string }>(apiB, `query($id: ID!) { node(id: $id) { id __typename } }`, { id }, { key: as });
    expect(ok(await node(payment.id, reader))).toEqual({ node: { id: payment.id, __typename: "Payment" } });
    // As the type's own query: refund → refunds:read, gatewayAccounts → admin; an id that exists or not, the same answer.
    expect(forbidden(await node(account.id, reader))).toEqual({ code: "FORBIDDEN", missingScope: "admin" });
    expect(forbidden(await node("re_0000000000000000000000", reader))).toEqual({ code: "FORBIDDEN", missingScope: "refunds:read" });
    expect(forbidden(await gql(apiB, `{ refund(id: "re_0000000000000000000000") { id } }`, {}, { key: reader }))).toEqual({ code: "FORBIDDEN", missingScope: "refunds:read" });
    // Held scope, no such object (or not ours): null, not an error, so one missing id nulls nothing else.
    expect(ok(await node("cus_0000000000000000000000", reader))).toEqual({ node: null });
    const refundsOnly = (await create({ name: "refund-reader", kind: "RESTRICTED", scopes: ["refunds:read"] })).secret;
    expect(ok(await node("re_0000000000000000000000", refundsOnly))).toEqual({ node: null });
    expect(forbidden(await node(payment.id, refundsOnly))).toEqual({ code: "FORBIDDEN", missingScope: "payments:read" });
    expect(ok(await node(account.id, key)).node).toEqual({ id: account.id, __typename: "GatewayAccount" });
  });

  it("lets a publishable key do nothing on /graphql yet", async () => {
    const { secret } = await create({ name: "checkout", kind: "PUBLISHABLE" });
    expect(errorCode(await listPayments(apiA, secret))).toBe("FORBIDDEN");
    expect(errorCode(await gql(apiA, ExchangeRateDocument, { from: "EUR", to: "USD" }, { key: secret }))).toBe("FORBIDDEN");
  });

  it("rolls a key: the new one works at once, the old one until its grace period ends", async () => {
    const old = await create({ name: "rolling", kind: "RESTRICTED", scopes: ["payments:read"] });
    ok(await listPayments(apiB, old.secret)); // now cached on B
    const rolled = ok(await gql(apiA, RollApiKeyDocument, { input: { id: old.apiKey.id, gracePeriodSeconds: 1 } }, { key })).rollApiKey;
    expect(rolled.secret).toMatch(/^rk_test_/);
    expect(errorCode(await gql(apiB, RollApiKeyDocument, { input: { id: old.apiKey.id, gracePeriodSeconds: 1 } }, { key }))).toBe("CONFLICT");
    expect(rolled.apiKey).toMatchObject({ name: "rolling", kind: "RESTRICTED", scopes: ["payments:read"] });
    ok(await listPayments(apiB, rolled.secret));
    // The old key's end reaches both processes; its cached entry on B carries the new expiry.
    await eventually(() => listPayments(apiB, old.secret), (r) => errorCode(r) === "UNAUTHENTICATED", 10_000);
    await eventually(() => listPayments(apiA, old.secret), (r) => errorCode(r) === "UNAUTHENTICATED", 10_000);
    ok(await listPayments(apiB, rolled.secret));
    const listed = ok(await gql(apiA, ApiKeysDocument, {}, { key })).apiKeys.nodes.map((k) => k.id);
    expect(listed).toContain(rolled.apiKey.id);
    expect(listed).not.toContain(old.apiKey.id);
  });

  it("refuses a key revoked on process A at once on process B, and a roll with no grace revokes", async () => {
    const victim = await create({ name: "leaked", kind: "SECRET" });
    ok(await listPayments(apiB, victim.secret)); // cached on B for a minute
    const revoked = ok(await gql(apiA, RevokeApiKeyDocument, { input: { id: victim.apiKey.id } }, { key })).revokeApiKey.apiKey;
    expect(revoked.revokedAt).not.toBeNull();
    // B hears of it over Redis pub/sub: well inside its one-minute cache (eventually gives up at 30 s).
    await eventually(async () => errorCode(await listPayments(apiB, victim.secret)), (code) => code === "UNAUTHENTICATED");
    expect(errorCode(await gql(apiA, RevokeApiKeyDocument, { input: { id: victim.apiKey.id } }, { key }))).toBe("NOT_FOUND");

    const rolledNow = await create({ name: "rolled-now", kind: "SECRET" });
    ok(await listPayments(apiB, rolledNow.secret));
    const next = ok(await gql(apiA, RollApiKeyDocument, { input: { id: rolledNow.apiKey.id, gracePeriodSeconds: 0 } }, { key })).rollApiKey;
    await eventually(async () => errorCode(await listPayments(apiB, rolledNow.secret)), (code) => code === "UNAUTHENTICATED");
    ok(await listPayments(apiB, next.secret));
  });

  it("lets a credential grant only what it holds: a RESTRICTED `admin` key cannot mint a SECRET key or a broader client", async () => {
    const adminOnly = (await create({ name: "key-manager", kind: "RESTRICTED", scopes: ["admin"] })).secret;
    const minted = await gql(apiA, CreateApiKeyDocument, { input: { name: "escalate", kind: "SECRET" } }, { key: adminOnly });
    expect(forbidden(minted)).toEqual({ code: "FORBIDDEN", missingScope: "payments:read" });
    const broader = await gql(apiA, CreateApiKeyDocument, { input: { name: "escalate", kind: "RESTRICTED", scopes: ["admin", "refunds:write"] } }, { key: adminOnly });
    expect(forbidden(broader)).toEqual({ code: "FORBIDDEN", missingScope: "refunds:write" });
    const client = await gql(apiA, 'mutation { createOAuthClient(input: { name: "escalate", scopes: ["payments:write"] }) { clientSecret } }', {}, { key: adminOnly });
    expect(forbidden(client)).toEqual({ code: "FORBIDDEN", missingScope: "payments:write" });
    // Rolling a SECRET key would hand it a SECRET key too.
    const secretKey = (await create({ name: "server-2", kind: "SECRET" })).apiKey.id;
    expect(errorCode(await gql(apiA, RollApiKeyDocument, { input: { id: secretKey, gracePeriodSeconds: 0 } }, { key: adminOnly }))).toBe("FORBIDDEN");
    // Within its own scopes it may: a RESTRICTED `admin` key.
    expect((await create({ name: "another-manager", kind: "RESTRICTED", scopes: ["admin"] }, apiA, adminOnly)).secret).toMatch(/^rk_test_/);
    expect(ok(await gql(apiA, ApiKeysDocument, {}, { key })).apiKeys.nodes.map((k) => k.name)).not.toContain("escalate");
  });

  it("keeps the platform ADMIN key out of a merchant key's reach: no roll, no revoke", async () => {
    const admin = await stack.merchant("Platform", { admin: true });
    const merchantKey = (await create({ name: "ordinary", kind: "SECRET" }, apiA, admin.secretKey)).secret;
    const adminKeyId = ok(await gql(apiA, ApiKeysDocument, {}, { key: merchantKey })).apiKeys.nodes.find((k) => k.last4 === admin.secretKey.slice(-4))!.id;
    for (const r of [
      await gql(apiA, RollApiKeyDocument, { input: { id: adminKeyId, gracePeriodSeconds: 0 } }, { key: merchantKey }),
      await gql(apiA, RevokeApiKeyDocument, { input: { id: adminKeyId } }, { key: merchantKey }),
    ]) {
      expect(errorCode(r)).toBe("FORBIDDEN");
      expect(r.errors?.[0]?.extensions?.requiredRoles).toEqual(["ADMIN"]);
    }
    expect(ok(await listPayments(apiA, admin.secretKey)).payments).toBeTruthy(); // the ADMIN key still works
  });

  it("answers NOT_FOUND for another merchant's keys", async () => {
    const other = await stack.merchant("Other");
    const theirs = await create({ name: "theirs", kind: "SECRET" }, apiA, other.secretKey);
    expect(errorCode(await gql(apiA, RevokeApiKeyDocument, { input: { id: theirs.apiKey.id } }, { key }))).toBe("NOT_FOUND");
    expect(errorCode(await gql(apiB, RollApiKeyDocument, { input: { id: theirs.apiKey.id, gracePeriodSeconds: 0 } }, { key }))).toBe("NOT_FOUND");
    expect(ok(await gql(apiA, ApiKeysDocument, {}, { key })).apiKeys.nodes.map((k) => k.id)).not.toContain(theirs.apiKey.id);
    ok(await listPayments(apiA, theirs.secret));
  });

  it("types bad inputs as BAD_USER_INPUT with the field", async () => {
    const bad = (input: { name: string; kind: ApiKeyKind; scopes?: string[] }) => gql(apiA, CreateApiKeyDocument, { input }, { key });
    expect(field(await bad({ name: "x", kind: "RESTRICTED", scopes: ["payments:delete"] }))).toEqual({ code: "BAD_USER_INPUT", field: "scopes" });
    expect(field(await bad({ name: "x", kind: "RESTRICTED", scopes: [] }))).toEqual({ code: "BAD_USER_INPUT", field: "scopes" });
    expect(field(await bad({ name: "x", kind: "RESTRICTED" }))).toEqual({ code: "BAD_USER_INPUT", field: "scopes" });
    expect(field(await bad({ name: "x", kind: "SECRET", scopes: ["admin"] }))).toEqual({ code: "BAD_USER_INPUT", field: "scopes" });
    expect(field(await bad({ name: "x", kind: "PUBLISHABLE", scopes: ["payments:read"] }))).toEqual({ code: "BAD_USER_INPUT", field: "scopes" });
    expect(field(await bad({ name: " ", kind: "SECRET" }))).toEqual({ code: "BAD_USER_INPUT", field: "name" });
    const { apiKey } = await create({ name: "roll-me", kind: "SECRET" });
    for (const gracePeriodSeconds of [-1, 7 * 24 * 3600 + 1]) {
      const result = await gql(apiA, RollApiKeyDocument, { input: { id: apiKey.id, gracePeriodSeconds } }, { key });
      expect(field(result)).toEqual({ code: "BAD_USER_INPUT", field: "gracePeriodSeconds" });
    }
    expect(errorCode(await gql(apiA, RollApiKeyDocument, { input: { id: "key_doesnotexist000", gracePeriodSeconds: 0 } }, { key }))).toBe("NOT_FOUND");
  });
});
