// The orchestration fault run over the real network (loopback): gateway A answers 503 to 30 % of
// calls, gateway B times out for a stretch, then A is cut off entirely mid-run and later comes
// back. 500 good-card payments must all end CAPTURED, no card may be charged twice — the
// sandboxes' own ledgers are the witnesses — and every failed attempt must say why.
// A sits behind a TCP proxy: cutting the proxy refuses and drops A's connections exactly like a
// crashed gateway, while A's ledger (the witness) survives.
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ConfirmPaymentDocument, CreateGatewayAccountDocument, CreatePaymentDocument, GatewayHealthDocument } from "../../client/src/generated/graphql.js";
import { TEST_CARDS, card, createStack, eventually, gql, ledger, ok, type Stack } from "../support/stack.js";
import { tcpProxy, type TcpProxy } from "../support/tcp-proxy.js";

const CONCURRENCY = 20;
const BREAKER_FAILURES = 5;
const BREAKER_OPEN_MS = 1000;
let stack: Stack;
let url: string;
let key: string;
let gatewayA: string;
let gatewayB: string;
let proxyA: TcpProxy;
let db: pg.Client;

beforeAll(async () => {
  stack = await createStack({
    GATEWAY_TIMEOUT_MS: "400", GATEWAY_RETRIES: "3", RETRY_BASE_MS: "20", RETRY_CAP_MS: "200",
    BREAKER_FAILURES: String(BREAKER_FAILURES), BREAKER_OPEN_MS: String(BREAKER_OPEN_MS),
    ROUTING_WINDOW_MS: "5000", ROUTING_BUCKETS: "5", ROUTING_EXPLORATION_PCT: "10",
    RECONCILE_AFTER_MS: "5000", RECONCILE_EVERY_MS: "1000",
  });
  [gatewayA, gatewayB] = await Promise.all([
    stack.start(["sandbox", "--port", "0", "--name", "gw-a", "--fail-rate", "0.3"]).then((r) => r.url),
    stack.start(["sandbox", "--port", "0", "--name", "gw-b"]).then((r) => r.url),
  ]);
  proxyA = await tcpProxy("127.0.0.1", Number(new URL(gatewayA).port));
  url = (await stack.start(["start", "--role", "all", "--port", "0"])).url;
  key = (await stack.merchant()).secretKey;
  for (const [name, target, priority] of [["gw-a", `http://127.0.0.1:${proxyA.port}`, 1], ["gw-b", gatewayB, 2]] as const) {
    ok(await gql(url, CreateGatewayAccountDocument, { input: { name, kind: "SANDBOX", config: { url: target }, priority } }, { key }));
  }
  db = new pg.Client({ connectionString: stack.databaseUrl });
  await db.connect();
}, 60_000);
afterAll(async () => {
  await db?.end();
  await proxyA?.close();
  await stack?.close();
});

const control = (gateway: string, settings: Record<string, unknown>) =>
  fetch(`${gateway}/control`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(settings) });

/** Creates and confirms `n` payments, CONCURRENCY at a time; returns their ids in confirmation order. */
async function confirmPayments(n: number, phase: string): Promise<string[]> {
  const ids: string[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < n) {
      const i = next++;
      const amount = `${10 + (i % 90)}.${String(i % 100).padStart(2, "0")}`;
      const id = ok(await gql(url, CreatePaymentDocument, { input: { amount, currency: "USD", metadata: { phase } } }, { key })).createPayment.payment.id;
      ok(await gql(url, ConfirmPaymentDocument, { input: { paymentId: id, card: card(TEST_CARDS.approve) } }, { key }));
      ids.push(id);
    }
  }));
  return ids;
}

const firstGateways = async (ids: string[]): Promise<string[]> =>
  (await db.query<{ gateway: string }>(
    `SELECT DISTINCT ON (payment_id) payment_id, gateway FROM payment_attempt WHERE payment_id = ANY($1) ORDER BY payment_id, created_at, id`, [ids],
  )).rows.map((r) => r.gateway);

it("captures 500 payments exactly once each through 503s, timeouts and a gateway cut off mid-run", { timeout: 240_000 }, async () => {
  // Phase 1: A fails 30 % of calls with 503; B times out on every call for this stretch.
  await control(gatewayB, { timeoutRate: 1 });
  const phase1 = await confirmPayments(200, "one");
  await control(gatewayB, { timeoutRate: 0 });

  // Phase 2: A is cut off entirely while phase 1's payments are still in flight. Its circuit must
  // open within the next 10 payments; after that A only gets a probe per open period.
  await proxyA.cut();
  const early = await confirmPayments(10, "two-early");
  const circuitOf = async (name: string) =>
    ok(await gql(url, GatewayHealthDocument, { windowMinutes: 5 }, { key })).gateways.find((g) => g.account.name === name)?.circuit.state;
  await eventually(() => circuitOf("gw-a"), (state) => state !== "CLOSED");
  const openedAt = Date.now();
  const late = await confirmPayments(140, "two");
  const openMs = Date.now() - openedAt;
  const { rows: [calls] } = await db.query<{ n: number }>(
    `SELECT count(DISTINCT payment_id)::int AS n FROM payment_attempt WHERE payment_id = ANY($1) AND gateway = 'gw-a' AND tries > 0`, [late]);
  // Probes (one per open period), plus what was already being confirmed when it opened.
  const bound = Math.ceil(openMs / BREAKER_OPEN_MS) + 1 + CONCURRENCY;
  console.log(`after A's circuit opened: ${calls!.n} of 140 payments called A (bound ${bound}); phase took ${openMs} ms`);
  expect(calls!.n).toBeLessThanOrEqual(bound);
  const phase2 = [...early, ...late];

  // Phase 3: A is back (still failing 30 % of calls): once its circuit probe succeeds it gets traffic again.
  await proxyA.restore();
  await eventually(() => circuitOf("gw-a"), (state) => state !== "OPEN");
  const phase3 = await confirmPayments(150, "three");
  const backToA = (await firstGateways(phase3)).filter((g) => g === "gw-a").length;
  console.log(`after A recovered: ${backToA} of 150 payments tried A first`);
  expect(backToA).toBeGreaterThan(0);

  // Every payment ends CAPTURED (those caught at A by the cut wait for A, then settle there).
  const all = [...phase1, ...phase2, ...phase3];
  expect(new Set(all).size).toBe(500);
  const captured = () => db.query<{ n: number }>(`SELECT count(*)::int AS n FROM payment WHERE id = ANY($1) AND status = 'CAPTURED'`, [all]).then((r) => r.rows[0]!.n);
  await eventually(captured, (n) => n === 500, 120_000).catch(async (err: Error) => {
    // Say which payments did not settle, and how far their attempts got.
    const { rows } = await db.query(`SELECT p.id, p.status, a.id AS attempt, a.gateway, a.status AS attempt_status, a.tries, a.error_code, a.decision, a.updated_at
      FROM payment p JOIN payment_attempt a ON a.payment_id = p.id WHERE p.id = ANY($1) AND p.status <> 'CAPTURED' ORDER BY p.id, a.created_at`, [all]);
    throw new Error(`${err.message}\n${JSON.stringify(rows, null, 1)}`);
  });

  // The witnesses: each payment charged exactly once, for its amount, across both gateways.
  const charges = [...(await ledger(gatewayA)), ...(await ledger(gatewayB))].filter((c) => c.status === "captured");
  const attempts = (await db.query<{ id: string; payment_id: string; status: string; amount: string }>(
    `SELECT id, payment_id, status, amount::text FROM payment_attempt WHERE payment_id = ANY($1)`, [all])).rows;
  const byId = new Map(attempts.map((a) => [a.id, a]));
  const chargedPayments = charges.map((c) => byId.get(c.idempotencyKey)?.payment_id);
  expect(chargedPayments.filter((p) => p === undefined)).toEqual([]);
  expect(chargedPayments.length).toBe(500);
  expect(new Set(chargedPayments).size).toBe(500);
  for (const c of charges) {
    expect(byId.get(c.idempotencyKey)).toMatchObject({ status: "SUCCEEDED", amount: c.amount });
  }

  // Every failed attempt says what happened and what was decided; every failover says after what.
  const failed = (await db.query<{ error_code: string | null; decision: string | null }>(
    `SELECT error_code, decision FROM payment_attempt WHERE payment_id = ANY($1) AND status = 'FAILED'`, [all])).rows;
  expect(failed.length).toBeGreaterThan(0);
  expect(failed.filter((a) => !a.error_code || !a.decision)).toEqual([]);
  const failovers = (await db.query<{ routing_reason: string }>(
    `SELECT routing_reason FROM payment_attempt WHERE payment_id = ANY($1) AND previous_attempt_id IS NOT NULL`, [all])).rows;
  expect(failovers.length).toBeGreaterThan(0);
  expect(failovers.filter((a) => !/^Failover after gw-[ab] \(\w+\)\. /.test(a.routing_reason))).toEqual([]);

  // B's stretch of timeouts was met and survived: its attempts then were retried under their key.
  const timedOut = (await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM payment_attempt WHERE payment_id = ANY($1) AND gateway = 'gw-b' AND tries > 1`, [phase1])).rows[0]!.n;
  expect(timedOut).toBeGreaterThan(0);

  const { rows: [share] } = await db.query<{ retried: number; failed_over: number }>(`
    SELECT count(*) FILTER (WHERE retried)::int AS retried, count(*) FILTER (WHERE n > 1)::int AS failed_over
      FROM (SELECT payment_id, count(*) AS n, bool_or(tries > 1) AS retried FROM payment_attempt WHERE payment_id = ANY($1) GROUP BY payment_id) p`, [all]);
  console.log(`500 payments: ${share!.retried} retried at a gateway, ${share!.failed_over} failed over; ${failed.length} failed attempts, all explained`);
});
