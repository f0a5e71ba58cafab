// Rate and cost limits (first slice of #4): each API key gets RATE_LIMIT_PER_SECOND requests a
// second across every api process (per-key override in api_key.rate_limit_per_second), refused
// with 429 + RATE_LIMITED + Retry-After; queries too deep, too aliased or too costly are refused
// before they run with QUERY_TOO_COMPLEX; introspection can be switched off.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiKeysDocument, PaymentUpdatedDocument, SetApiKeyRateLimitDocument, type SetApiKeyRateLimitMutation } from "../../client/src/generated/graphql.js";
import { createStack, errorCode, gql, ok, subscribe, wsClient, type GqlResult, type Stack } from "../support/stack.js";
import { tcpProxy, type TcpProxy } from "../support/tcp-proxy.js";

const LIMIT = 5;
const PING = "{ gatewayAccounts { id } }";

let stack: Stack;
let limited: string; // an api process with a low rate limit
let strict: string; // an api process with low query limits and no introspection
let proxy: TcpProxy;
let cutOff: string; // like `limited`, reaching Redis through a proxy the test can cut

beforeAll(async () => {
  stack = await createStack({ GATEWAY_URL: "http://127.0.0.1:9" });
  limited = (await stack.start(["start", "--role", "api", "--port", "0"], { RATE_LIMIT_PER_SECOND: String(LIMIT) })).url;
  strict = (await stack.start(["start", "--role", "api", "--port", "0"], {
    RATE_LIMIT_PER_SECOND: "0", GRAPHQL_MAX_DEPTH: "5", GRAPHQL_MAX_ALIASES: "3", GRAPHQL_MAX_COST: "300", GRAPHQL_MAX_TOKENS: "400", GRAPHQL_INTROSPECTION: "false",
  })).url;
  const redis = new URL(stack.env.REDIS_URL ?? "redis://127.0.0.1:6379");
  proxy = await tcpProxy(redis.hostname, Number(redis.port || 6379));
  cutOff = (await stack.start(["start", "--role", "api", "--port", "0"], { RATE_LIMIT_PER_SECOND: String(LIMIT), REDIS_URL: `redis://127.0.0.1:${proxy.port}` })).url;
});
afterAll(async () => {
  await stack?.close();
  await proxy?.close();
});

/** Sends `n` requests at once: at most two one-second windows' worth can pass, whatever the timing. */
const burst = (key: string, n: number, url = limited): Promise<GqlResult<unknown>[]> =>
  Promise.all(Array.from({ length: n }, () => gql(url, PING, {}, { key })));

/** Sets the merchant's (one) key's limit through the API, on the process without a rate limit. */
async function setKeyLimit(secretKey: string, perSecond: number | null): Promise<GqlResult<SetApiKeyRateLimitMutation>> {
  const [key] = ok(await gql(strict, ApiKeysDocument, {}, { key: secretKey })).apiKeys.nodes;
  return gql(strict, SetApiKeyRateLimitDocument, { input: { id: key!.id, rateLimitPerSecond: perSecond } }, { key: secretKey });
}

describe("per-address limits for requests without a valid credential", () => {
  const burstFrom = (target: string, forwardedFor: string, n: number) =>
    Promise.all(Array.from({ length: n }, () => gql(target, PING, {}, { headers: { "x-forwarded-for": forwardedFor } })));

  it("believes X-Forwarded-For only from TRUST_PROXY: behind a proxy each client has its own budget, elsewhere a forged header escapes nothing", async () => {
    const env = { RATE_LIMIT_PER_IP_PER_SECOND: "3" };
    const [behindProxy, direct] = await Promise.all([
      stack.start(["start", "--role", "api", "--port", "0"], { ...env, TRUST_PROXY: "loopback" }).then((r) => r.url),
      stack.start(["start", "--role", "api", "--port", "0"], env).then((r) => r.url),
    ]);
    // Behind the proxy: client 198.51.100.1 is refused, client 198.51.100.2 is not.
    expect((await burstFrom(behindProxy, "198.51.100.1", 12)).some((r) => r.status === 429)).toBe(true);
    const other = await gql(behindProxy, PING, {}, { headers: { "x-forwarded-for": "198.51.100.2" } });
    expect(other.status).not.toBe(429);
    expect(errorCode(other)).toBe("UNAUTHENTICATED");
    // Without TRUST_PROXY the header is ignored: 24 requests "from" two addresses share one socket's
    // budget, so at most two one-second windows' worth (2 × 3) pass, whatever the timing.
    const both = (await Promise.all([burstFrom(direct, "198.51.100.1", 12), burstFrom(direct, "198.51.100.3", 12)])).flat();
    expect(both.filter((r) => r.status !== 429).length).toBeLessThanOrEqual(6);
  });
});

describe("per-key rate limits", () => {
  it("answers a burst past the limit with 429, RATE_LIMITED, the retry delay and RateLimit headers", async () => {
    const { secretKey } = await stack.merchant();
    const results = await burst(secretKey, 8 * LIMIT);
    const refused = results.filter((r) => r.status === 429);
    expect(refused.length).toBeGreaterThanOrEqual(6 * LIMIT);
    for (const r of refused) {
      expect(errorCode(r)).toBe("RATE_LIMITED");
      const retryAfterMs = r.errors?.[0]?.extensions?.retryAfterMs as number;
      expect(retryAfterMs).toBeGreaterThan(0);
      expect(Number(r.headers.get("retry-after"))).toBe(Math.ceil(retryAfterMs / 1000));
      expect(r.headers.get("ratelimit-limit")).toBe(String(LIMIT));
      expect(r.headers.get("ratelimit-remaining")).toBe("0");
      expect(Number(r.headers.get("ratelimit-reset"))).toBeGreaterThan(0);
    }
    const passed = results.filter((r) => r.status === 200);
    expect(passed.length).toBeGreaterThan(0);
    for (const r of passed) {
      expect(r.errors).toBeUndefined();
      expect(r.headers.get("ratelimit-limit")).toBe(String(LIMIT));
      expect(Number(r.headers.get("ratelimit-remaining"))).toBeLessThan(LIMIT);
      expect(r.headers.get("retry-after")).toBeNull();
    }
  });

  it("counts each key apart: another key is not affected by a burst", async () => {
    const [a, b] = await Promise.all([stack.merchant("A"), stack.merchant("B")]);
    const [burstA, answerB] = await Promise.all([burst(a.secretKey, 8 * LIMIT), gql(limited, PING, {}, { key: b.secretKey })]);
    expect(burstA.some((r) => r.status === 429)).toBe(true);
    expect(answerB.status).toBe(200);
    expect(answerB.errors).toBeUndefined();
  });

  it("gives a key with a higher override more, at once on a process that already knew the key (setApiKeyRateLimit)", async () => {
    const { secretKey } = await stack.merchant();
    expect((await burst(secretKey, 8 * LIMIT)).some((r) => r.status === 429)).toBe(true); // `limited` has the key cached
    const set = ok(await setKeyLimit(secretKey, 100));
    expect(set.setApiKeyRateLimit.apiKey.rateLimitPerSecond).toBe(100);
    // The change reaches `limited` over Redis pub/sub (not ordered with this HTTP request): wait for it.
    await expect.poll(async () => (await gql(limited, PING, {}, { key: secretKey })).headers.get("ratelimit-limit"), { timeout: 5000 }).toBe("100");
    await new Promise((r) => setTimeout(r, 1000)); // a fresh window
    const results = await burst(secretKey, 8 * LIMIT);
    expect(results.every((r) => r.status === 200 && !r.errors)).toBe(true);
    expect(results[0]?.headers.get("ratelimit-limit")).toBe("100");
    // null: back to the server's default
    expect(ok(await setKeyLimit(secretKey, null)).setApiKeyRateLimit.apiKey.rateLimitPerSecond).toBeNull();
    await expect.poll(async () => (await gql(limited, PING, {}, { key: secretKey })).headers.get("ratelimit-limit"), { timeout: 5000 }).toBe(String(LIMIT));
  });

  it("refuses an impossible limit, and another merchant's key, changing nothing", async () => {
    const [a, b] = await Promise.all([stack.merchant("A"), stack.merchant("B")]);
    for (const bad of [-1, 1_000_001]) {
      const r = await setKeyLimit(a.secretKey, bad);
      expect(errorCode(r)).toBe("BAD_USER_INPUT");
      expect(r.errors?.[0]?.extensions?.field).toBe("rateLimitPerSecond");
    }
    const [keyOfA] = ok(await gql(strict, ApiKeysDocument, {}, { key: a.secretKey })).apiKeys.nodes;
    expect(errorCode(await gql(strict, SetApiKeyRateLimitDocument, { input: { id: keyOfA!.id, rateLimitPerSecond: 1 } }, { key: b.secretKey }))).toBe("NOT_FOUND");
    expect(ok(await gql(strict, ApiKeysDocument, {}, { key: a.secretKey })).apiKeys.nodes[0]?.rateLimitPerSecond).toBeNull();
  });

  it("counts every subscription operation, and refuses those past the limit with RATE_LIMITED", async () => {
    const { secretKey } = await stack.merchant();
    const client = wsClient(limited, secretKey);
    const subs = Array.from({ length: 8 * LIMIT }, () => subscribe(client, PaymentUpdatedDocument, {}));
    const refused = await new Promise<unknown[]>((resolve) => {
      const poll = (): void => {
        const errors = subs.flatMap((s) => s.errors.flat() as unknown[]);
        if (errors.length >= 6 * LIMIT) resolve(errors);
        else setTimeout(poll, 20);
      };
      poll();
    });
    expect(refused.every((e) => (e as { extensions?: { code?: string } }).extensions?.code === "RATE_LIMITED")).toBe(true);
    subs.forEach((s) => s.dispose());
    await client.dispose();
  });

  it("keeps answering while Redis is unreachable, each process counting in memory", async () => {
    const { secretKey } = await stack.merchant();
    await proxy.cut();
    try {
      const results = await burst(secretKey, 8 * LIMIT, cutOff);
      expect(results.every((r) => r.status === 200 || (r.status === 429 && errorCode(r) === "RATE_LIMITED"))).toBe(true);
      expect(results.filter((r) => r.status === 200 && !r.errors).length).toBeGreaterThan(0);
      expect(results.filter((r) => r.status === 429).length).toBeGreaterThanOrEqual(6 * LIMIT);
    } finally {
      await proxy.restore();
    }
  });
});

describe("query limits", () => {
  let key: string;
  beforeAll(async () => {
    key = (await stack.merchant()).secretKey;
  });
  const tooComplex = (r: GqlResult<unknown>, limit: string): void => {
    expect(r.data ?? undefined).toBeUndefined();
    expect(errorCode(r)).toBe("QUERY_TOO_COMPLEX");
    expect(r.errors?.[0]?.extensions?.limit).toBe(limit);
  };

  it("runs an ordinary query within the limits", async () => {
    const r = await gql(strict, "{ payments(first: 5) { edges { node { id status amount { amount currency } } } } }", {}, { key });
    expect(r.errors).toBeUndefined();
  });

  it("refuses a too-deep query", async () => {
    tooComplex(await gql(strict, '{ payment(id: "pay_x") { refunds { nodes { payment { refunds { nodes { payment { refunds { nodes { id } } } } } } } } } }', {}, { key }), "maxDepth");
  });

  it("refuses a too-aliased query", async () => {
    tooComplex(await gql(strict, "{ a: gatewayAccounts { id } b: gatewayAccounts { id } c: gatewayAccounts { id } d: gatewayAccounts { id } }", {}, { key }), "maxAliases");
  });

  it("refuses a too-costly query", async () => {
    const fields = "id status createdAt amount { amount currency } amountCaptured { amount currency } amountRefunded { amount currency } attempts { nodes { id gateway status latencyMs } } events { nodes { id } }";
    tooComplex(await gql(strict, `{ payments(first: 5) { nodes { ${fields} } } }`, {}, { key }), "maxCost");
  });

  it("refuses a document with too many tokens", async () => {
    tooComplex(await gql(strict, `{ gatewayAccounts { ${"id ".repeat(400)} } }`, {}, { key }), "maxTokens");
  });

  it("refuses batched operations", async () => {
    const response = await fetch(`${strict}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify([{ query: PING }, { query: PING }]),
    });
    expect(response.status).toBe(400);
    tooComplex({ ...((await response.json()) as GqlResult<unknown>), status: 400 }, "batch");
  });

  it("answers introspection only where it is on", async () => {
    const introspect = "{ __schema { queryType { name } } }";
    const off = await gql(strict, introspect, {}, { key });
    expect(off.data ?? undefined).toBeUndefined();
    expect(errorCode(off)).toBe("GRAPHQL_VALIDATION_FAILED");
    const on = await gql(limited, introspect, {}, { key });
    expect(on.data).toEqual({ __schema: { queryType: { name: "Query" } } });
  });
});
