// OAuth 2.0 client credentials (issue #4, item 2), driven by a stock client (oauth4webapi): it
// discovers the server from its issuer URL, gets tokens with HTTP Basic and with the body, and
// the tokens work on /graphql (HTTP and graphql-ws) within their scopes and merchant. Around it:
// every RFC 6749 §5.2 error, refused tokens (expired, tampered, unsigned, unknown key, wrong
// audience, revoked client), signing-key rotation, and the per-address limit on the token endpoint.
//
// Processes on one database: A (api), E (a replica of A: same PUBLIC_URL), B (PUBLIC_URL of A but
// another OAUTH_AUDIENCE, one-second tokens), D (PUBLIC_URL of A, own Redis prefix so its counts
// are its own, 2 requests/s per address).
import { execFile } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import * as oauth from "oauth4webapi";
import { SignJWT, decodeProtectedHeader, generateKeyPair } from "jose";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CreateOAuthClientDocument, CreatePaymentDocument, OAuthClientsDocument, PaymentDocument, PaymentUpdatedDocument, RevokeOAuthClientDocument,
} from "../../client/src/generated/graphql.js";
import { createStack, errorCode, eventually, gql, ok, subscribe, wsClient, type GqlResult, type Stack } from "../support/stack.js";

let stack: Stack;
let gateway: string;
let apiA: string;
let apiE: string;
let apiB: string;
let apiD: string;
let key: string;
let merchantId: string;
const OTHER_AUDIENCE = "https://resource.example/graphql";

beforeAll(async () => {
  stack = await createStack();
  gateway = (await stack.start(["sandbox", "--port", "0"])).url;
  const env = { GATEWAY_URL: gateway, AUTH_CACHE_MS: "60000", RATE_LIMIT_PER_IP_PER_SECOND: "1000" };
  apiA = (await stack.start(["start", "--role", "api", "--port", "0"], env)).url;
  // With PUBLIC_URL set a process prints that URL, not its own: the tests pick the ports to reach each.
  const behindA = async (extra: Record<string, string>): Promise<string> => {
    const port = await freePort();
    await stack.start(["start", "--role", "api", "--port", String(port)], { ...env, PUBLIC_URL: apiA, ...extra });
    return `http://127.0.0.1:${port}`;
  };
  [apiE, apiB, apiD] = await Promise.all([
    behindA({}),
    behindA({ OAUTH_AUDIENCE: OTHER_AUDIENCE, OAUTH_TOKEN_TTL_SECONDS: "1" }),
    behindA({ REDIS_PREFIX: `${stack.env.REDIS_PREFIX}_d`, RATE_LIMIT_PER_IP_PER_SECOND: "2" }),
  ]);
  ({ secretKey: key, merchantId } = await stack.merchant());
});
afterAll(async () => stack?.close());

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

// The servers speak plain HTTP in tests; oauth4webapi insists on HTTPS unless told otherwise.
const insecure = { [oauth.allowInsecureRequests]: true } as const;

async function discover(issuer: string): Promise<oauth.AuthorizationServer> {
  const url = new URL(issuer);
  return oauth.processDiscoveryResponse(url, await oauth.discoveryRequest(url, { algorithm: "oauth2", ...insecure }));
}

async function newClient(scopes: string[], url = apiA, as = key) {
  const made = ok(await gql(url, CreateOAuthClientDocument, { input: { name: "integration", scopes } }, { key: as })).createOAuthClient;
  return { id: made.client.id, secret: made.clientSecret, view: made.client };
}

async function tokenFor(
  client: { id: string; secret: string }, opts: { method?: "basic" | "post"; scope?: string } = {},
): Promise<oauth.TokenEndpointResponse> {
  const as = await discover(apiA);
  const auth = opts.method === "post" ? oauth.ClientSecretPost(client.secret) : oauth.ClientSecretBasic(client.secret);
  const params = new URLSearchParams(opts.scope ? { scope: opts.scope } : {});
  const response = await oauth.clientCredentialsGrantRequest(as, { client_id: client.id }, auth, params, insecure);
  return oauth.processClientCredentialsResponse(as, { client_id: client.id }, response);
}

/** A hand-made token request, for what a stock client would never send. */
async function tokenRequest(body: string, headers: Record<string, string> = {}, url = apiA) {
  const response = await fetch(`${url}/oauth/token`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", ...headers }, body });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}
/** A token from B or D, whose metadata names A as the issuer (so a stock client would refuse to discover them). */
async function rawToken(client: { id: string; secret: string }, url: string): Promise<string> {
  const r = await tokenRequest("grant_type=client_credentials", basic(client.id, client.secret), url);
  expect(r.status).toBe(200);
  return r.body.access_token as string;
}
const basic = (id: string, secret: string) => ({ authorization: `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString("base64")}` });

const readPayment = (url: string, token: string, id: string) => gql(url, PaymentDocument, { id }, { key: token });
const createPayment = (url: string, token: string) => gql(url, CreatePaymentDocument, { input: { amount: "12.34", currency: "EUR" } }, { key: token });
const refusal = (result: GqlResult<unknown>) => ({ code: errorCode(result), message: result.errors?.[0]?.message });

describe("OAuth 2.0 client credentials", () => {
  it("makes one signing key when every api process asks for one at once", async () => {
    // First in the file: no key exists yet, and four processes race to make the first one.
    const sets = await Promise.all([apiA, apiE, apiB, apiD, apiA, apiE].map(async (url) => {
      const { keys } = (await (await fetch(`${url}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] };
      return keys.map((k) => k.kid);
    }));
    expect(sets.every((kids) => kids.length === 1 && kids[0] === sets[0]![0])).toBe(true);
  });

  it("publishes RFC 8414 metadata and a JWKS that a stock client discovers from the issuer URL", async () => {
    const as = await discover(apiA);
    expect(as).toMatchObject({
      issuer: apiA, token_endpoint: `${apiA}/oauth/token`, jwks_uri: `${apiA}/.well-known/jwks.json`,
      grant_types_supported: ["client_credentials"], token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
      response_types_supported: [],
    });
    expect(as.scopes_supported).toEqual(expect.arrayContaining(["payments:read", "payments:write", "admin"]));
    const jwks = await fetch(`${apiA}/.well-known/jwks.json`);
    expect(jwks.headers.get("cache-control")).toMatch(/max-age=\d+/);
    const { keys } = (await jwks.json()) as { keys: Record<string, unknown>[] };
    expect(keys.length).toBeGreaterThan(0);
    for (const k of keys) {
      expect(k).toMatchObject({ kty: "RSA", alg: "RS256", use: "sig", kid: expect.stringMatching(/^sig_/) });
      expect(k).not.toHaveProperty("d"); // public parts only
    }
  });

  it("creates, lists and revokes clients over GraphQL, showing the secret once and auditing without it", async () => {
    const client = await newClient(["payments:read", "payments:write"]);
    expect(client.id).toMatch(/^oac_[0-9A-Za-z]{22}$/);
    expect(client.secret.length).toBeGreaterThanOrEqual(48);
    expect(client.view).toMatchObject({ scopes: ["payments:read", "payments:write"], last4: client.secret.slice(-4), revokedAt: null });
    const listed = await gql(apiE, OAuthClientsDocument, {}, { key });
    expect(ok(listed).oauthClients.nodes.map((c) => c.id)).toContain(client.id);
    expect(JSON.stringify(listed.data)).not.toContain(client.secret);
    expect(errorCode(await gql(apiA, `{ oauthClients { nodes { id clientSecret } } }`, {}, { key }))).toBe("GRAPHQL_VALIDATION_FAILED");

    const revoked = ok(await gql(apiA, RevokeOAuthClientDocument, { input: { id: client.id } }, { key })).revokeOAuthClient.client;
    expect(revoked.revokedAt).not.toBeNull();
    expect(ok(await gql(apiA, OAuthClientsDocument, {}, { key })).oauthClients.nodes.map((c) => c.id)).not.toContain(client.id);
    expect(errorCode(await gql(apiA, RevokeOAuthClientDocument, { input: { id: client.id } }, { key }))).toBe("NOT_FOUND");

    const db = new pg.Client({ connectionString: stack.databaseUrl });
    await db.connect();
    try {
      const { rows } = await db.query<{ action: string; actor: string; before: unknown; after: unknown }>(
        "SELECT action, actor, before, after FROM audit_record WHERE entity_id = $1 ORDER BY created_at", [client.id]);
      expect(rows.map((r) => r.action)).toEqual(["oauth_client.created", "oauth_client.revoked"]);
      expect(rows[0]?.actor).toMatch(/^key:key_/);
      const { rows: [hash] } = await db.query<{ secret_hash: string }>("SELECT secret_hash FROM oauth_client WHERE id = $1", [client.id]);
      const text = JSON.stringify(rows);
      expect(text).not.toContain(client.secret);
      expect(text).not.toContain(hash?.secret_hash);
    } finally {
      await db.end();
    }
  });

  it("types bad client inputs as BAD_USER_INPUT and needs the admin scope", async () => {
    const field = (r: GqlResult<unknown>) => ({ code: errorCode(r), field: r.errors?.[0]?.extensions?.field });
    const bad = (name: string, scopes: string[]) => gql(apiA, CreateOAuthClientDocument, { input: { name, scopes } }, { key });
    expect(field(await bad("x", ["payments:delete"]))).toEqual({ code: "BAD_USER_INPUT", field: "scopes" });
    expect(field(await bad("x", []))).toEqual({ code: "BAD_USER_INPUT", field: "scopes" });
    expect(field(await bad(" ", ["payments:read"]))).toEqual({ code: "BAD_USER_INPUT", field: "name" });
    const reader = await tokenFor(await newClient(["payments:read"]));
    const denied = await gql(apiA, OAuthClientsDocument, {}, { key: reader.access_token });
    expect({ code: errorCode(denied), missingScope: denied.errors?.[0]?.extensions?.missingScope }).toEqual({ code: "FORBIDDEN", missingScope: "admin" });
  });

  it("issues RFC 9068 access tokens by HTTP Basic and by the body, which /graphql accepts", async () => {
    const client = await newClient(["payments:read", "payments:write"]);
    for (const method of ["basic", "post"] as const) {
      const token = await tokenFor(client, { method });
      expect(token).toMatchObject({ token_type: "bearer", expires_in: 900, scope: "payments:read payments:write" });
      const header = decodeProtectedHeader(token.access_token);
      expect(header).toMatchObject({ alg: "RS256", typ: "at+jwt", kid: expect.stringMatching(/^sig_/) });
      const claims = JSON.parse(Buffer.from(token.access_token.split(".")[1]!, "base64url").toString()) as Record<string, unknown>;
      expect(claims).toMatchObject({ iss: apiA, aud: `${apiA}/graphql`, sub: client.id, client_id: client.id, scope: "payments:read payments:write", merchant_id: merchantId });
      expect(claims.exp).toBe((claims.iat as number) + 900);
      expect(claims.jti).toEqual(expect.any(String));

      const created = ok(await createPayment(apiA, token.access_token)).createPayment.payment;
      // The replica (same issuer and audience) verifies it too.
      expect(ok(await readPayment(apiE, token.access_token, created.id)).payment?.id).toBe(created.id);
    }
    const raw = await tokenRequest(`grant_type=client_credentials&client_id=${client.id}&client_secret=${client.secret}`);
    expect(raw.status).toBe(200);
    expect(raw.headers.get("cache-control")).toBe("no-store");
  });

  it("narrows a token to the requested scopes: a payments:read token may not create payments", async () => {
    const client = await newClient(["payments:read", "payments:write"]);
    const owner = ok(await createPayment(apiA, key)).createPayment.payment.id;
    const token = await tokenFor(client, { scope: "payments:read" });
    expect(token.scope).toBe("payments:read");
    expect(ok(await readPayment(apiA, token.access_token, owner)).payment?.id).toBe(owner);
    const write = await createPayment(apiA, token.access_token);
    expect({ code: errorCode(write), missingScope: write.errors?.[0]?.extensions?.missingScope }).toEqual({ code: "FORBIDDEN", missingScope: "payments:write" });
  });

  it("keeps a merchant's token to its own payments: another merchant's are NOT_FOUND", async () => {
    const other = await stack.merchant("Other merchant");
    const theirs = ok(await createPayment(apiA, other.secretKey)).createPayment.payment.id;
    const mine = await tokenFor(await newClient(["payments:read", "payments:write"]));
    const read = await readPayment(apiA, mine.access_token, theirs);
    expect(errorCode(read)).toBe("NOT_FOUND");
    expect(read.data?.payment ?? null).toBeNull();
    // And their client cannot be revoked from here.
    const theirClient = await newClient(["payments:read"], apiA, other.secretKey);
    expect(errorCode(await gql(apiA, RevokeOAuthClientDocument, { input: { id: theirClient.id } }, { key }))).toBe("NOT_FOUND");
  });

  it("accepts a token in graphql-ws connectionParams and refuses a tampered one", async () => {
    const token = (await tokenFor(await newClient(["payments:read", "payments:write"]))).access_token;
    const ws = wsClient(apiA, token);
    try {
      const sub = subscribe(ws, PaymentUpdatedDocument, {});
      await new Promise((r) => setTimeout(r, 300)); // the subscription is registered before the payment exists
      const id = ok(await createPayment(apiA, token)).createPayment.payment.id;
      await sub.until((e) => e.paymentUpdated.id === id);
      expect(sub.errors).toEqual([]);
      sub.dispose();
    } finally {
      await ws.dispose();
    }
    const bad = wsClient(apiA, `${token.slice(0, -8)}AAAAAAAA`);
    try {
      const sub = subscribe(bad, PaymentUpdatedDocument, {});
      await eventually(async () => sub.errors.length, (n) => n > 0, 10_000);
      expect(JSON.stringify(sub.errors)).toContain("UNAUTHENTICATED");
    } finally {
      await bad.dispose();
    }
  });

  it("answers every RFC 6749 §5.2 error with its status", async () => {
    const client = await newClient(["payments:read"]);
    const ok200 = `grant_type=client_credentials&client_id=${client.id}&client_secret=${client.secret}`;
    const expectError = (r: Awaited<ReturnType<typeof tokenRequest>>, status: number, error: string) => {
      expect({ status: r.status, error: r.body.error }).toEqual({ status, error });
      expect(r.body.error_description).toEqual(expect.any(String));
      expect(r.headers.get("cache-control")).toBe("no-store");
    };
    // invalid_request: no grant_type, a repeated parameter, two authentication methods, not a form.
    expectError(await tokenRequest(`client_id=${client.id}&client_secret=${client.secret}`), 400, "invalid_request");
    expectError(await tokenRequest(`${ok200}&scope=payments:read&scope=payments:read`), 400, "invalid_request");
    expectError(await tokenRequest(`grant_type=client_credentials&client_secret=${client.secret}`, basic(client.id, client.secret)), 400, "invalid_request");
    const json = await fetch(`${apiA}/oauth/token`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ grant_type: "client_credentials" }) });
    expect({ status: json.status, error: ((await json.json()) as { error: string }).error }).toEqual({ status: 400, error: "invalid_request" });

    // invalid_client: 401, with a Basic challenge when Basic was tried.
    const wrongBasic = await tokenRequest("grant_type=client_credentials", basic(client.id, `${client.secret}x`));
    expectError(wrongBasic, 401, "invalid_client");
    expect(wrongBasic.headers.get("www-authenticate")).toMatch(/^Basic realm="/);
    const wrongPost = await tokenRequest(`grant_type=client_credentials&client_id=${client.id}&client_secret=nope`);
    expectError(wrongPost, 401, "invalid_client");
    expect(wrongPost.headers.get("www-authenticate")).toBeNull();
    expectError(await tokenRequest("grant_type=client_credentials"), 401, "invalid_client");
    expectError(await tokenRequest(`grant_type=client_credentials&client_id=oac_0000000000000000000000&client_secret=${client.secret}`), 401, "invalid_client");
    // The stock client reads them too: a Basic challenge, or the error in the body.
    const challenged = await tokenFor({ id: client.id, secret: "wrong" }).catch((err: unknown) => err);
    expect(challenged).toBeInstanceOf(oauth.WWWAuthenticateChallengeError);
    expect((challenged as oauth.WWWAuthenticateChallengeError).cause.map((c) => c.scheme)).toEqual(["basic"]);
    await expect(tokenFor({ id: client.id, secret: "wrong" }, { method: "post" })).rejects.toMatchObject({ error: "invalid_client", status: 401 });

    expectError(await tokenRequest(ok200.replace("client_credentials", "authorization_code")), 400, "unsupported_grant_type");
    expectError(await tokenRequest(`${ok200}&scope=payments:write`), 400, "invalid_scope");
    expectError(await tokenRequest(`${ok200}&scope=payments:read%20nonsense:scope`), 400, "invalid_scope");
    await expect(tokenFor(client, { scope: "admin" })).rejects.toMatchObject({ error: "invalid_scope", status: 400 });

    // unauthorized_client: a client left with no scope this server grants (a scope was retired).
    const legacy = await newClient(["payments:read"]);
    const db = new pg.Client({ connectionString: stack.databaseUrl });
    await db.connect();
    await db.query("UPDATE oauth_client SET scopes = '{legacy:read}' WHERE id = $1", [legacy.id]).finally(() => db.end());
    expectError(await tokenRequest("grant_type=client_credentials", basic(legacy.id, legacy.secret)), 400, "unauthorized_client");
  });

  it("refuses tampered, unsigned, unknown-key and wrong-audience tokens with UNAUTHENTICATED and the reason", async () => {
    const token = (await tokenFor(await newClient(["payments:read"]))).access_token;
    const payment = ok(await createPayment(apiA, key)).createPayment.payment.id;
    ok(await readPayment(apiA, token, payment));
    const [h, p, s] = token.split(".") as [string, string, string];

    const flipped = `${s.slice(0, 40)}${s[40] === "A" ? "B" : "A"}${s.slice(41)}`;
    expect(refusal(await readPayment(apiA, `${h}.${p}.${flipped}`, payment))).toEqual({ code: "UNAUTHENTICATED", message: expect.stringMatching(/signature/) });
    const claims = JSON.parse(Buffer.from(p, "base64url").toString()) as Record<string, unknown>;
    const widened = Buffer.from(JSON.stringify({ ...claims, scope: "payments:read payments:write admin" })).toString("base64url");
    expect(refusal(await readPayment(apiA, `${h}.${widened}.${s}`, payment))).toEqual({ code: "UNAUTHENTICATED", message: expect.stringMatching(/signature/) });

    const noneHeader = Buffer.from(JSON.stringify({ alg: "none", typ: "at+jwt", kid: decodeProtectedHeader(token).kid })).toString("base64url");
    expect(refusal(await readPayment(apiA, `${noneHeader}.${p}.`, payment))).toEqual({ code: "UNAUTHENTICATED", message: expect.stringMatching(/algorithm/) });

    // Signed by a key of the attacker's, named by a kid the server never made, or by the real kid.
    const { privateKey } = await generateKeyPair("RS256");
    const forge = (kid: string) => new SignJWT(claims).setProtectedHeader({ alg: "RS256", typ: "at+jwt", kid }).sign(privateKey);
    expect(refusal(await readPayment(apiA, await forge("sig_0000000000000000000000"), payment))).toEqual({ code: "UNAUTHENTICATED", message: expect.stringMatching(/unknown key/) });
    expect(refusal(await readPayment(apiA, await forge(decodeProtectedHeader(token).kid!), payment))).toEqual({ code: "UNAUTHENTICATED", message: expect.stringMatching(/signature/) });

    // B expects another audience: A's token is refused there, and B's tokens are refused on A.
    expect(refusal(await readPayment(apiB, token, payment))).toEqual({ code: "UNAUTHENTICATED", message: expect.stringMatching(/audience/) });
    const fromB = await rawToken(await newClient(["payments:read"]), apiB);
    expect(JSON.parse(Buffer.from(fromB.split(".")[1]!, "base64url").toString())).toMatchObject({ iss: apiA, aud: OTHER_AUDIENCE });
    expect(refusal(await readPayment(apiA, fromB, payment))).toEqual({ code: "UNAUTHENTICATED", message: expect.stringMatching(/audience/) });
  });

  it("refuses an expired token", async () => {
    // B issues one-second tokens; past that (and the few seconds of clock tolerance) it is refused.
    const token = await rawToken(await newClient(["payments:read"]), apiB);
    const payment = ok(await createPayment(apiA, key)).createPayment.payment.id;
    ok(await readPayment(apiB, token, payment));
    const refused = await eventually(() => readPayment(apiB, token, payment), (r) => errorCode(r) === "UNAUTHENTICATED");
    expect(refused.errors?.[0]?.message).toMatch(/Expired/);
  });

  it("stops a revoked client's live tokens on every api process", async () => {
    const client = await newClient(["payments:read"]);
    const token = (await tokenFor(client)).access_token;
    const payment = ok(await createPayment(apiA, key)).createPayment.payment.id;
    ok(await readPayment(apiE, token, payment)); // E now trusts the client for a minute (AUTH_CACHE_MS)
    ok(await gql(apiA, RevokeOAuthClientDocument, { input: { id: client.id } }, { key }));
    expect(refusal(await readPayment(apiA, token, payment))).toEqual({ code: "UNAUTHENTICATED", message: expect.stringMatching(/revoked/) });
    // E hears of it over Redis pub/sub, well inside its cache's minute.
    await eventually(() => readPayment(apiE, token, payment), (r) => errorCode(r) === "UNAUTHENTICATED");
    const again = await tokenRequest("grant_type=client_credentials", basic(client.id, client.secret));
    expect({ status: again.status, error: again.body.error }).toEqual({ status: 401, error: "invalid_client" });
  });

  it("rotates the signing key: new tokens carry the new kid, old tokens still verify, the JWKS lists both", async () => {
    const client = await newClient(["payments:read"]);
    const before = (await tokenFor(client)).access_token;
    const oldKid = decodeProtectedHeader(before).kid!;
    const main = path.resolve(import.meta.dirname, "../../dist/main.js");
    const { stdout } = await promisify(execFile)(process.execPath, [main, "oauth", "rotate-signing-key", "--json"], { env: { PATH: process.env.PATH ?? "", ...stack.env } });
    const { kid: newKid } = JSON.parse(stdout.trim().split("\n").at(-1)!) as { kid: string };
    expect(newKid).not.toBe(oldKid);

    // A hears of the rotation over Redis and signs with the new key.
    const after = await eventually(async () => (await tokenFor(client)).access_token, (t) => decodeProtectedHeader(t).kid === newKid, 10_000);
    const payment = ok(await createPayment(apiA, key)).createPayment.payment.id;
    for (const url of [apiA, apiE]) {
      ok(await readPayment(url, before, payment));
      ok(await readPayment(url, after, payment));
    }
    const { keys } = (await (await fetch(`${apiE}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] };
    expect(keys.map((k) => k.kid)).toEqual(expect.arrayContaining([oldKid, newKid]));
  });

  it("limits token requests and credential-less GraphQL requests per address: 429 with Retry-After", async () => {
    // D allows 2 requests a second from one address; 10 at once cannot all pass, whatever the window.
    const tokens = await Promise.all(Array.from({ length: 10 }, () => tokenRequest("grant_type=client_credentials", {}, apiD)));
    const limited = tokens.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0]?.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(limited[0]?.body).toMatchObject({ error: "rate_limited", error_description: expect.any(String), retry_after_ms: expect.any(Number) });

    const anonymous = await Promise.all(Array.from({ length: 10 }, () => gql(apiD, "{ payments(first: 1) { edges { node { id } } } }", {}, { key: "sk_test_00000000000000000000000000000000" })));
    const refused = anonymous.filter((r) => r.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    expect(errorCode(refused[0]!)).toBe("RATE_LIMITED");
    expect(refused[0]?.headers.get("retry-after")).toMatch(/^\d+$/);
    // A valid credential is counted per credential, not per address: a burst of 10 passes.
    const token = (await tokenFor(await newClient(["payments:read"]))).access_token;
    const fine = await Promise.all(Array.from({ length: 10 }, () => gql(apiD, "{ payments(first: 1) { edges { node { id } } } }", {}, { key: token })));
    expect(fine.map((r) => r.status)).not.toContain(429);
  });
});
