// Client-side tokenization through the real server: POST /v1/tokens with a publishable key, CORS,
// the single-use token consumed by confirmPayment / createPaymentMethod, and every refusal
// (reuse, expiry, another merchant's token, wrong key kind, bad card) with nothing charged and the
// card number never echoed.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ConfirmPaymentDocument, CreateApiKeyDocument, CreateCustomerDocument, CreatePaymentDocument, CreatePaymentMethodDocument, CustomerDocument,
  PaymentDocument, PaymentsDocument,
} from "../../client/src/generated/graphql.js";
import { TEST_CARDS, card, createStack, errorCode, eventually, gql, ok, type GqlResult, type Role, type Stack } from "../support/stack.js";

let stack: Stack;
let server: Role;
let url: string;
let key: string; // merchant A's secret key
let pk: string; // merchant A's publishable key
let otherKey: string;
let otherPk: string;
let db: pg.Client;

const publishable = async (secret: string) =>
  ok(await gql(url, CreateApiKeyDocument, { input: { name: "checkout", kind: "PUBLISHABLE" } }, { key: secret })).createApiKey;

beforeAll(async () => {
  stack = await createStack();
  server = await stack.start(["start", "--role", "all", "--port", "0"]);
  url = server.url;
  key = (await stack.merchant("A")).secretKey;
  otherKey = (await stack.merchant("B")).secretKey;
  pk = (await publishable(key)).secret;
  otherPk = (await publishable(otherKey)).secret;
  db = new pg.Client({ connectionString: stack.databaseUrl });
  await db.connect();
});
afterAll(async () => {
  await db?.end();
  await stack?.close();
});

interface TokenBody { id: string; card: Record<string, unknown>; expiresAt: string; used: boolean }
interface ErrorBody { error: { code: string; message: string; field: string | null; reason?: string } }

async function tokenize(body: unknown, opts: { key?: string; raw?: string; origin?: string } = {}): Promise<{ status: number; headers: Headers; text: string; json: TokenBody & ErrorBody }> {
  const response = await fetch(`${url}/v1/tokens`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      origin: opts.origin ?? "https://shop.example",
      ...(opts.key === "" ? {} : { authorization: `Bearer ${opts.key ?? pk}` }),
    },
    body: opts.raw ?? JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: JSON.parse(text) as TokenBody & ErrorBody };
}
const newToken = async (number: string = TEST_CARDS.approve, k = pk) => {
  const r = await tokenize({ card: card(number) }, { key: k });
  expect(r.status).toBe(201);
  return r.json.id;
};
const newPayment = async (k = key, customerId: string | null = null) =>
  ok(await gql(url, CreatePaymentDocument, { input: { amount: "20.00", currency: "USD", customerId } }, { key: k })).createPayment.payment.id;
const read = async (id: string, k = key) => ok(await gql(url, PaymentDocument, { id }, { key: k })).payment;
const refusal = (r: GqlResult<unknown>) => ({ code: errorCode(r), field: r.errors?.[0]?.extensions?.field, reason: r.errors?.[0]?.extensions?.reason });

describe("POST /v1/tokens", () => {
  it("turns a card into a single-use token that confirmPayment charges", async () => {
    const r = await tokenize({ card: card(TEST_CARDS.approve) });
    expect(r.status).toBe(201);
    expect(r.headers.get("access-control-allow-origin")).toBe("*");
    expect(r.json).toMatchObject({ card: { brand: "visa", last4: "4242", expMonth: 12, country: "US" }, used: false });
    expect(r.json.id).toMatch(/^tok_/);
    const ttl = Date.parse(r.json.expiresAt) - Date.now();
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(900_000);
    expect(r.text).not.toContain(TEST_CARDS.approve);
    expect(r.text).not.toContain("cvc");

    const paymentId = await newPayment();
    const confirmed = ok(await gql(url, ConfirmPaymentDocument, { input: { paymentId, token: r.json.id } }, { key })).confirmPayment.payment;
    expect(confirmed.card).toMatchObject({ last4: "4242" });
    expect((await eventually(() => read(paymentId), (p) => p.status !== "PROCESSING")).status).toBe("CAPTURED");

    // Nothing of the card but its summary is stored outside the vault's ciphertext.
    const rows = JSON.stringify((await db.query("SELECT * FROM card_token")).rows);
    expect(rows).not.toContain(TEST_CARDS.approve);
  });

  it("refuses a used, an expired and another merchant's token, charging nothing", async () => {
    const used = await newToken();
    ok(await gql(url, ConfirmPaymentDocument, { input: { paymentId: await newPayment(), token: used } }, { key }));
    const expired = await newToken();
    await db.query("UPDATE card_token SET expires_at = now() - interval '1 second' WHERE id = $1", [expired]);
    const foreign = await newToken(TEST_CARDS.approve, otherPk);

    const cases: [string, { code: string; field: string; reason: string }][] = [
      [used, { code: "BAD_USER_INPUT", field: "token", reason: "token_used" }],
      [expired, { code: "BAD_USER_INPUT", field: "token", reason: "token_expired" }],
      [foreign, { code: "NOT_FOUND", field: "token", reason: "token_not_found" }],
    ];
    for (const [token, expected] of cases) {
      const paymentId = await newPayment();
      expect(refusal(await gql(url, ConfirmPaymentDocument, { input: { paymentId, token } }, { key }))).toEqual(expected);
      expect(await read(paymentId)).toMatchObject({ status: "REQUIRES_PAYMENT_METHOD", attempts: { nodes: [] }, card: null });
      expect(refusal(await gql(url, CreatePaymentMethodDocument, { input: { token } }, { key }))).toEqual(expected);
    }
    // B's token still works for B: A's attempt did not consume it.
    ok(await gql(url, ConfirmPaymentDocument, { input: { paymentId: await newPayment(otherKey), token: foreign } }, { key: otherKey }));
  });

  it("gives the token back when the confirmation fails, and lets only one of two concurrent uses win", async () => {
    const token = await newToken();
    expect(errorCode(await gql(url, ConfirmPaymentDocument, { input: { paymentId: "pay_doesnotexist000000000", token } }, { key }))).toBe("NOT_FOUND");
    const [a, b] = [await newPayment(), await newPayment()];
    const results = await Promise.all([a, b].map((paymentId) => gql(url, ConfirmPaymentDocument, { input: { paymentId, token } }, { key })));
    const won = results.filter((r) => !r.errors?.length);
    expect(won).toHaveLength(1);
    expect(results.map((r) => refusal(r).reason).filter(Boolean)).toEqual(["token_used"]);
    const statuses = await Promise.all([a, b].map(async (id) => (await read(id)).status));
    expect(statuses.filter((s) => s === "REQUIRES_PAYMENT_METHOD")).toHaveLength(1);
  });

  it("replays a retried confirmation (same idempotency key) instead of refusing the spent token", async () => {
    const token = await newToken();
    const paymentId = await newPayment();
    const input = { paymentId, token, idempotencyKey: `confirm-${paymentId}` };
    const [first, retry] = [await gql(url, ConfirmPaymentDocument, { input }, { key }), await gql(url, ConfirmPaymentDocument, { input }, { key })];
    expect(ok(retry).confirmPayment.payment.id).toBe(ok(first).confirmPayment.payment.id);
    const other = await gql(url, ConfirmPaymentDocument, { input: { ...input, token: await newToken() } }, { key });
    expect(errorCode(other)).toBe("IDEMPOTENCY_KEY_REUSED");
    expect((await eventually(() => read(paymentId), (p) => p.status !== "PROCESSING")).attempts.nodes).toHaveLength(1);
  });

  it("saves a token as a customer's card with createPaymentMethod", async () => {
    const customer = ok(await gql(url, CreateCustomerDocument, { input: { email: "tok@example.com" } }, { key })).createCustomer.customer;
    const token = await newToken(TEST_CARDS.approve);
    const pm = ok(await gql(url, CreatePaymentMethodDocument, { input: { token, customerId: customer.id } }, { key })).createPaymentMethod.paymentMethod;
    expect(pm).toMatchObject({ card: { last4: "4242" }, customer: { id: customer.id } });
    expect(ok(await gql(url, CustomerDocument, { id: customer.id }, { key })).customer.paymentMethods.nodes.map((m) => m.id)).toEqual([pm.id]);
    const paymentId = await newPayment(key, customer.id);
    ok(await gql(url, ConfirmPaymentDocument, { input: { paymentId, paymentMethodId: pm.id } }, { key }));
    expect((await eventually(() => read(paymentId), (p) => p.status !== "PROCESSING")).status).toBe("CAPTURED");
  });

  it("validates the card and never echoes its number", async () => {
    const pan = "4242424242424241"; // fails Luhn
    const cases: [unknown, string][] = [
      [{ card: { ...card(pan) } }, "card.number"],
      [{ card: { ...card(TEST_CARDS.approve), expYear: 2001 } }, "card.expMonth"],
      [{ card: { ...card(TEST_CARDS.approve), expMonth: 13 } }, "card.expMonth"],
      [{ card: { ...card(TEST_CARDS.approve), cvc: "12a" } }, "card.cvc"],
      [{ card: { ...card(TEST_CARDS.approve), number: 4242424242424242 } }, "card.number"],
      [{ cardd: card(TEST_CARDS.approve) }, "card"],
    ];
    for (const [body, field] of cases) {
      const r = await tokenize(body);
      expect(r.status).toBe(400);
      expect(r.json.error).toMatchObject({ code: "BAD_USER_INPUT", field });
      expect(r.headers.get("access-control-allow-origin")).toBe("*");
      expect(r.text).not.toContain(pan);
      expect(r.text).not.toContain(TEST_CARDS.approve);
    }
    const malformed = await tokenize(undefined, { raw: `{"card":{"number":"${TEST_CARDS.approve}",` });
    expect(malformed.status).toBe(400);
    expect(malformed.json.error).toMatchObject({ code: "BAD_USER_INPUT", field: "card" });
    expect(malformed.text).not.toContain(TEST_CARDS.approve);
    expect(server.output.join("\n")).not.toContain(TEST_CARDS.approve);
    expect(server.output.join("\n")).not.toContain(pan);
  });
});

describe("housekeeping", () => {
  it("purges tokens that expired unused, with their vaulted card, when a worker runs its maintenance", async () => {
    const stale = await newToken();
    const fresh = await newToken();
    const { rows } = await db.query<{ payment_method_id: string }>("SELECT payment_method_id FROM card_token WHERE id = $1", [stale]);
    await db.query("UPDATE card_token SET expires_at = now() - interval '2 hours' WHERE id = $1", [stale]);
    const sandbox = await stack.start(["sandbox", "--port", "0"]); // a worker role needs a gateway
    const worker = await stack.start(["start", "--role", "worker"], { GATEWAY_URL: sandbox.url }); // purges once at start
    const left = async () => (await db.query<{ id: string }>("SELECT id FROM card_token WHERE id = ANY($1)", [[stale, fresh]])).rows.map((r) => r.id);
    await eventually(left, (ids) => !ids.includes(stale));
    expect(await left()).toEqual([fresh]);
    expect((await db.query("SELECT 1 FROM payment_method WHERE id = $1", [rows[0]!.payment_method_id])).rowCount).toBe(0);
    await worker.stop();
    await sandbox.stop();
  });
});

describe("keys", () => {
  it("needs a publishable key here, and a publishable key is refused on /graphql", async () => {
    const none = await tokenize({ card: card(TEST_CARDS.approve) }, { key: "" });
    expect(none.status).toBe(401);
    expect(none.json.error.code).toBe("UNAUTHENTICATED");
    const unknown = await tokenize({ card: card(TEST_CARDS.approve) }, { key: "pk_test_00000000000000000000000000000000" });
    expect(unknown.status).toBe(401);
    const secret = await tokenize({ card: card(TEST_CARDS.approve) }, { key });
    expect(secret.status).toBe(403);
    expect(secret.json.error.code).toBe("FORBIDDEN");

    expect(errorCode(await gql(url, PaymentsDocument, { first: 1 }, { key: pk }))).toBe("FORBIDDEN");
    expect(errorCode(await gql(url, CreatePaymentMethodDocument, { input: { card: card(TEST_CARDS.approve) } }, { key: pk }))).toBe("FORBIDDEN");
    const token = await newToken();
    expect(errorCode(await gql(url, ConfirmPaymentDocument, { input: { paymentId: await newPayment(), token } }, { key: pk }))).toBe("FORBIDDEN");
  });

  it("rate-limits per publishable key with 429 and Retry-After", async () => {
    const limited = await publishable(key);
    // Before its first use, so no api process has it cached yet.
    await db.query("UPDATE api_key SET rate_limit_per_second = 1 WHERE id = $1", [limited.apiKey.id]);
    const results = await Promise.all(Array.from({ length: 6 }, () => tokenize({ card: card(TEST_CARDS.approve) }, { key: limited.secret })));
    const refused = results.filter((r) => r.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]!.json.error.code).toBe("RATE_LIMITED");
    expect(refused[0]!.headers.get("retry-after")).toMatch(/^\d+$/);
    // Another key's budget is its own.
    expect((await tokenize({ card: card(TEST_CARDS.approve) })).status).toBe(201);
  });
});

describe("guessing keys", () => {
  it("counts requests without a valid key against their address: 429 once past RATE_LIMIT_PER_IP_PER_SECOND", async () => {
    const strict = (await stack.start(["start", "--role", "api", "--port", "0"], { RATE_LIMIT_PER_IP_PER_SECOND: "3", GATEWAY_URL: "http://127.0.0.1:9" })).url;
    const post = (authorization: string) => fetch(`${strict}/v1/tokens`, {
      method: "POST", headers: { "content-type": "application/json", authorization }, body: JSON.stringify({ card: card(TEST_CARDS.approve) }),
    });
    const guesses = await Promise.all(Array.from({ length: 12 }, (_, i) => post(`Bearer pk_test_${String(i).padStart(32, "x")}`)));
    const statuses = guesses.map((r) => r.status);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(6); // at most two one-second windows' worth pass
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
    const refused = guesses.find((r) => r.status === 429)!;
    expect(refused.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(((await refused.json()) as ErrorBody).error.code).toBe("RATE_LIMITED");
    // A real publishable key is counted on its own budget, not the address's.
    expect((await post(`Bearer ${pk}`)).status).toBe(201);
  });
});

describe("CORS", () => {
  it("answers the preflight of /v1/tokens for any origin", async () => {
    const r = await fetch(`${url}/v1/tokens`, {
      method: "OPTIONS",
      headers: { origin: "https://shop.example", "access-control-request-method": "POST", "access-control-request-headers": "authorization,content-type" },
    });
    expect(r.status).toBe(204);
    expect(r.headers.get("access-control-allow-origin")).toBe("*");
    expect(r.headers.get("access-control-allow-methods")).toContain("POST");
    expect(r.headers.get("access-control-allow-headers")?.toLowerCase()).toBe("authorization, content-type");
  });

  it("stays off everywhere else", async () => {
    const preflight = await fetch(`${url}/healthz`, { method: "OPTIONS", headers: { origin: "https://shop.example", "access-control-request-method": "GET" } });
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
    const graphql = await fetch(`${url}/graphql`, {
      method: "POST", headers: { origin: "https://shop.example", "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify({ query: "{ __typename }" }),
    });
    expect(graphql.status).toBe(200);
    expect(graphql.headers.get("access-control-allow-origin")).toBeNull();
  });
});
