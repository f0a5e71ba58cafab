// NODE_ENV=production through the real processes: no demo merchant is made or printed, GraphQL's
// "Did you mean …?" hints do not map the schema for a prober (HTTP and WebSocket), and /metrics is
// behind METRICS_TOKEN, or on its own METRICS_PORT and then not on the api's port.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStack, errorCode, eventually, gql, subscribe, wsClient, type Role, type Stack } from "../support/stack.js";

const METRICS_TOKEN = randomBytes(24).toString("hex");
let stack: Stack;
let all: Role;

beforeAll(async () => {
  // SEED_DEMO_MERCHANT unset (the test stack sets it false): production's own default must hold.
  stack = await createStack({ NODE_ENV: "production", VAULT_KEYS: `k1:${randomBytes(32).toString("base64")}`, SEED_DEMO_MERCHANT: "" });
  all = await stack.start(["start", "--role", "all", "--port", "0"], { METRICS_TOKEN });
});
afterAll(async () => stack?.close());

describe("production", () => {
  it("creates and prints no demo merchant", async () => {
    expect(all.output.join("\n")).not.toMatch(/Demo|Secret key|sk_test_/);
    const db = new pg.Client({ connectionString: stack.databaseUrl });
    await db.connect();
    try {
      expect((await db.query<{ n: string }>('SELECT (SELECT count(*) FROM merchant) + (SELECT count(*) FROM merchant_user) AS n')).rows[0]?.n).toBe("0");
    } finally {
      await db.end();
    }
  });

  it("gives no field suggestions, over HTTP or WebSocket, for a typo in the query or in a variable", async () => {
    const typo = await gql(all.url, "{ paymnts(first: 1) { edges { node { id } } } }");
    expect(errorCode(typo)).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(typo.errors?.[0]?.message).toBe('Cannot query field "paymnts" on type "Query".');
    const variable = await gql(all.url, "mutation($i: CreatePaymentInput!) { createPayment(input: $i) { payment { id } } }", { i: { amount: "1.00", currncy: "USD" } });
    expect(errorCode(variable)).toBe("BAD_USER_INPUT");
    expect(JSON.stringify(variable.errors)).not.toMatch(/Did you mean|"currency"/);

    const client = wsClient(all.url, undefined);
    try {
      const live = subscribe(client, 'subscription { paymentUpdatd(paymentId: "pay_x") { id } }', {});
      await eventually(async () => live.errors.length, (n) => n > 0);
      const message = JSON.stringify(live.errors);
      expect(message).toContain("paymentUpdatd");
      expect(message).not.toMatch(/Did you mean|"paymentUpdated"/);
    } finally {
      await client.dispose();
    }
  });

  it("serves /metrics only with the bearer token METRICS_TOKEN", async () => {
    for (const authorization of [undefined, "Bearer wrong-token-of-some-length", `Basic ${METRICS_TOKEN}`]) {
      const refused = await fetch(`${all.url}/metrics`, { headers: authorization ? { authorization } : {} });
      expect(refused.status).toBe(401);
      expect(refused.headers.get("www-authenticate")).toContain("Bearer");
      expect(await refused.text()).not.toContain("paygraph_");
    }
    const served = await fetch(`${all.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(served.status).toBe(200);
    expect(await served.text()).toContain("# TYPE paygraph_http_requests_total counter");
  });

  it("serves /metrics on METRICS_PORT alone when it is set", async () => {
    // The sandbox gateway the first process started serves this one too.
    const gateway = /Gateway\s+(http:\/\/\S+)/.exec(all.output.join("\n"))?.[1] ?? "";
    const api = await stack.start(["start", "--role", "api", "--port", "0"], { GATEWAY_URL: gateway, METRICS_PORT: "0" });
    const printed = api.output.join("\n");
    const metricsUrl = /Metrics\s+(http:\/\/\S+\/metrics)/.exec(printed)?.[1];
    expect(metricsUrl).toBeDefined();
    expect(printed).not.toContain(`${api.url}/metrics`);
    expect((await fetch(`${api.url}/metrics`)).status).toBe(404);
    const served = await fetch(metricsUrl!);
    expect(served.status).toBe(200);
    expect(await served.text()).toContain("paygraph_");
    // Its port serves nothing else.
    expect((await fetch(metricsUrl!.replace(/\/metrics$/, "/graphql"))).status).toBe(404);
  });
});
