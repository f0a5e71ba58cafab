// paygraph's load bench: one run measures lifecycle throughput (create → confirm → CAPTURED over a
// subscription) at one or more concurrencies, confirmPayment latency at half the peak rate, reads
// per second, and the two ceilings (pgbench raw-SQL lifecycle, bare Apollo), plus peak RSS; and the
// anatomy of every phase (issue 9 §1: commits, rows, Redis commands by name, CPU ms per process,
// per lifecycle and per read) and each of issue 9 §2's targets with pass/miss.
//
//   npm run bench -- [--duration 20] [--concurrency 8,16,32] [--warmup 5] [--read-connections 50]
//                    [--profile] [--skip-ceilings] [--keep-db] [--timeout 10000]
//                    [--idle 5]   (seconds of no load measured after the warm-up: background work; 0 skips)
//                    [--settle 11]   (seconds after each phase before pg_stat_database is read: backends
//                                 report their last counts up to 10 s late; lower it only to iterate)
//                    [--shared-redis]   (use REDIS_URL's Redis instead of a redis-server of the
//                                        bench's own: no Redis command counts, Redis CPU = every redis-server)
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
import { anatomyBrief, anatomySource, perUnit } from "./lib/anatomy.mjs";
import { leftovers } from "./lib/db.mjs";
import { loadAverage, machine } from "./lib/machine.mjs";
import { provenance, provenanceLine } from "./lib/provenance.mjs";
import { runLifecycles } from "./lib/lifecycle.mjs";
import { buildReport, machineLine } from "./lib/report.mjs";
import { startCpuTracker } from "./lib/proc-cpu.mjs";
import { phaseMeter, startRssSampler } from "./lib/sampler.mjs";
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
    idle: { type: "string", default: "5" },
    settle: { type: "string", default: "11" },
    "shared-redis": { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});
if (flags.help) {
  console.log("npm run bench -- [--duration S] [--concurrency C[,C…]] [--warmup S] [--read-connections N] [--timeout MS] [--profile] [--skip-ceilings] [--keep-db] [--no-snapshot] [--rate-limit N] [--limiter-compare] [--idle S] [--settle S] [--shared-redis] [--node-flags=\"--max-old-space-size=160 …\"]");
  process.exit(0);
}
const durationS = Number(flags.duration);
const concurrencies = flags.concurrency.split(",").map(Number).filter((n) => n > 0);
const warmupS = Number(flags.warmup);
const readConnections = Number(flags["read-connections"]);
const timeoutMs = Number(flags.timeout);
const idleS = Number(flags.idle);
const pgSettleS = Number(flags.settle);
if (!(durationS > 0) || concurrencies.length === 0) throw new Error("--duration and --concurrency must be positive");

const log = (line) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const monoUs = () => Number(process.hrtime.bigint() / 1000n); // the clock V8's profiler stamps samples with

async function main() {
  mkdirSync(PROF_DIR, { recursive: true });
  const runId = randomBytes(4).toString("hex");
  const nodeFlags = flags["node-flags"].split(/\s+/).filter(Boolean);
  const stack = new Stack({ root: ROOT, runId, profileDir: PROF_DIR, nodeFlags, snapshot: !flags["no-snapshot"], env: { RATE_LIMIT_PER_SECOND: flags["rate-limit"] }, ownRedis: !flags["shared-redis"] });
  const rss = startRssSampler(250);
  const result = { runId, machine: await machine(), load: { before: loadAverage() }, options: { durationS, concurrencies, warmupS, idleS, settleS: 1.1, pgSettleS, readConnections, timeoutMs, profile: flags.profile, nodeFlags, ownRedis: !flags["shared-redis"] } };
  result.code = provenance(ROOT); // taken when dist/ is copied, so it names the code that ran
  log(machineLine(result.machine));
  log(provenanceLine(result.code));
  log(`load: ${result.load.before.uptime}`);
  const pids = () => ({ api: stack.procs.api?.pid, worker: stack.procs.worker?.pid, sandbox: stack.procs.sandbox?.pid, redis: stack.redis?.pid, bench: process.pid });
  // Our database's backends and, during the pgbench ceiling, its scratch database's.
  const cpu = startCpuTracker({ named: pids, databases: { pgOurs: stack.dbName, pgScratch: stack.scratchDbName } });
  const watch = () => {
    ["api", "worker", "sandbox"].forEach((n) => stack.procs[n] && rss.watch(n, stack.procs[n].pid));
    if (stack.redis) rss.watch("redis", stack.redis.pid);
  };

  /** Runs one phase with CPU and RSS accounting around it (the ceilings: their load is not paygraph's). */
  const plain = phaseMeter({ rss, cpu });
  /** The same plus the phase's anatomy (set once the stack runs: it reads its database and Redis). */
  let measured = plain;

  process.once("SIGINT", () => {
    log("interrupted: tearing down");
    stack.stop({ keepDb: flags["keep-db"] })
      .catch((err) => log(`teardown: ${err.message}`))
      .finally(() => process.exit(130));
  });
  try {
    log(`starting paygraph (database ${stack.dbName}, prefix ${stack.env.REDIS_PREFIX}${flags.profile ? ", api+worker under --cpu-prof" : ""})`);
    await stack.start({ profile: flags.profile });
    if (stack.redis) log(`redis-server ${stack.redis.version} of the bench's own: ${stack.redis.url} (pid ${stack.redis.pid})`);
    result.redis = stack.redis ? { url: stack.redis.url, version: stack.redis.version } : { shared: process.env.REDIS_URL ?? "redis://127.0.0.1:6379" };
    measured = phaseMeter({ rss, cpu, anatomy: anatomySource({ dbName: stack.dbName, redis: stack.redis, settleMs: 1100, pgSettleMs: pgSettleS * 1000 }) });
    watch();
    const base = { httpUrl: stack.httpUrl, wsUrl: stack.wsUrl, key: stack.secretKey, timeoutMs };
    const ids = [];

    if (warmupS > 0) {
      log(`warm-up: ${warmupS} s of lifecycles at C=${concurrencies[0]}`);
      const w = await runLifecycles({ ...base, concurrency: concurrencies[0], durationMs: warmupS * 1000, ids });
      result.warmup = { lifecyclesPerS: w.lifecyclesPerS, errors: w.errors, errorSamples: w.errorSamples };
    }

    await sleep(pgSettleS * 1000); // the warm-up's last work, and its last counts in pg_stat_database (see anatomy.mjs)
    if (idleS > 0) {
      log(`idle: ${idleS} s with no load (background work)`);
      result.idle = await measured("idle", () => sleep(idleS * 1000).then(() => ({ durationS: idleS })));
    }
    const window = { fromUs: monoUs() };
    result.lifecycle = [];
    for (const c of concurrencies) {
      log(`lifecycle: C=${c} for ${durationS} s`);
      const phase = await measured(`C=${c}`, () => runLifecycles({ ...base, concurrency: c, durationMs: durationS * 1000, ids }));
      phase.perLifecycle = perUnit(phase.anatomy, phase.completed, result.idle?.anatomy);
      log(`  ${phase.lifecyclesPerS} lifecycles/s, ${phase.errors} errors, lifecycle p50/p99 ${phase.lifecycleMs.p50}/${phase.lifecycleMs.p99} ms, confirm p50/p99 ${phase.confirmMs.p50}/${phase.confirmMs.p99} ms`);
      log(`  ${anatomyBrief(phase.perLifecycle)} per lifecycle`);
      result.lifecycle.push(phase);
    }
    const peak = result.lifecycle.reduce((a, b) => (b.lifecyclesPerS > a.lifecyclesPerS ? b : a));
    const halfRate = peak.lifecyclesPerS / 2;
    log(`half load: ${round(halfRate)} lifecycles/s paced over C=${peak.concurrency} for ${durationS} s`);
    const half = await measured("half peak", () => runLifecycles({ ...base, concurrency: peak.concurrency, rate: halfRate, durationMs: durationS * 1000, ids }));
    half.achievedPerS = half.lifecyclesPerS;
    half.perLifecycle = perUnit(half.anatomy, half.completed, result.idle?.anatomy);
    log(`  ${half.lifecyclesPerS} lifecycles/s, ${half.errors} errors, confirm p50/p99 ${half.confirmMs.p50}/${half.confirmMs.p99} ms`);
    log(`  ${anatomyBrief(half.perLifecycle)} per lifecycle`);
    window.toUs = monoUs();

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
    result.reads.perRead = perUnit(result.reads.anatomy, result.reads.total, result.idle?.anatomy);
    log(`  ${result.reads.reqPerS} reads/s, p50/p99 ${result.reads.p50}/${result.reads.p99} ms, non-2xx ${result.reads.non2xx}, with errors ${result.reads.graphqlErrors}`);
    log(`  ${anatomyBrief(result.reads.perRead)} per read`);

    if (flags["limiter-compare"]) result.limiter = await compareLimiter(stack, () => cannon({ ...readOpts, durationS: 3 }).then(() => measured("reads", () => cannon({ ...readOpts, durationS }))), watch);

    result.ceilings = {};
    if (!flags["skip-ceilings"]) {
      log(`ceiling (a): pgbench lifecycle.sql -c 8 -j 2 -T ${durationS}`);
      result.ceilings.pgbench = await plain("pgbench", () => pgbenchCeiling({ name: stack.scratchDbName, durationS }));
      log(`  ${result.ceilings.pgbench.tps} tps`);
      log(`ceiling (b): bare Apollo + Fastify { __typename }, autocannon -c ${readConnections} for ${durationS} s`);
      result.ceilings.bareApollo = await plain("bare apollo", () => bareApolloCeiling({ durationS, connections: readConnections }));
      log(`  ${result.ceilings.bareApollo.reqPerS} req/s`);
    }

    result.database = await leftovers(stack.dbName);
    result.dbName = stack.dbName;
    result.serverLogProblems = stack.problems();
    result.peak = { label: peak.label, concurrency: peak.concurrency, lifecyclesPerS: peak.lifecyclesPerS, lifecycleMs: peak.lifecycleMs, confirmMs: peak.confirmMs, perLifecycle: peak.perLifecycle };
    result.half = { pacedRate: round(halfRate), achievedPerS: half.lifecyclesPerS, concurrency: peak.concurrency, confirmMs: half.confirmMs, lifecycleMs: half.lifecycleMs, errors: half.errors, perLifecycle: half.perLifecycle };
    result.lifecycle.push(half);
  } finally {
    log("tearing down (processes, Redis keys, database)");
    rss.stop();
    result.cpuTracking = { everyMs: cpu.everyMs, seen: cpu.seen(), exits: cpu.exits() };
    cpu.stop();
    result.load.after = loadAverage();
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
