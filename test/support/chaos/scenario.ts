// The chaos scenario, shared by test/integration/chaos.test.ts (about a minute) and `npm run soak`
// (as long as asked): build the fleet, run traffic and faults together, let the storm pass and the
// reconciler finish, then collect everything the checker needs and check it.
import { appendFileSync } from "node:fs";
import pg from "pg";
import { CreateGatewayAccountDocument, VerifyAuditChainDocument } from "../../../client/src/generated/graphql.js";
import { createStack, gql, ledger, ok, type Stack } from "../stack.js";
import { checkInvariants, type ChaosSnapshot, type LedgerCharge, type Violation } from "./checker.js";
import { FaultInjector, OwnedRedis, Slot, control, freePort, type FaultKind } from "./faults.js";
import { rng } from "./prng.js";
import { merchantSubscriber } from "./subscriber.js";
import { Traffic } from "./traffic.js";

export interface ChaosOptions {
  seed: number;
  chaosMs: number;
  /** Concurrent shoppers. */
  concurrency?: number;
  /** How long to wait, after the storm, for everything in flight to settle. */
  settleMs?: number;
  log?: (line: string) => void;
}

export interface ChaosReport {
  seed: number;
  violations: Violation[];
  figures: Record<string, unknown>;
}

/** Short windows so the reconciler and the relay finish within the test's bounds. */
const CHAOS_ENV = {
  GATEWAY_TIMEOUT_MS: "400", GATEWAY_RETRIES: "3", RETRY_BASE_MS: "50", RETRY_CAP_MS: "400",
  RECONCILE_AFTER_MS: "3000", RECONCILE_EVERY_MS: "1000", JOB_LOCK_MS: "3000", OUTBOX_POLL_MS: "200",
  BREAKER_FAILURES: "5", BREAKER_OPEN_MS: "2000", ROUTING_WINDOW_MS: "10000", ROUTING_BUCKETS: "5", ROUTING_EXPLORATION_PCT: "30",
  RATE_LIMIT_PER_SECOND: "0", DB_POOL_SIZE: "5", WORKER_CONCURRENCY: "16",
};

/** Logs to the console, and to CHAOS_LOG (a file) as it happens: vitest holds a test's console output back. */
export function chaosLog(line: string): void {
  const text = `[chaos] ${new Date().toISOString().slice(11, 23)} ${line}`;
  console.log(text);
  if (process.env.CHAOS_LOG) appendFileSync(process.env.CHAOS_LOG, `${text}\n`);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function runChaos(o: ChaosOptions): Promise<ChaosReport> {
  const log = o.log ?? chaosLog;
  const random = rng(o.seed);
  const redis = new OwnedRedis(await freePort());
  await redis.start();
  log(`redis-server up on :${redis.port}`);
  let stack: Stack | undefined;
  const closers: (() => Promise<unknown>)[] = [];
  try {
    stack = await createStack({ ...CHAOS_ENV, REDIS_URL: redis.url });
    const s = stack;
    const databaseName = new URL(s.databaseUrl).pathname.slice(1);
    const [steady, flaky] = await Promise.all([
      s.start(["sandbox", "--port", "0", "--name", "gw-steady"]).then((r) => r.url),
      s.start(["sandbox", "--port", "0", "--name", "gw-flaky", "--fail-rate", "0.15"]).then((r) => r.url),
    ]);

    const unexpectedExits: ChaosSnapshot["unexpectedExits"] = [];
    const onExit = (slot: Slot, code: number | null, signal: string | null): void => {
      unexpectedExits.push({ role: slot.name, code, signal });
      log(`${slot.name} exited by itself (code ${code}, signal ${signal}): …${slot.role?.output.join("\n").slice(-1500)}`);
      void sleep(500).then(() => (slot.alive ? undefined : slot.start())).catch((err: unknown) => log(String(err)));
    };
    // Every role needs a GATEWAY_URL; payments go through the merchant's two accounts.
    const slot = (name: string, args: string[]) => new Slot(name, s, args, { GATEWAY_URL: steady }, onExit, log);
    // Three apis and two workers, any of which may be killed (never the last one up of its kind).
    const apis = [0, 1, 2].map((i) => slot(`api-${i}`, ["start", "--role", "api", "--port", "0"]));
    const workers = [0, 1].map((i) => slot(`worker-${i}`, ["start", "--role", "worker"]));
    await apis[0]!.start(); // migrates the database first
    await Promise.all([...apis.slice(1), ...workers].map((x) => x.start()));
    const { secretKey: key, merchantId } = await s.merchant("Chaos merchant");
    for (const [name, url, costBps] of [["gw-steady", steady, 300], ["gw-flaky", flaky, 200]] as const) {
      ok(await gql(apis[0]!.url, CreateGatewayAccountDocument, { input: { name, kind: "SANDBOX", config: { url }, currencies: ["USD"], priority: 1, costBps } }, { key }));
    }

    log(`fleet up: ${apis.map((a) => a.url).join(" ")}, 2 workers, redis :${redis.port}, gateways ${steady} ${flaky}`);
    const subscriber = merchantSubscriber(() => apis.map((a) => a.url), key, log);
    closers.push(() => subscriber.close());
    await subscriber.ready;
    log("subscriber connected; chaos begins");

    const apiUrls = () => apis.map((a) => a.url).filter(Boolean);
    const traffic = new Traffic({ seed: o.seed, rng: random.fork(100), key, apis: apiUrls, concurrency: o.concurrency ?? 6 });
    const faults = new FaultInjector({ stack: s, redis, workers, apis, flakyGateway: flaky, databaseName }, random.fork(200), log);
    const started = Date.now();
    traffic.start();
    faults.start();
    await sleep(o.chaosMs);
    log(`chaos over after ${Date.now() - started} ms; waiting for callers and processes`);
    await faults.stop();
    await traffic.stop();
    log(`callers done after ${Date.now() - started} ms`);
    await control(flaky, { failRate: 0, latencyMs: 0 });
    for (const x of [...apis, ...workers]) if (!x.alive) await x.start();

    // The reconciler's window: wait until nothing is in flight, the outbox is drained, the audit
    // chain is sealed, and the subscriber has every payment's last version (bounded; the checker
    // then names whatever is left).
    const db = new pg.Client({ connectionString: s.databaseUrl });
    await db.connect();
    closers.push(() => db.end());
    const settleDeadline = Date.now() + (o.settleMs ?? 60_000);
    let quiet = false;
    while (!quiet && Date.now() < settleDeadline) {
      const { rows: [busy] } = await db.query<{ n: number }>(`SELECT
        (SELECT count(*) FROM payment WHERE status = 'PROCESSING' OR amount_refund_pending > 0)
        + (SELECT count(*) FROM payment_attempt WHERE status = 'PENDING') + (SELECT count(*) FROM refund WHERE status = 'PENDING')
        + (SELECT count(*) FROM payment_operation WHERE status = 'PENDING') + (SELECT count(*) FROM outbox_message)
        + (SELECT count(*) FROM audit_record WHERE seq IS NULL) AS n`);
      const versions = (await db.query<{ id: string; version: number }>(`SELECT id, version FROM payment`)).rows;
      const behind = versions.filter((p) => Math.max(0, ...(subscriber.received.get(p.id) ?? [])) < p.version).length;
      quiet = Number(busy!.n) === 0 && behind === 0;
      if (!quiet) await sleep(500);
    }
    log(`settled: ${quiet ? "yes" : "no (checking what is left)"} after ${Date.now() - started} ms`);

    const snapshot = await collect(db, { steady, flaky }, merchantId);
    const verdict = ok(await gql(apis[0]!.url, VerifyAuditChainDocument, {}, { key })).verifyAuditChain;
    const report: ChaosSnapshot = {
      ...snapshot,
      calls: traffic.calls,
      received: subscriber.received,
      audit: { ok: verdict.ok, detail: JSON.stringify(verdict) },
      unexpectedExits,
    };
    const violations = checkInvariants(report);
    for (const x of [...apis, ...workers]) x.retire();
    // A missed version's neighbours, with when each was committed: to tell a lost message from one delivered out of order.
    const missed = [...new Set(violations.filter((v) => v.rule === "missed-version").map((v) => v.paymentId!))].slice(0, 10);
    for (const id of missed) {
      const { rows } = await db.query<{ version: number; at: Date; action: string }>(
        `SELECT (after->>'version')::int AS version, created_at AS at, action FROM audit_record WHERE entity_id = $1 AND after ? 'version' ORDER BY created_at`, [id]);
      const got = [...(subscriber.received.get(id) ?? [])].sort((a, b) => a - b);
      log(`missed: ${id} received [${got.join(",")}]; committed: ${rows.map((r) => `v${r.version} ${r.action} ${r.at.toISOString().slice(11, 23)}`).join("; ")}`);
    }
    const byStatus: Record<string, number> = {};
    for (const p of report.payments) byStatus[p.status] = (byStatus[p.status] ?? 0) + 1;
    const calls: Record<string, string> = {};
    for (const op of new Set(traffic.calls.map((c) => c.op))) {
      const mine = traffic.calls.filter((c) => c.op === op);
      calls[op] = `${mine.length} (ok ${mine.filter((c) => c.outcome === "ok").length}, refused ${mine.filter((c) => c.outcome === "error").length}, gave up ${mine.filter((c) => c.outcome === "gave-up").length})`;
    }
    const attemptsPerGateway: Record<string, number> = {};
    for (const a of report.attempts) attemptsPerGateway[a.gateway] = (attemptsPerGateway[a.gateway] ?? 0) + 1;
    const refusals: Record<string, number> = {};
    for (const c of traffic.calls) if (c.outcome !== "ok") refusals[`${c.op}:${c.code}`] = (refusals[`${c.op}:${c.code}`] ?? 0) + 1;
    return {
      seed: o.seed,
      violations,
      figures: {
        seed: o.seed,
        chaosSeconds: Math.round(o.chaosMs / 1000),
        payments: report.payments.length,
        paymentsByStatus: byStatus,
        operations: calls,
        retriesOfSameKey: traffic.calls.reduce((n, c) => n + c.tries - 1, 0),
        retryReasons: Object.fromEntries(traffic.retryReasons),
        finalRefusals: refusals,
        attemptsPerGateway,
        refunds: report.refunds.length,
        ledgerCharges: report.ledger.length,
        faults: Object.fromEntries(faults.injected as Map<FaultKind, number>),
        pgConnectionsTerminated: faults.terminatedConnections,
        processRestarts: Object.fromEntries([...apis, ...workers].map((x) => [x.name, x.restarts])),
        unexpectedExits: unexpectedExits.length,
        subscriber: subscriber.figures(),
        auditRecordsVerified: verdict.checked,
        settled: quiet,
        violations: violations.length,
      },
    };
  } finally {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await stack?.close().catch(() => undefined);
    await redis.kill();
  }
}

async function collect(db: pg.Client, gateways: { steady: string; flaky: string }, merchantId: string): Promise<Omit<ChaosSnapshot, "calls" | "received" | "audit" | "unexpectedExits">> {
  const q = async <T extends pg.QueryResultRow>(sql: string) => (await db.query<T>(sql, [merchantId])).rows;
  const payments = (await q<{ id: string; status: string; version: number; capture_method: "AUTOMATIC" | "MANUAL"; amount: string; amount_captured: string; amount_refunded: string; amount_refund_pending: string }>(
    `SELECT id, status, version, capture_method, amount::text, amount_captured::text, amount_refunded::text, amount_refund_pending::text FROM payment WHERE merchant_id = $1`,
  )).map((p) => ({
    id: p.id, status: p.status, version: p.version, captureMethod: p.capture_method, amount: BigInt(p.amount),
    amountCaptured: BigInt(p.amount_captured), amountRefunded: BigInt(p.amount_refunded), amountRefundPending: BigInt(p.amount_refund_pending),
  }));
  const attempts = (await q<{ id: string; payment_id: string; gateway: string; status: string }>(`SELECT id, payment_id, gateway, status FROM payment_attempt WHERE merchant_id = $1`))
    .map((a) => ({ id: a.id, paymentId: a.payment_id, gateway: a.gateway, status: a.status }));
  const refunds = (await q<{ id: string; payment_id: string; status: string; amount: string }>(`SELECT id, payment_id, status, amount::text FROM refund WHERE merchant_id = $1`))
    .map((r) => ({ id: r.id, paymentId: r.payment_id, status: r.status, amount: BigInt(r.amount) }));
  const operations = (await q<{ id: string; payment_id: string; kind: "CAPTURE" | "VOID"; status: string; amount: string }>(`SELECT id, payment_id, kind, status, amount::text FROM payment_operation WHERE merchant_id = $1`))
    .map((o) => ({ id: o.id, paymentId: o.payment_id, kind: o.kind, status: o.status, amount: BigInt(o.amount) }));
  const books: LedgerCharge[] = [];
  for (const [gateway, url] of [["gw-steady", gateways.steady], ["gw-flaky", gateways.flaky]] as const) {
    for (const c of await ledger(url)) {
      books.push({
        gateway, idempotencyKey: c.idempotencyKey, status: c.status, amount: BigInt(c.amount), amountCaptured: BigInt(c.amountCaptured),
        amountRefunded: BigInt(c.amountRefunded), refunds: c.refunds.map((r) => ({ idempotencyKey: r.idempotencyKey, amount: BigInt(r.amount) })),
      });
    }
  }
  return { payments, attempts, refunds, operations, ledger: books };
}
