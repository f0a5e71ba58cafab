// Lost connections (issue 9 §4): PostgreSQL backends terminated mid-traffic (57P01), PostgreSQL
// unreachable for a while, Redis unreachable for the worker. No process exits; a request that
// meets the outage is told SERVICE_UNAVAILABLE (retryable, with retryAfterMs), never INTERNAL;
// and no payment is left PROCESSING once the connections are back.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfirmPaymentDocument, CreatePaymentDocument, PaymentDocument } from "../../client/src/generated/graphql.js";
import { PG_ADMIN_URL, REDIS_URL, TEST_CARDS, card, createStack, eventually, gql, ok, type GqlResult, type Role, type Stack } from "../support/stack.js";
import { tcpProxy, type TcpProxy } from "../support/tcp-proxy.js";

let stack: Stack;
let pgProxy: TcpProxy;
let redisProxy: TcpProxy;
let api: Role;
let worker: Role;
let key: string;
let dbName: string;

beforeAll(async () => {
  // The reconciler hands stale work back quickly, so a job that lost its database is finished soon.
  stack = await createStack({ RECONCILE_AFTER_MS: "2000", RECONCILE_EVERY_MS: "1000" });
  const database = new URL(stack.databaseUrl);
  dbName = database.pathname.slice(1);
  pgProxy = await tcpProxy(database.hostname, Number(database.port || 5432));
  const redis = new URL(REDIS_URL);
  redisProxy = await tcpProxy(redis.hostname, Number(redis.port || 6379));
  const gateway = (await stack.start(["sandbox", "--port", "0"])).url;
  // The api reaches PostgreSQL through a proxy the test can cut; the worker reaches Redis through one.
  const proxied = new URL(stack.databaseUrl);
  proxied.port = String(pgProxy.port);
  api = await stack.start(["start", "--role", "api", "--port", "0"], { GATEWAY_URL: gateway, DATABASE_URL: proxied.toString() });
  worker = await stack.start(["start", "--role", "worker"], { GATEWAY_URL: gateway, REDIS_URL: `redis://127.0.0.1:${redisProxy.port}` });
  key = (await stack.merchant()).secretKey;
});
afterAll(async () => {
  await stack?.close();
  await pgProxy?.close();
  await redisProxy?.close();
});

const alive = (role: Role): boolean => role.proc.exitCode === null && role.proc.signalCode === null;

async function sql<T extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

const processing = async (): Promise<number> =>
  Number((await sql<{ n: string }>(stack.databaseUrl, "SELECT count(*) AS n FROM payment WHERE status = 'PROCESSING'"))[0]?.n);

/** A refusal must be the typed, retryable one; anything else fails the test. */
function expectOkOrUnavailable(result: GqlResult<unknown>): boolean {
  if (!result.errors?.length) return true;
  const ext = result.errors[0]?.extensions ?? {};
  expect(ext.code, JSON.stringify(result.errors)).toBe("SERVICE_UNAVAILABLE");
  expect(ext.retryable).toBe(true);
  expect(ext.retryAfterMs).toEqual(expect.any(Number));
  return false;
}

describe("PostgreSQL connections lost", () => {
  it("keeps api and worker up while backends are terminated mid-traffic, and leaves nothing PROCESSING", async () => {
    let terminating = true;
    let terminated = 0;
    const terminator = (async () => {
      while (terminating) {
        const rows = await sql<{ n: string }>(PG_ADMIN_URL, "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", [dbName]);
        terminated += Number(rows[0]?.n ?? 0);
        await new Promise((r) => setTimeout(r, 150));
      }
    })();
    const traffic = async (n: number): Promise<void> => {
      for (let i = 0; i < n; i++) {
        const created = await gql(api.url, CreatePaymentDocument, { input: { amount: "10.00", currency: "USD" } }, { key });
        if (!expectOkOrUnavailable(created)) continue;
        const id = created.data!.createPayment.payment.id;
        const confirmed = await gql(api.url, ConfirmPaymentDocument, { input: { paymentId: id, card: card(TEST_CARDS.approve) } }, { key });
        expectOkOrUnavailable(confirmed);
      }
    };
    // Terminations go on until some have hit while the traffic ran.
    await Promise.all([traffic(8), traffic(8), traffic(8)]);
    await eventually(async () => terminated, (n) => n > 3);
    terminating = false;
    await terminator;

    expect(alive(api)).toBe(true);
    expect(alive(worker)).toBe(true);
    await eventually(processing, (n) => n === 0, 25_000);
    // The api answers normally again.
    ok(await gql(api.url, CreatePaymentDocument, { input: { amount: "1.00", currency: "USD" } }, { key }));
  });

  it("answers SERVICE_UNAVAILABLE (retryable) while PostgreSQL is unreachable, and serves again once it is back", async () => {
    const payment = ok(await gql(api.url, CreatePaymentDocument, { input: { amount: "2.00", currency: "USD" } }, { key })).createPayment.payment;
    await pgProxy.cut();
    const read = await gql(api.url, PaymentDocument, { id: payment.id }, { key });
    expect(read.errors?.[0]?.extensions).toMatchObject({ code: "SERVICE_UNAVAILABLE", retryable: true, retryAfterMs: expect.any(Number) });
    const create = await gql(api.url, CreatePaymentDocument, { input: { amount: "3.00", currency: "USD" } }, { key });
    expect(create.errors?.[0]?.extensions).toMatchObject({ code: "SERVICE_UNAVAILABLE", retryable: true });
    // A credential the process has not cached cannot be checked either: still no UNAUTHENTICATED.
    const unknownKey = await gql(api.url, PaymentDocument, { id: payment.id }, { key: `sk_test_${"0".repeat(32)}` });
    expect(unknownKey.errors?.[0]?.extensions).toMatchObject({ code: "SERVICE_UNAVAILABLE", retryable: true });
    expect((await fetch(`${api.url}/readyz`)).status).toBe(503);
    expect(alive(api)).toBe(true);

    await pgProxy.restore();
    const again = await eventually(() => gql(api.url, PaymentDocument, { id: payment.id }, { key }), (r) => !r.errors);
    expect(again.data?.payment?.id).toBe(payment.id);
  });
});

describe("Redis lost by the worker", () => {
  it("stays up and takes jobs again when Redis is back", async () => {
    await redisProxy.cut();
    const payment = ok(await gql(api.url, CreatePaymentDocument, { input: { amount: "4.00", currency: "USD" } }, { key })).createPayment.payment;
    ok(await gql(api.url, ConfirmPaymentDocument, { input: { paymentId: payment.id, card: card(TEST_CARDS.approve) } }, { key }));
    expect(ok(await gql(api.url, PaymentDocument, { id: payment.id }, { key })).payment?.status).toBe("PROCESSING");
    expect(alive(worker)).toBe(true);

    await redisProxy.restore();
    const done = await eventually(async () => ok(await gql(api.url, PaymentDocument, { id: payment.id }, { key })).payment, (p) => p?.status !== "PROCESSING", 25_000);
    expect(done?.status).toBe("CAPTURED");
    expect(alive(worker)).toBe(true);
  });
});
