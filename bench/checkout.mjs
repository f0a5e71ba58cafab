// The shopper's side bench (issue 11): what 3-D Secure adds to a payment lifecycle's work, and the
// hosted checkout page's transferred weight and time until its card field takes a keystroke.
//
//   npm run bench:checkout -- [--duration 15] [--concurrency 16] [--warmup 5] [--loads 12] [--keep-db]
//
// A: lifecycles with a new card number each (no authentication; scored by the risk model). B: frictionless 3-D Secure (4000000000003055 with
// requestThreeDSecure: ANY: the AReq, a Y, the authenticated authorization). C: challenged 3-D
// Secure (4000000000003220: the issuer's requires_action, a new attempt's AReq, a challenge passed
// by a browserless shopper over HTTP, the return, the resumed authorization). Each phase's anatomy
// per lifecycle (CPU ms per process, commits, Redis commands), and B − A, C − A.
// Page: `--loads` cold loads of a checkout session's page in Debian's Chromium (a fresh context
// each): bytes transferred (CDP's encodedDataLength, and the WebSocket frames until ready), and ms
// from navigation start until the card field is usable and a keystroke lands in it; beside the
// same figures for a bare page with one input, served from this process (the ceiling of this run).
// Risk: the risk step's own time per confirmation, from the api's /metrics histogram
// (paygraph_risk_scoring_duration_seconds: "decide", the decision in process — rules, model, lists,
// merchant rules — and "lookup", the Redis and PostgreSQL reads made at once), as mean and
// bucket-bounded p50/p99, and the decision's share of phase A's CPU per lifecycle.
// Needs `npm run build` first (it runs dist/). Writes bench/results/checkout.json.
import http from "node:http";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { randomBytes } from "node:crypto";
import { chromium } from "playwright-core";
import { withLuhnDigit } from "../dist/gateways/sandbox/cards.js";
import { CHARGED, anatomyLines, anatomySource, diffPerUnit, perUnit } from "./lib/anatomy.mjs";
import { passChallenge } from "./lib/acs-shopper.mjs";
import { post } from "./lib/gql.mjs";
import { runLifecycles } from "./lib/lifecycle.mjs";
import { loadAverage, machine } from "./lib/machine.mjs";
import { provenance, provenanceLine } from "./lib/provenance.mjs";
import { finishBench, machineLine } from "./lib/report.mjs";
import { startCpuTracker } from "./lib/proc-cpu.mjs";
import { phaseMeter, startRssSampler } from "./lib/sampler.mjs";
import { Stack } from "./lib/stack.mjs";
import { round, sleep, summarize } from "./lib/stats.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const RESULTS = path.join(ROOT, "bench", "results");
const { values: flags } = parseArgs({
  options: {
    duration: { type: "string", default: "15" },
    concurrency: { type: "string", default: "16" },
    warmup: { type: "string", default: "5" },
    loads: { type: "string", default: "12" },
    "keep-db": { type: "boolean", default: false },
    "node-flags": { type: "string", default: "--max-old-space-size=160" },
  },
});
const o = { durationS: Number(flags.duration), concurrency: Number(flags.concurrency), warmupS: Number(flags.warmup), loads: Number(flags.loads), nodeFlags: flags["node-flags"].split(/\s+/).filter(Boolean) };
const PG_SETTLE_S = 11;
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];
const log = (line) => process.stderr.write(`[checkout ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
/** A valid Visa number never seen before (random digits, Luhn check digit). */
const newCardNumber = () => withLuhnDigit(`4${[...randomBytes(14)].map((b) => b % 10).join("")}`);
const CREATE_SESSION = "mutation S($input: CreateCheckoutSessionInput!) { createCheckoutSession(input: $input) { checkoutSession { id url } } }";

/** The api's risk-scoring histogram, per part: cumulative bucket counts, sum and count. */
async function riskHistogram(graphqlUrl) {
  const text = await (await fetch(graphqlUrl.replace(/\/graphql$/, "/metrics"))).text();
  const parts = {};
  for (const line of text.split("\n")) {
    const m = /^paygraph_risk_scoring_duration_seconds_(bucket|sum|count)\{([^}]*)\} (\S+)$/.exec(line);
    if (!m) continue;
    const labels = Object.fromEntries([...m[2].matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    const p = (parts[labels.part] ??= { buckets: {}, sum: 0, count: 0 });
    if (m[1] === "bucket") p.buckets[labels.le] = Number(m[3]);
    else p[m[1]] = Number(m[3]);
  }
  return parts;
}

/** Between two readings: mean, and the upper bounds of the buckets holding p50 and p99, in ms. */
function scoringFigures(a, b) {
  const out = {};
  for (const [part, after] of Object.entries(b)) {
    const before = a[part] ?? { buckets: {}, sum: 0, count: 0 };
    const n = after.count - before.count;
    const bound = (q) => {
      for (const le of Object.keys(after.buckets).sort((x, y) => (x === "+Inf" ? 1 : y === "+Inf" ? -1 : Number(x) - Number(y)))) {
        if (after.buckets[le] - (before.buckets[le] ?? 0) >= q * n) return le === "+Inf" ? Infinity : Number(le) * 1000;
      }
      return NaN;
    };
    out[part] = { n, meanMs: round(((after.sum - before.sum) / n) * 1000, 4), p50AtMostMs: bound(0.5), p99AtMostMs: bound(0.99) };
  }
  return out;
}

function freePort() {
  return new Promise((resolve) => {
    const probe = http.createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** One cold load: bytes over the wire, and when the card field is usable and has taken a keystroke. */
async function coldLoad(browser, url, field) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  let bytes = 0;
  let requests = 0;
  let wsBytes = 0;
  cdp.on("Network.loadingFinished", (e) => { bytes += e.encodedDataLength; requests += 1; });
  cdp.on("Network.webSocketFrameReceived", (e) => { wsBytes += e.response.payloadData.length; });
  await page.goto(url, { waitUntil: "commit" });
  // In the page: the first animation frame in which the field is enabled and shown (ms since navigation start).
  const usableMs = await page.evaluate((id) => new Promise((resolve) => {
    const check = () => {
      const input = document.getElementById(id);
      if (input && !input.disabled && input.offsetParent !== null) resolve(performance.now());
      else requestAnimationFrame(check);
    };
    check();
  }), field);
  await page.keyboard.press("Tab"); // the first field in the tab order
  await page.keyboard.type("4");
  const keyedMs = await page.evaluate((id) => (document.getElementById(id).value === "4" ? performance.now() : NaN), field);
  const wsUntilReady = wsBytes;
  await context.close();
  return { bytes, requests, wsBytes: wsUntilReady, usableMs, keyedMs };
}

function loadsSummary(loads) {
  return {
    n: loads.length, bytes: summarize(loads.map((l) => l.bytes)), requests: summarize(loads.map((l) => l.requests)), wsBytes: summarize(loads.map((l) => l.wsBytes)),
    usableMs: summarize(loads.map((l) => l.usableMs)), keyedMs: summarize(loads.map((l) => l.keyedMs)), failedKeystrokes: loads.filter((l) => Number.isNaN(l.keyedMs)).length,
  };
}

async function main() {
  mkdirSync(RESULTS, { recursive: true });
  const runId = randomBytes(4).toString("hex");
  const result = { runId, options: { ...o, pgSettleS: PG_SETTLE_S }, machine: await machine(), load: { before: loadAverage() }, code: provenance(ROOT) };
  log(machineLine(result.machine));
  log(provenanceLine(result.code));
  // Production mode needs PUBLIC_URL for 3-D Secure and checkout pages: a port known up front.
  const apiPort = await freePort();
  const stack = new Stack({ root: ROOT, runId, profileDir: RESULTS, nodeFlags: o.nodeFlags, ownRedis: true, apiPort, env: { PUBLIC_URL: `http://127.0.0.1:${apiPort}` } });
  const rss = startRssSampler(250);
  const pids = () => ({ api: stack.procs.api?.pid, worker: stack.procs.worker?.pid, sandbox: stack.procs.sandbox?.pid, redis: stack.redis?.pid, bench: process.pid });
  const cpu = startCpuTracker({ named: pids, databases: { pgOurs: stack.dbName } });
  const bare = http.createServer((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end('<!doctype html><html lang="en"><title>Bare</title><label for="number">Card number</label><input id="number">'));
  await new Promise((resolve) => bare.listen(0, "127.0.0.1", resolve));
  let browser;
  try {
    log(`starting paygraph (database ${stack.dbName}, own redis-server)`);
    await stack.start();
    for (const n of ["api", "worker", "redis"]) rss.watch(n, n === "redis" ? stack.redis.pid : stack.procs[n].pid);
    const measured = phaseMeter({ rss, cpu, anatomy: anatomySource({ dbName: stack.dbName, redis: stack.redis, settleMs: 1100, pgSettleMs: PG_SETTLE_S * 1000 }) });
    const base = { httpUrl: stack.httpUrl, wsUrl: stack.wsUrl, key: stack.secretKey, concurrency: o.concurrency, durationMs: o.durationS * 1000 };
    const brief = (p) => ({ label: p.label, lifecyclesPerS: p.lifecyclesPerS, completed: p.completed, errors: p.errors, errorSamples: p.errorSamples, lifecycleMs: p.lifecycleMs, cores: p.cores, anatomy: p.anatomy, perLifecycle: p.perLifecycle });
    const phases = {
      // A new card number each time, as real traffic brings: the model scores it (4242… and the
      // sandbox's other documented cards are scored by the rules only outside production).
      A: { label: "A: a new card each lifecycle, no authentication", load: { card: newCardNumber } },
      B: { label: "B: frictionless 3-D Secure (Y)", load: { card: "4000000000003055", confirm: { requestThreeDSecure: "ANY" } } },
      C: { label: "C: challenged 3-D Secure (passed over HTTP)", load: { card: "4000000000003220", shopper: passChallenge } },
    };
    if (o.warmupS > 0) {
      log(`warm-up: ${o.warmupS} s of each kind of lifecycle at C=${o.concurrency}`);
      for (const p of Object.values(phases)) await runLifecycles({ ...base, ...p.load, durationMs: o.warmupS * 1000 });
    }
    await sleep(PG_SETTLE_S * 1000);
    for (const [name, p] of Object.entries(phases)) {
      log(`${p.label}: ${o.durationS} s at C=${o.concurrency}`);
      const before = name === "A" ? await riskHistogram(stack.httpUrl) : undefined;
      const r = await measured(p.label, () => runLifecycles({ ...base, ...p.load }));
      if (before) result.riskScoring = scoringFigures(before, await riskHistogram(stack.httpUrl));
      r.perLifecycle = perUnit(r.anatomy, r.completed);
      result[name] = brief(r);
      log(`  ${r.lifecyclesPerS} lifecycles/s, ${r.errors} errors${r.errors ? ` (${r.errorSamples.join("; ")})` : ""}`);
    }
    result.diffB = diffPerUnit(result.A.perLifecycle, result.B.perLifecycle);
    result.diffC = diffPerUnit(result.A.perLifecycle, result.C.perLifecycle);

    log(`page: ${o.loads} cold loads of a checkout page, and of a bare page with one input`);
    browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
    const gql = (query, variables) => post(stack.httpUrl, stack.secretKey, query, variables, 10_000);
    const loads = [];
    const bareLoads = [];
    for (let i = 0; i < o.loads; i++) {
      const session = (await gql(CREATE_SESSION, { input: { amount: "12.50", currency: "EUR", successUrl: "https://shop.example/thanks" } })).createCheckoutSession.checkoutSession;
      loads.push(await coldLoad(browser, session.url, "number"));
      bareLoads.push(await coldLoad(browser, `http://127.0.0.1:${bare.address().port}/`, "number"));
    }
    result.page = { checkout: loadsSummary(loads), bare: loadsSummary(bareLoads) };
    result.serverLogProblems = stack.problems();
  } finally {
    log("tearing down");
    await browser?.close();
    bare.close();
    rss.stop();
    cpu.stop();
    result.load.after = loadAverage();
    await stack.stop({ keepDb: flags["keep-db"] }).catch((err) => log(`teardown: ${err.message}`));
  }
  return result;
}

function report(r) {
  const life = (p) => `${p.lifecyclesPerS} lifecycles/s, ${p.completed} completed, ${p.errors} errors, lifecycle p50/p99 ${p.lifecycleMs.p50}/${p.lifecycleMs.p99} ms`;
  const L = ["# paygraph checkout and 3-D Secure bench", "", machineLine(r.machine), provenanceLine(r.code), `options: C=${r.options.concurrency}, ${r.options.durationS} s per phase, warm-up ${r.options.warmupS} s; load before ${r.load.before.uptime}`, ""];
  for (const k of ["A", "B", "C"]) L.push(`## ${r[k].label}`, "", life(r[k]), "", "```", ...anatomyLines(k, r[k].perLifecycle, "lifecycle"), "```", "");
  const names = { api: "CPU ms api", worker: "CPU ms worker", pgOurs: "CPU ms PostgreSQL", redis: "CPU ms Redis" };
  const [pa, pb, pc] = [r.A.perLifecycle, r.B.perLifecycle, r.C.perLifecycle];
  const row = (n, a, b, c, db, dc) => `| ${n} | ${a} | ${b} | ${c} | ${db} | ${dc} |`;
  L.push("### What 3-D Secure adds per lifecycle", "", "| per lifecycle | A: none | B: frictionless | C: challenge | B − A | C − A |", "|---|---:|---:|---:|---:|---:|",
    ...CHARGED.map((g) => row(names[g], pa.cpuMs[g], pb.cpuMs[g], pc.cpuMs[g], r.diffB.cpuMs[g], r.diffC.cpuMs[g])),
    row("**CPU ms charged (sum)**", pa.cpuMsCharged, pb.cpuMsCharged, pc.cpuMsCharged, `**${r.diffB.cpuMsCharged}**`, `**${r.diffC.cpuMsCharged}**`),
    row("PostgreSQL commits", pa.pg.commits, pb.pg.commits, pc.pg.commits, r.diffB.commits, r.diffC.commits),
    row("Redis commands", round(pa.redis.total, 1), round(pb.redis.total, 1), round(pc.redis.total, 1), r.diffB.redisTotal, r.diffC.redisTotal), "");
  const s = r.riskScoring;
  if (s?.decide) {
    const share = round((100 * s.decide.meanMs) / r.A.perLifecycle.cpuMsCharged, 2);
    L.push("## The risk step's cost (phase A, from the api's histogram)", "",
      `| part | confirmations | mean | p50 ≤ | p99 ≤ |`, "|---|---:|---:|---:|---:|",
      ...Object.entries(s).map(([part, f]) => `| ${part} | ${f.n} | ${f.meanMs} ms | ${f.p50AtMostMs} ms | ${f.p99AtMostMs} ms |`), "",
      `decide: ${share} % of a lifecycle's charged CPU (${r.A.perLifecycle.cpuMsCharged} ms); lookup is one Redis EVALSHA and one SQL statement at once (in A's commands and commits above), its time mostly the round trips`, "");
  }
  const p = r.page;
  const fig = (s, unit = "") => `p50 ${s.p50}${unit}, p90 ${s.p90}${unit}`;
  L.push("## The hosted checkout page (cold loads in Chromium)", "",
    `| per load (n ${p.checkout.n}) | checkout page | bare page, one input (ceiling) |`, "|---|---:|---:|",
    `| bytes transferred (HTTP, encoded) | ${fig(p.checkout.bytes)} | ${fig(p.bare.bytes)} |`,
    `| HTTP requests | ${p.checkout.requests.p50} | ${p.bare.requests.p50} |`,
    `| WebSocket bytes received until usable | ${fig(p.checkout.wsBytes)} | – |`,
    `| ms from navigation start until the card field is usable | ${fig(p.checkout.usableMs, " ms")} | ${fig(p.bare.usableMs, " ms")} |`,
    `| ms until a keystroke has landed in it | ${fig(p.checkout.keyedMs, " ms")} | ${fig(p.bare.keyedMs, " ms")} |`,
    `| keystrokes lost | ${p.checkout.failedKeystrokes} | ${p.bare.failedKeystrokes} |`, "",
    `usable after ${round(p.checkout.usableMs.p50 / Math.max(1, p.bare.usableMs.p50), 1)}× the bare page's time (p50, same run)`, "");
  const problems = Object.entries(r.serverLogProblems ?? {}).filter(([, x]) => x.count);
  L.push(`server log problems: ${problems.length ? problems.map(([n, x]) => `${n} ${x.count} (${x.first[0]})`).join("; ") : "none"}`);
  return L.join("\n");
}

finishBench(main, { file: path.join(RESULTS, "checkout.json"), report: report, log });
