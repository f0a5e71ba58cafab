// paygraph's load bench: one run measures lifecycle throughput (create → confirm → CAPTURED over a
// subscription) at one or more concurrencies, confirmPayment latency at half the peak rate, reads
// per second, and the two ceilings (pgbench raw-SQL lifecycle, bare Apollo), plus peak RSS.
//
//   npm run bench -- [--duration 20] [--concurrency 8,16,32] [--warmup 5] [--read-connections 50]
//                    [--profile] [--skip-ceilings] [--keep-db] [--timeout 10000]
//                    [--node-flags="--max-old-space-size=160"]   (extra node flags for api and worker)
//                    [--no-snapshot]   (run dist/ in place instead of a copy taken at the start)
//                    [--rate-limit N]   (RATE_LIMIT_PER_SECOND for the api; default 0, off: the bench's
//                                        one key reads faster than any sensible per-key limit)
//                    [--limiter-compare]   (reads again with the limiter counting every request but
//                                           never refusing, alternating off/on twice: its cost)
//
// Needs `npm run build` first (it runs dist/). Writes bench/results/latest.json.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { randomBytes } from "node:crypto";
import { cannon } from "./lib/cannon.mjs";
import { bareApolloCeiling, pgbenchCeiling } from "./lib/ceilings.mjs";
import { readProfile, summariseProfile } from "./lib/cpuprofile.mjs";
import { dbCounters, leftovers } from "./lib/db.mjs";
import { machine } from "./lib/machine.mjs";
import { provenance, provenanceLine } from "./lib/provenance.mjs";
import { runLifecycles } from "./lib/lifecycle.mjs";
import { buildReport, machineLine } from "./lib/report.mjs";
import { phaseMeter, startPgTracker, startRssSampler } from "./lib/sampler.mjs";
import { Stack } from "./lib/stack.mjs";
import { round, sleep } from "./lib/stats.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const RESULTS = path.join(ROOT, "bench", "results");
const PROF_DIR = path.join(RESULTS, "prof");

const { values: flags } = parseArgs({
  options: {
    duration: { type: "string", default: "20" },
    concurrency: { type: "string", default: "8,16,32" },
    warmup: { type: "string", default: "5" },
    "read-connections": { type: "string", default: "50" },
    timeout: { type: "string", default: "10000" },
    profile: { type: "boolean", default: false },
    "skip-ceilings": { type: "boolean", default: false },
    "keep-db": { type: "boolean", default: false },
    // The heap limit `npm start` and the paygraph command use, so RSS is measured as shipped.
    "node-flags": { type: "string", default: "--max-old-space-size=160" },
    "no-snapshot": { type: "boolean", default: false },
    "rate-limit": { type: "string", default: "0" },
    "limiter-compare": { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});
if (flags.help) {
  console.log("npm run bench -- [--duration S] [--concurrency C[,C…]] [--warmup S] [--read-connections N] [--timeout MS] [--profile] [--skip-ceilings] [--keep-db] [--no-snapshot] [--rate-limit N] [--limiter-compare] [--node-flags=\"--max-old-space-size=160 …\"]");
  process.exit(0);
}
const durationS = Number(flags.duration);
const concurrencies = flags.concurrency.split(",").map(Number).filter((n) => n > 0);
const warmupS = Number(flags.warmup);
const readConnections = Number(flags["read-connections"]);
const timeoutMs = Number(flags.timeout);
if (!(durationS > 0) || concurrencies.length === 0) throw new Error("--duration and --concurrency must be positive");

const log = (line) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const monoUs = () => Number(process.hrtime.bigint() / 1000n); // the clock V8's profiler stamps samples with

async function main() {
  mkdirSync(PROF_DIR, { recursive: true });
  const runId = randomBytes(4).toString("hex");
  const nodeFlags = flags["node-flags"].split(/\s+/).filter(Boolean);
  const stack = new Stack({ root: ROOT, runId, profileDir: PROF_DIR, nodeFlags, snapshot: !flags["no-snapshot"], env: { RATE_LIMIT_PER_SECOND: flags["rate-limit"] } });
  const rss = startRssSampler(250);
  const pgTracker = startPgTracker(`paygraph_bench_${runId}`);
  const result = { runId, machine: await machine(), options: { durationS, concurrencies, warmupS, readConnections, timeoutMs, profile: flags.profile, nodeFlags } };
  result.code = provenance(ROOT); // taken when dist/ is copied, so it names the code that ran
  log(machineLine(result.machine));
  log(provenanceLine(result.code));
  const pids = () => ({ api: stack.procs.api?.pid, worker: stack.procs.worker?.pid, sandbox: stack.procs.sandbox?.pid, bench: process.pid });
  const watch = () => ["api", "worker", "sandbox"].forEach((n) => stack.procs[n] && rss.watch(n, stack.procs[n].pid));

  /** Runs one measured phase with CPU and RSS accounting around it. */
  const measured = phaseMeter({ rss, pgTracker, pids });

  process.once("SIGINT", () => {
    log("interrupted: tearing down");
    stack.stop({ keepDb: flags["keep-db"] })
      .catch((err) => log(`teardown: ${err.message}`))
      .finally(() => process.exit(130));
  });
  try {
    log(`starting paygraph (database ${stack.dbName}, prefix ${stack.env.REDIS_PREFIX}${flags.profile ? ", api+worker under --cpu-prof" : ""})`);
    await stack.start({ profile: flags.profile });
    watch();
    const base = { httpUrl: stack.httpUrl, wsUrl: stack.wsUrl, key: stack.secretKey, timeoutMs };
    const ids = [];

    if (warmupS > 0) {
      log(`warm-up: ${warmupS} s of lifecycles at C=${concurrencies[0]}`);
      const w = await runLifecycles({ ...base, concurrency: concurrencies[0], durationMs: warmupS * 1000, ids });
      result.warmup = { lifecyclesPerS: w.lifecyclesPerS, errors: w.errors, errorSamples: w.errorSamples };
    }

    await sleep(1100); // let the backends report their warm-up transactions to pg_stat_database
    const countersBefore = await dbCounters(stack.dbName);
    const window = { fromUs: monoUs() };
    result.lifecycle = [];
    for (const c of concurrencies) {
      log(`lifecycle: C=${c} for ${durationS} s`);
      const phase = await measured(`C=${c}`, () => runLifecycles({ ...base, concurrency: c, durationMs: durationS * 1000, ids }));
      log(`  ${phase.lifecyclesPerS} lifecycles/s, ${phase.errors} errors, lifecycle p50/p99 ${phase.lifecycleMs.p50}/${phase.lifecycleMs.p99} ms, confirm p50/p99 ${phase.confirmMs.p50}/${phase.confirmMs.p99} ms`);
      result.lifecycle.push(phase);
    }
    const peak = result.lifecycle.reduce((a, b) => (b.lifecyclesPerS > a.lifecyclesPerS ? b : a));
    const halfRate = peak.lifecyclesPerS / 2;
    log(`half load: ${round(halfRate)} lifecycles/s paced over C=${peak.concurrency} for ${durationS} s`);
    const half = await measured("half peak", () => runLifecycles({ ...base, concurrency: peak.concurrency, rate: halfRate, durationMs: durationS * 1000, ids }));
    half.achievedPerS = half.lifecyclesPerS;
    log(`  ${half.lifecyclesPerS} lifecycles/s, ${half.errors} errors, confirm p50/p99 ${half.confirmMs.p50}/${half.confirmMs.p99} ms`);
    window.toUs = monoUs();
    await sleep(1100);
    const countersAfter = await dbCounters(stack.dbName);
    const lifecycles = [...result.lifecycle, half].reduce((n, p) => n + p.completed, 0);
    result.perLifecycle = Object.fromEntries(Object.keys(countersAfter).map((k) => [k, round((countersAfter[k] - countersBefore[k]) / lifecycles, 2)]));

    if (flags.profile) {
      log("stopping the profiled api and worker; restarting them without the profiler");
      await stack.stopRoles();
      result.profile = {};
      for (const { role, file } of stack.profiles) {
        const summary = summariseProfile(readProfile(file), { window });
        result.profile[role] = { file: path.relative(ROOT, file), ...summary };
      }
      await stack.startRoles();
      watch();
    }

    log(`reads: autocannon -c ${readConnections} for ${durationS} s over ${ids.length} payment ids (3 s warm-up first)`);
    const query = "query Read($id: ID!) { payment(id: $id) { id status amount { amount currency } } }";
    const readOpts = {
      get url() { return stack.httpUrl; }, // the api may be restarted (--limiter-compare)
      connections: readConnections,
      headers: { authorization: `Bearer ${stack.secretKey}` },
      body: () => JSON.stringify({ query, variables: { id: ids[Math.floor(Math.random() * ids.length)] } }),
      ok: (json) => json.data.payment?.status === "CAPTURED",
    };
    if (ids.length === 0) throw new Error("no payment completed: nothing to read");
    await cannon({ ...readOpts, durationS: 3 });
    result.reads = await measured("reads", () => cannon({ ...readOpts, durationS }));
    log(`  ${result.reads.reqPerS} reads/s, p50/p99 ${result.reads.p50}/${result.reads.p99} ms, non-2xx ${result.reads.non2xx}, with errors ${result.reads.graphqlErrors}`);

    if (flags["limiter-compare"]) result.limiter = await compareLimiter(stack, () => cannon({ ...readOpts, durationS: 3 }).then(() => measured("reads", () => cannon({ ...readOpts, durationS }))), watch);

    result.ceilings = {};
    if (!flags["skip-ceilings"]) {
      log(`ceiling (a): pgbench lifecycle.sql -c 8 -j 2 -T ${durationS}`);
      result.ceilings.pgbench = await measured("pgbench", () => pgbenchCeiling({ name: stack.scratchDbName, durationS }));
      log(`  ${result.ceilings.pgbench.tps} tps`);
      log(`ceiling (b): bare Apollo + Fastify { __typename }, autocannon -c ${readConnections} for ${durationS} s`);
      result.ceilings.bareApollo = await measured("bare apollo", () => bareApolloCeiling({ durationS, connections: readConnections }));
      log(`  ${result.ceilings.bareApollo.reqPerS} req/s`);
    }

    result.database = await leftovers(stack.dbName);
    result.serverLogProblems = stack.problems();
    result.peak = { concurrency: peak.concurrency, lifecyclesPerS: peak.lifecyclesPerS, lifecycleMs: peak.lifecycleMs, confirmMs: peak.confirmMs };
    result.half = { pacedRate: round(halfRate), achievedPerS: half.lifecyclesPerS, concurrency: peak.concurrency, confirmMs: half.confirmMs, lifecycleMs: half.lifecycleMs, errors: half.errors };
    result.lifecycle.push(half);
  } finally {
    log("tearing down (processes, Redis keys, database)");
    rss.stop();
    pgTracker.stop();
    result.rssPeakMb = Object.fromEntries(Object.entries(rss.peaks()).map(([k, v]) => [k, round(v)]));
    await stack.stop({ keepDb: flags["keep-db"] }).catch((err) => log(`teardown: ${err.message}`));
  }
  return result;
}

/**
 * Reads with the limiter off, then on (a limit no run reaches, so every request is counted in
 * Redis and none refused), twice in turn so drift on the shared box falls on both sides.
 */
async function compareLimiter(stack, reads, watch) {
  const figures = { off: [], on: [] };
  for (const mode of ["on", "off", "on"]) {
    stack.env.RATE_LIMIT_PER_SECOND = mode === "on" ? "1000000000" : "0";
    await stack.stopRoles();
    await stack.startRoles();
    watch();
    const r = await reads();
    log(`  limiter ${mode}: ${r.reqPerS} reads/s, p50/p99 ${r.p50}/${r.p99} ms, non-2xx ${r.non2xx}, with errors ${r.graphqlErrors}`);
    figures[mode].push(r);
  }
  stack.env.RATE_LIMIT_PER_SECOND = flags["rate-limit"];
  return figures;
}

function limiterLine(l, first) {
  const mean = (rs) => rs.reduce((n, r) => n + r.reqPerS, 0) / rs.length;
  const off = mean([first, ...l.off]);
  const on = mean(l.on);
  const all = [first, ...l.off, ...l.on];
  return `limiter: reads/s off ${[first, ...l.off].map((r) => r.reqPerS).join(", ")} (mean ${round(off)}); on ${l.on.map((r) => r.reqPerS).join(", ")} (mean ${round(on)}); cost ${round((1 - on / off) * 100)} %; non-2xx ${all.reduce((n, r) => n + r.non2xx, 0)}, with errors ${all.reduce((n, r) => n + r.graphqlErrors, 0)}`;
}

function finish(result) {
  console.log(buildReport(result));
  if (result.limiter) console.log(`\n${limiterLine(result.limiter, result.reads)}`);
  writeFileSync(path.join(RESULTS, "latest.json"), `${JSON.stringify(result, null, 2)}\n`);
  console.log(`\nwritten: ${path.relative(process.cwd(), path.join(RESULTS, "latest.json"))}`);
  process.exit(0); // keep-alive sockets and timers must not hold the run open
}

main().then(finish, (err) => {
  log(`failed: ${err.stack ?? err}`);
  process.exit(1);
});
