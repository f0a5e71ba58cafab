// Routing decision time, in-process, on the built code (dist/): (1) the pure planner `planRoute`
// alone, 100,000 decisions over realistic accounts and figures; (2) everything routeAttempt does
// for a first attempt against a running stack's PostgreSQL and Redis (gateway accounts read,
// success-rate/circuit pipeline, rules read, then the planner), through an App built by the
// product's own src/app/process.ts, plus each of those parts on its own.
import path from "node:path";
import { pathToFileURL } from "node:url";
import { percentile, round, sleep } from "./stats.mjs";

const load = (distDir, file) => import(pathToFileURL(path.join(distDir, file)).href);
const T0 = new Date("2026-11-01T00:00:00Z");

/** `n` accounts as a merchant might connect them: varied currencies, brands, costs, priorities; some off or closed for business. */
export function routingFixture(n) {
  if (n === 3) {
    // The orchestration phase as the planner sees it: gw-a degraded (30 % of calls 503), gw-b and gw-c healthy.
    const accounts = ["gw-a", "gw-b", "gw-c"].map((name, i) => ({
      id: `gwa_bench${i}`, name, currencies: ["USD"], cardBrands: [], priority: 10 * (i + 1), enabled: true, createdAt: new Date(T0.getTime() + i), costBps: 0,
    }));
    const stats = new Map([
      ["gwa_bench0", { approved: 290, calls: 414, circuit: "CLOSED" }],
      ["gwa_bench1", { approved: 1896, calls: 1896, circuit: "CLOSED" }],
      ["gwa_bench2", { approved: 61, calls: 61, circuit: "CLOSED" }],
    ]);
    return { accounts, stats };
  }
  const currencies = [["USD"], ["USD", "EUR"], ["EUR", "GBP"], [], ["USD", "CAD", "AUD"]];
  const brands = [[], ["visa", "mastercard"], ["visa"], ["american-express"], []];
  const accounts = Array.from({ length: n }, (_, i) => ({
    id: `gwa_bench${String(i).padStart(2, "0")}`, name: `acquirer-${i}`, currencies: currencies[i % 5], cardBrands: brands[(i * 3) % 5],
    priority: 10 + (i % 7) * 10, enabled: i % 9 !== 8, createdAt: new Date(T0.getTime() + i * 1000), costBps: 150 + ((i * 37) % 200),
  }));
  const stats = new Map(accounts.map((a, i) => {
    const calls = [0, 4, 120, 900, 2600][i % 5];
    const rate = [0.99, 0.97, 0.92, 0.985, 0.7][(i * 7) % 5];
    return [a.id, { approved: Math.round(calls * rate), calls, circuit: i % 11 === 5 ? "OPEN" : i % 13 === 7 ? "HALF_OPEN" : "CLOSED" }];
  }));
  return { accounts, stats };
}

/**
 * Times `decisions` planRoute calls: the mean from one uninterrupted loop, and p50/p99 from the
 * same number of calls each timed with performance.now() (which adds its own ≈ 0.05 µs).
 */
export async function timePlanRoute(distDir, { accounts: n, decisions = 100_000, exploration = 0.05, failover = false }) {
  const { planRoute } = await load(distDir, "routing/route-plan.js");
  const { accounts, stats } = routingFixture(n);
  const input = { accounts, currency: "USD", brand: "visa", tried: failover ? [accounts[1].id] : [], stats, exploration };
  let sink = 0;
  const once = () => {
    const choice = planRoute(input);
    sink += choice ? choice.reason.length : 0;
  };
  for (let i = 0; i < 20_000; i += 1) once(); // JIT
  const t0 = performance.now();
  for (let i = 0; i < decisions; i += 1) once();
  const meanUs = ((performance.now() - t0) * 1000) / decisions;
  const samples = new Float64Array(decisions);
  for (let i = 0; i < decisions; i += 1) {
    const s = performance.now();
    once();
    samples[i] = (performance.now() - s) * 1000;
  }
  samples.sort();
  if (sink === 0) throw new Error("planRoute chose nothing");
  return {
    accounts: n, failover, decisions, meanUs: round(meanUs, 2), p50Us: round(percentile(samples, 50), 2), p99Us: round(percentile(samples, 99), 2),
    maxUs: round(samples[samples.length - 1], 1), sample: planRoute(input)?.reason,
  };
}

const summarizeMs = (samples) => {
  const sorted = Float64Array.from(samples).sort();
  return { n: sorted.length, meanMs: round(sorted.reduce((a, b) => a + b, 0) / sorted.length, 3), p50Ms: round(percentile(sorted, 50), 3), p99Ms: round(percentile(sorted, 99), 3) };
};

async function timeEach(n, fn) {
  for (let i = 0; i < Math.min(200, n); i += 1) await fn(); // pools connected, plans cached, JIT
  const samples = [];
  for (let i = 0; i < n; i += 1) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  return summarizeMs(samples);
}

/**
 * routeAttempt for one merchant's first attempt (USD, visa), `n` sequential calls, one in flight,
 * against the stack's database and Redis (`env`: the stack's environment), and its parts alone.
 */
export async function timeRouteAttempt(distDir, { env, merchantId, n = 1000 }) {
  await import("reflect-metadata"); // as src/main.ts does first: the GraphQL types app/process.js pulls in need it
  const { loadConfig } = await load(distDir, "config.js");
  const { createLogger } = await load(distDir, "platform/logger.js");
  const { createProcess } = await load(distDir, "app/process.js");
  const { routeAttempt } = await load(distDir, "routing/route-attempt.js");
  const { listGatewayAccounts } = await load(distDir, "gateways/accounts/gateway-accounts.js");
  const { loadRoutingRules } = await load(distDir, "routing/rules/routing-rules.js");
  const { segmentOf } = await load(distDir, "routing/gateway-stats.js");
  const { planRoute } = await load(distDir, "routing/route-plan.js");
  const config = loadConfig({}, { REDIS_URL: process.env.REDIS_URL, ...env });
  const proc = createProcess(config, createLogger("warn", "bench"));
  const { app } = proc;
  try {
    const req = { merchantId, paymentId: "pay_benchroute", currency: "USD", amount: 1250n, cardBrand: "visa", cardCountry: "US", metadata: {}, tried: [] };
    const accounts = await listGatewayAccounts(app.db, merchantId);
    const ids = accounts.map((a) => a.id);
    const segment = segmentOf("USD", "visa");
    // The stats' fail-fast connection refuses commands (read: "no data") until it is up.
    let stats = new Map();
    for (let i = 0; i < 50 && stats.size !== ids.length; i += 1) {
      await sleep(100);
      stats = await app.stats.read(ids, segment);
    }
    if (stats.size !== ids.length) throw new Error(`the Redis read answered ${stats.size} of ${ids.length} accounts: not measuring the real path`);
    const full = await timeEach(n, () => routeAttempt(app, app.db, req));
    const parts = {
      accountsRead: await timeEach(n, () => listGatewayAccounts(app.db, merchantId)),
      statsPipeline: await timeEach(n, () => app.stats.read(ids, segment)),
      rulesRead: await timeEach(n, () => loadRoutingRules(app.db, merchantId)),
      planner: await timeEach(n, async () => planRoute({ accounts, currency: "USD", brand: "visa", tried: [], stats, exploration: config.routingExploration })),
    };
    const chosen = await routeAttempt(app, app.db, req);
    return {
      accounts: ids.length, buckets: config.routingBuckets, full, parts, sample: chosen?.reason,
      includes: "listGatewayAccounts (1 SQL via Prisma) + GatewayStats.read (1 Redis pipeline: 1 GET + buckets×HMGET per account) in parallel with loadRoutingRules (1 SQL) + planRoute; sequential, one call in flight, idle stack",
    };
  } finally {
    await proc.close();
  }
}
