// The orchestration bench: lifecycles over three sandbox gateways with one degraded, against the
// same stack with one gateway, in one run; then how the payments were routed (PostgreSQL), that
// none was charged twice (each sandbox's ledger), and how long a routing decision takes in-process.
//
//   npm run bench:orchestration -- [--duration 20] [--warmup 5] [--concurrency 16] [--fail-rate 0.3]
//                                  [--exploration-pct 5] [--timeout 30000] [--decisions 100000]
//                                  [--route-calls 1000] [--keep-db] [--node-flags="--max-old-space-size=160"]
//   npm run bench:orchestration -- --decisions-only     (only the pure planner timing; no stack)
//   npm run bench:orchestration -- --report bench/results/orchestration.json   (print a saved run's report)
//
// Phase A: merchant 1, one gateway account on the stack's sandbox. Phase B: a fresh merchant (clean
// success-rate windows, new accounts) with gw-a, gw-b, gw-c (priorities 10, 20, 30, same cost), each
// its own `paygraph sandbox` process; gw-a — the one priority prefers — answers 503 on `--fail-rate`
// of its authorize calls (PUT /control {"failRate"}) from the start of phase B. Needs `npm run build`
// first. Writes bench/results/orchestration.json and prints the report as Markdown.
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { firstAttemptTimeline, ledgerCheck, readLedgers, routingFigures, settle } from "./lib/attempt-figures.mjs";
import { dbUrl } from "./lib/db.mjs";
import { post } from "./lib/gql.mjs";
import { runLifecycles } from "./lib/lifecycle.mjs";
import { loadAverage, machine } from "./lib/machine.mjs";
import { orchestrationReport } from "./lib/orchestration-report.mjs";
import { provenance, provenanceLine } from "./lib/provenance.mjs";
import { finishBench, machineLine } from "./lib/report.mjs";
import { timePlanRoute, timeRouteAttempt } from "./lib/route-timing.mjs";
import { startCpuTracker } from "./lib/proc-cpu.mjs";
import { phaseMeter, startRssSampler } from "./lib/sampler.mjs";
import { Stack } from "./lib/stack.mjs";
import { round, share } from "./lib/stats.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const RESULTS = path.join(ROOT, "bench", "results");
const GATEWAYS = ["gw-a", "gw-b", "gw-c"];
const DEGRADED = "gw-a";

const { values: flags } = parseArgs({
  options: {
    duration: { type: "string", default: "20" },
    warmup: { type: "string", default: "5" },
    concurrency: { type: "string", default: "16" },
    "fail-rate": { type: "string", default: "0.3" },
    "exploration-pct": { type: "string", default: "5" },
    // A degraded call retried to the end is looked up after a full GATEWAY_TIMEOUT_MS (10 s) before
    // any failover, so such a lifecycle legitimately takes over 10 s.
    timeout: { type: "string", default: "30000" },
    decisions: { type: "string", default: "100000" },
    "route-calls": { type: "string", default: "1000" },
    "decisions-only": { type: "boolean", default: false },
    report: { type: "string" }, // print the report of a saved run's JSON again, run nothing
    "keep-db": { type: "boolean", default: false },
    "node-flags": { type: "string", default: "--max-old-space-size=160" },
  },
});
const o = {
  durationS: Number(flags.duration), warmupS: Number(flags.warmup), concurrency: Number(flags.concurrency), failRate: Number(flags["fail-rate"]),
  explorationPct: Number(flags["exploration-pct"]), timeoutMs: Number(flags.timeout), decisions: Number(flags.decisions), routeCalls: Number(flags["route-calls"]),
  nodeFlags: flags["node-flags"].split(/\s+/).filter(Boolean),
};
if (!(o.durationS > 0 && o.concurrency > 0 && o.failRate >= 0 && o.failRate <= 1)) throw new Error("--duration, --concurrency must be positive, --fail-rate in 0..1");
const log = (line) => process.stderr.write(`[orchestration ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

const CONNECT = "mutation Connect($input: CreateGatewayAccountInput!) { createGatewayAccount(input: $input) { gatewayAccount { id name priority } } }";
const HEALTH = "{ gateways(windowMinutes: 15) { account { name } attempts succeeded failed pending successRate circuit { state consecutiveFailures openedAt } } }";

async function connectAccount(url, key, name, gatewayUrl, priority) {
  const input = { name, kind: "SANDBOX", config: { url: gatewayUrl }, currencies: ["USD"], priority, costBps: 0 };
  return (await post(url, key, CONNECT, { input })).createGatewayAccount.gatewayAccount;
}

async function control(url, body) {
  const res = await fetch(`${url}/control`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`PUT ${url}/control: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}

async function decisionTimes(distDir) {
  const out = [];
  for (const [accounts, failover] of [[3, false], [3, true], [20, false]]) {
    log(`planRoute: ${o.decisions} decisions, ${accounts} accounts${failover ? ", failover (1 tried)" : ""}`);
    out.push(await timePlanRoute(distDir, { accounts, decisions: o.decisions, exploration: o.explorationPct / 100, failover }));
    log(`  mean ${out.at(-1).meanUs} µs, p50 ${out.at(-1).p50Us} µs, p99 ${out.at(-1).p99Us} µs`);
  }
  return out;
}

async function main() {
  mkdirSync(RESULTS, { recursive: true });
  const result = { options: o, gateways: GATEWAYS, degraded: DEGRADED, machine: await machine(), load: { before: loadAverage() }, code: provenance(ROOT) };
  log(machineLine(result.machine));
  log(provenanceLine(result.code));
  log(`load before: ${result.load.before.uptime}`);
  if (flags["decisions-only"]) {
    result.planRoute = await decisionTimes(path.join(ROOT, "dist"));
    result.load.after = loadAverage();
    return result;
  }

  const runId = randomBytes(4).toString("hex");
  result.runId = runId;
  const stack = new Stack({ root: ROOT, runId, profileDir: RESULTS, nodeFlags: o.nodeFlags, env: { ROUTING_EXPLORATION_PCT: String(o.explorationPct) } });
  const rss = startRssSampler(250);
  const pids = () => Object.fromEntries([...Object.entries(stack.procs).map(([n, p]) => [n, p.pid]), ["bench", process.pid]]);
  const cpu = startCpuTracker({ named: pids, databases: { pgOurs: stack.dbName } });
  const measured = phaseMeter({ rss, cpu });
  const db = new pg.Client({ connectionString: dbUrl(stack.dbName) });
  process.once("SIGINT", () => {
    log("interrupted: tearing down");
    stack.stop({ keepDb: flags["keep-db"] }).catch((err) => log(`teardown: ${err.message}`)).finally(() => process.exit(130));
  });
  try {
    log(`starting paygraph (database ${stack.dbName}, prefix ${stack.env.REDIS_PREFIX}) and sandboxes ${GATEWAYS.join(", ")}`);
    await stack.start();
    const sandboxes = { sandbox: stack.env.GATEWAY_URL };
    for (const name of GATEWAYS) sandboxes[name] = await stack.startSandbox(name);
    for (const role of ["api", "worker"]) rss.watch(role, stack.procs[role].pid);
    await db.connect();
    const single = { merchantId: stack.merchantId, secretKey: stack.secretKey };
    const multi = await stack.createMerchant("bench-orchestration");
    result.accounts = await stack.withTestModeApi(async (url) => ({
      single: [await connectAccount(url, single.secretKey, "single", sandboxes.sandbox, 10)],
      multi: await Promise.all(GATEWAYS.map((name, i) => connectAccount(url, multi.secretKey, name, sandboxes[name], 10 * (i + 1)))),
    }));

    const phase = async (label, merchant) => {
      const base = { httpUrl: stack.httpUrl, wsUrl: stack.wsUrl, key: merchant.secretKey, timeoutMs: o.timeoutMs, concurrency: o.concurrency };
      log(`${label}: warm-up ${o.warmupS} s, then ${o.durationS} s at C=${o.concurrency}`);
      const startedAt = new Date();
      const warmup = o.warmupS > 0 ? await runLifecycles({ ...base, durationMs: o.warmupS * 1000 }) : undefined;
      const measuredFrom = new Date();
      const p = await measured(label, () => runLifecycles({ ...base, durationMs: o.durationS * 1000 }));
      log(`  ${p.lifecyclesPerS} lifecycles/s, ${p.errors} errors, lifecycle p50/p99 ${p.lifecycleMs.p50}/${p.lifecycleMs.p99} ms (max ${p.lifecycleMs.max})`);
      return { ...p, startedAt: startedAt.toISOString(), measuredFrom: measuredFrom.toISOString(), warmup: warmup && { lifecyclesPerS: warmup.lifecyclesPerS, errors: warmup.errors, errorSamples: warmup.errorSamples } };
    };
    result.single = await phase("A: 1 gateway", single);
    result.degradedControl = await control(sandboxes[DEGRADED], { failRate: o.failRate });
    log(`${DEGRADED} degraded: PUT /control ${JSON.stringify({ failRate: o.failRate })} → ${JSON.stringify(result.degradedControl)}`);
    result.multi = await phase(`B: 3 gateways, ${DEGRADED} failRate ${o.failRate}`, multi);
    result.multi.shareOfSingle = share(result.multi.lifecyclesPerS, result.single.lifecyclesPerS);
    result.multi.health = (await post(stack.httpUrl, multi.secretKey, HEALTH, {})).gateways;

    log("waiting for every payment to settle, then reading attempts and ledgers");
    const stillProcessing = { single: await settle(db, single.merchantId), multi: await settle(db, multi.merchantId) };
    const charges = await readLedgers(sandboxes);
    for (const [key, merchant] of [["single", single], ["multi", multi]]) {
      result[key].stillProcessing = stillProcessing[key];
      result[key].routing = await routingFigures(db, merchant.merchantId, result[key].measuredFrom);
      result[key].ledger = await ledgerCheck(db, merchant.merchantId, charges);
    }
    result.ledgerEntries = charges.length;
    result.multi.timeline = await firstAttemptTimeline(db, multi.merchantId, result.multi.startedAt);

    result.planRoute = await decisionTimes(stack.snapshotDir ? path.join(stack.snapshotDir, "dist") : path.join(ROOT, "dist"));
    log(`routeAttempt: ${o.routeCalls} calls (and each part) against the stack's PostgreSQL and Redis, merchant ${multi.merchantId}`);
    result.routeAttempt = await timeRouteAttempt(path.join(stack.snapshotDir ?? ROOT, "dist"), { env: stack.env, merchantId: multi.merchantId, n: o.routeCalls });
    log(`  mean ${result.routeAttempt.full.meanMs} ms, p50 ${result.routeAttempt.full.p50Ms} ms, p99 ${result.routeAttempt.full.p99Ms} ms`);
    result.serverLogProblems = stack.problems();
  } finally {
    log("tearing down (processes, Redis keys, database)");
    rss.stop();
    cpu.stop();
    result.rssPeakMb = Object.fromEntries(Object.entries(rss.peaks()).map(([k, v]) => [k, round(v)]));
    await db.end().catch(() => undefined);
    await stack.stop({ keepDb: flags["keep-db"] }).catch((err) => log(`teardown: ${err.message}`));
    result.load.after = loadAverage();
  }
  return result;
}

if (flags.report) {
  console.log(orchestrationReport(JSON.parse(readFileSync(flags.report, "utf8"))));
  process.exit(0);
}

finishBench(main, { file: path.join(RESULTS, flags["decisions-only"] ? "orchestration-decisions.json" : "orchestration.json"), report: orchestrationReport, log });
