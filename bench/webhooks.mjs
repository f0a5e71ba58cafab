// The webhooks bench (issue 10): what webhooks add to a payment lifecycle (CPU ms per process and
// Redis commands per lifecycle, against the same load with no endpoint), how long a delivery takes
// from commit to receipt, and deliveries/s of a replay while a second endpoint never answers.
//
//   npm run bench:webhooks -- [--duration 15] [--concurrency 16] [--warmup 5] [--keep-db]
//                             [--node-flags="--max-old-space-size=160"]
//
// A: lifecycles with no endpoint. B: the same with one endpoint (/healthy, every event type) of an
// in-process receiver. C: a second endpoint (/hang) that reads the request and never answers, then
// replayWebhookEvents over the run for both: /healthy's deliveries/s with /hang holding its slots.
// Needs `npm run build` first (it runs dist/). Writes bench/results/webhooks.json.
import http from "node:http";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { randomBytes } from "node:crypto";
import { CHARGED, anatomyLines, anatomySource, diffPerUnit, perUnit } from "./lib/anatomy.mjs";
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
    "keep-db": { type: "boolean", default: false },
    "node-flags": { type: "string", default: "--max-old-space-size=160" },
  },
});
const o = { durationS: Number(flags.duration), concurrency: Number(flags.concurrency), warmupS: Number(flags.warmup), nodeFlags: flags["node-flags"].split(/\s+/).filter(Boolean) };
if (!(o.durationS > 0 && o.concurrency > 0 && o.warmupS >= 0)) throw new Error("--duration and --concurrency must be positive");
const PG_SETTLE_S = 11; // run.mjs's default --settle: backends report their last counts up to 10 s late (anatomy.mjs)
const MAX_REPLAY = 10_000;
// What one endpoint may hold in one worker process (src/webhooks/delivery.ts): half of WEBHOOK_CONCURRENCY
// (32 of 64) during its first second, then WEBHOOK_ENDPOINT_CONCURRENCY (8) once it is slow; one worker here.
const ENDPOINT_SLOTS = 32;
const log = (line) => process.stderr.write(`[webhooks ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

const CREATE_ENDPOINT = "mutation E($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { webhookEndpoint { id } secret } }";
const REPLAY = "mutation R($input: ReplayWebhookEventsInput!) { replayWebhookEvents(input: $input) { queued } }";
const DELIVERIES = "query D($id: ID!) { webhookDeliveries(endpointId: $id, first: 100) { edges { node { status responseStatus error } } } }";

/** /healthy answers 204 at once and keeps every body; /hang reads the body and never answers. */
function startReceiver() {
  const healthy = [];
  const hang = { requests: 0, open: 0, maxOpen: 0, heldMs: [], pending: new Set() };
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const at = Date.now();
      if (req.url === "/healthy") {
        res.writeHead(204).end();
        let body;
        try { body = JSON.parse(Buffer.concat(chunks).toString("utf8")); } catch { body = null; }
        healthy.push({ at, body });
      } else if (req.url === "/hang") {
        hang.requests += 1;
        hang.maxOpen = Math.max(hang.maxOpen, ++hang.open);
        hang.pending.add(res);
        // Closed by paygraph giving up (WEBHOOK_TIMEOUT_MS) or by us at the end.
        res.on("close", () => { hang.open -= 1; hang.pending.delete(res); hang.heldMs.push(Date.now() - at); });
      } else res.writeHead(404).end();
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({
    url: `http://127.0.0.1:${server.address().port}`, healthy, hang,
    close() {
      for (const res of hang.pending) res.destroy();
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  })));
}

/** Resolves once `list` has not grown for `ms`: the delivery backlog has drained. */
async function quiet(list, ms) {
  let n = -1;
  let since = Date.now();
  for (;;) {
    if (list.length !== n) [n, since] = [list.length, Date.now()];
    else if (Date.now() - since >= ms) return;
    await sleep(100);
  }
}

function hangFigures(hang) {
  const held = summarize(hang.heldMs);
  return { requests: hang.requests, maxOpen: hang.maxOpen, stillOpen: hang.open, closedByPaygraph: hang.heldMs.length, heldMs: held };
}

async function main() {
  mkdirSync(RESULTS, { recursive: true });
  const benchStart = new Date();
  const runId = randomBytes(4).toString("hex");
  const result = { runId, options: { ...o, pgSettleS: PG_SETTLE_S }, machine: await machine(), load: { before: loadAverage() }, code: provenance(ROOT) };
  log(machineLine(result.machine));
  log(provenanceLine(result.code));
  const stack = new Stack({ root: ROOT, runId, profileDir: RESULTS, nodeFlags: o.nodeFlags, env: { WEBHOOK_ALLOW_PRIVATE_NETWORKS: "true" }, ownRedis: true });
  const receiver = await startReceiver();
  const rss = startRssSampler(250);
  const pids = () => ({ api: stack.procs.api?.pid, worker: stack.procs.worker?.pid, sandbox: stack.procs.sandbox?.pid, redis: stack.redis?.pid, bench: process.pid });
  const cpu = startCpuTracker({ named: pids, databases: { pgOurs: stack.dbName } });
  process.once("SIGINT", () => {
    log("interrupted: tearing down");
    receiver.close();
    stack.stop({ keepDb: flags["keep-db"] }).catch((err) => log(`teardown: ${err.message}`)).finally(() => process.exit(130));
  });
  try {
    log(`starting paygraph (database ${stack.dbName}, own redis-server); receiver on ${receiver.url}`);
    await stack.start();
    for (const n of ["api", "worker", "redis"]) rss.watch(n, n === "redis" ? stack.redis.pid : stack.procs[n].pid);
    const measured = phaseMeter({ rss, cpu, anatomy: anatomySource({ dbName: stack.dbName, redis: stack.redis, settleMs: 1100, pgSettleMs: PG_SETTLE_S * 1000 }) });
    const gql = (query, variables, timeoutMs) => post(stack.httpUrl, stack.secretKey, query, variables, timeoutMs);
    const base = { httpUrl: stack.httpUrl, wsUrl: stack.wsUrl, key: stack.secretKey, concurrency: o.concurrency, durationMs: o.durationS * 1000 };
    // Both phases wait for a quiet receiver, so deliveries lagging the load fall inside B's CPU window and A's window is as long.
    const lifecycles = async () => { const r = await runLifecycles(base); await quiet(receiver.healthy, 1000); return r; };
    const brief = (p) => ({ label: p.label, lifecyclesPerS: p.lifecyclesPerS, completed: p.completed, errors: p.errors, errorSamples: p.errorSamples, lifecycleMs: p.lifecycleMs, cores: p.cores, rssPeakMb: p.rssPeakMb, anatomy: p.anatomy, perLifecycle: p.perLifecycle });

    if (o.warmupS > 0) {
      log(`warm-up: ${o.warmupS} s of lifecycles at C=${o.concurrency}`);
      const w = await runLifecycles({ ...base, durationMs: o.warmupS * 1000 });
      result.warmup = { lifecyclesPerS: w.lifecyclesPerS, completed: w.completed, errors: w.errors, errorSamples: w.errorSamples };
    }
    await sleep(PG_SETTLE_S * 1000);

    log(`A: ${o.durationS} s of lifecycles at C=${o.concurrency}, no webhook endpoint`);
    const a = await measured("A: no endpoint", lifecycles);
    a.perLifecycle = perUnit(a.anatomy, a.completed);
    result.A = brief(a);
    log(`  ${a.lifecyclesPerS} lifecycles/s, ${a.errors} errors`);

    const healthyEp = (await gql(CREATE_ENDPOINT, { input: { url: `${receiver.url}/healthy`, events: [] } })).createWebhookEndpoint.webhookEndpoint;
    log(`B: endpoint ${healthyEp.id} (/healthy, every event); ${o.durationS} s of lifecycles at C=${o.concurrency}`);
    const bFrom = Date.now();
    const b = await measured("B: one endpoint", lifecycles);
    await quiet(receiver.healthy, 3000);
    b.perLifecycle = perUnit(b.anatomy, b.completed);
    const bDeliveries = receiver.healthy.filter((d) => d.body && Date.parse(d.body.createdAt) >= bFrom);
    result.B = { ...brief(b), endpointId: healthyEp.id, deliveries: bDeliveries.length, deliveriesPerLifecycle: round(bDeliveries.length / b.completed, 2),
      byType: bDeliveries.reduce((m, d) => ({ ...m, [d.body.type]: (m[d.body.type] ?? 0) + 1 }), {}),
      latencyMs: summarize(bDeliveries.map((d) => d.at - Date.parse(d.body.createdAt))), unparsed: receiver.healthy.filter((d) => !d.body).length };
    log(`  ${b.lifecyclesPerS} lifecycles/s, ${b.errors} errors; ${bDeliveries.length} deliveries, commit → receipt p50/p99 ${result.B.latencyMs.p50}/${result.B.latencyMs.p99} ms`);
    result.diff = diffPerUnit(a.perLifecycle, b.perLifecycle);

    const hangEp = (await gql(CREATE_ENDPOINT, { input: { url: `${receiver.url}/hang`, events: [] } })).createWebhookEndpoint.webhookEndpoint;
    log(`C: endpoint ${hangEp.id} (/hang, never answers); replaying the run to both`);
    const to = new Date();
    let span = to - benchStart;
    let queuedHang;
    // Replay refuses a window of over 10,000 events outright: narrow it from the end until it fits.
    for (;;) {
      const input = { endpointId: hangEp.id, from: new Date(to - span).toISOString(), to: to.toISOString() };
      try { queuedHang = (await gql(REPLAY, { input }, 120_000)).replayWebhookEvents.queued; break; } catch (err) {
        if (!/More than/.test(err.message)) throw err;
        span = Math.floor(span * 0.75);
      }
    }
    const window = { from: new Date(to - span).toISOString(), to: to.toISOString() };
    const c = await measured("C: replay, one endpoint hanging", async () => {
      const seen = receiver.healthy.length;
      const t0 = Date.now();
      const queued = (await gql(REPLAY, { input: { endpointId: healthyEp.id, ...window } }, 120_000)).replayWebhookEvents.queued;
      const ids = new Set();
      let last = Date.now();
      const deadline = t0 + 600_000;
      for (let i = seen; ids.size < queued && Date.now() < deadline; await sleep(50)) {
        for (; i < receiver.healthy.length; i++) ids.add(receiver.healthy[i].body?.id);
        if (Date.now() - last < 5000) continue;
        last = Date.now();
        log(`  /healthy ${ids.size}/${queued}, /hang ${receiver.hang.requests} requests (${receiver.hang.open} open)`);
      }
      const got = receiver.healthy.slice(seen);
      const spanS = got.length > 1 ? (got.at(-1).at - got[0].at) / 1000 : NaN;
      return { queued, received: got.length, unique: ids.size, complete: ids.size >= queued, spanS: round(spanS, 2), deliveriesPerS: round(got.length / spanS),
        fromReplayCallS: round(((got.at(-1)?.at ?? Date.now()) - t0) / 1000, 2), hangAtEnd: hangFigures(receiver.hang) };
    });
    c.perDelivery = perUnit(c.anatomy, c.received);
    const hangRecords = (await gql(DELIVERIES, { id: hangEp.id })).webhookDeliveries.edges.map((e) => e.node);
    result.C = { ...c, window, queuedHang, endpointId: hangEp.id, hangAfterSettle: hangFigures(receiver.hang),
      hangRecords: hangRecords.reduce((m, r) => ({ ...m, [`${r.status} ${r.responseStatus ?? r.error}`]: (m[`${r.status} ${r.responseStatus ?? r.error}`] ?? 0) + 1 }), {}) };
    log(`  /healthy: ${c.received} deliveries, ${c.deliveriesPerS}/s; /hang: ${receiver.hang.requests} requests, at most ${receiver.hang.maxOpen} open`);
    result.serverLogProblems = stack.problems();
  } finally {
    log("tearing down");
    rss.stop();
    cpu.stop();
    result.rssPeakMb = Object.fromEntries(Object.entries(rss.peaks()).map(([k, v]) => [k, round(v)]));
    result.load.after = loadAverage();
    await receiver.close();
    await stack.stop({ keepDb: flags["keep-db"] }).catch((err) => log(`teardown: ${err.message}`));
  }
  return result;
}

function report(r) {
  const fix = (lines) => lines.map((l) => l.replace("deliverys", "deliveries"));
  const life = (p) => `${p.lifecyclesPerS} lifecycles/s, ${p.completed} completed, ${p.errors} errors${p.errors ? ` (${p.errorSamples.join("; ")})` : ""}, lifecycle p50/p99 ${p.lifecycleMs.p50}/${p.lifecycleMs.p99} ms`;
  const L = ["# paygraph webhooks bench", "", machineLine(r.machine), provenanceLine(r.code), `options: C=${r.options.concurrency}, ${r.options.durationS} s per phase, warm-up ${r.options.warmupS} s, node ${r.options.nodeFlags.join(" ")}; load before ${r.load.before.uptime}`, ""];
  L.push(`## A. lifecycles, no webhook endpoint`, "", life(r.A), "", "```", ...anatomyLines("A", r.A.perLifecycle, "lifecycle"), "```", "");
  const lat = r.B.latencyMs;
  L.push(`## B. one healthy endpoint (every event type)`, "", life(r.B), "",
    `- deliveries: ${r.B.deliveries} (${r.B.deliveriesPerLifecycle} per lifecycle: ${Object.entries(r.B.byType).map(([k, v]) => `${k} ${v}`).join(", ")})`,
    `- latency commit → receipt: p50 ${lat.p50} ms, p99 ${lat.p99} ms, max ${lat.max} ms (n ${lat.n})`, "", "```", ...anatomyLines("B", r.B.perLifecycle, "lifecycle"), "```", "");
  const d = r.diff;
  const row = (name, a, b, x) => `| ${name} | ${a ?? "–"} | ${b ?? "–"} | ${x ?? "–"} |`;
  const pa = r.A.perLifecycle;
  const pb = r.B.perLifecycle;
  const names = { api: "CPU ms api", worker: "CPU ms worker", pgOurs: "CPU ms PostgreSQL", redis: "CPU ms Redis" };
  L.push("### What webhooks add per lifecycle (B − A)", "", "| per lifecycle | A: no endpoint | B: one endpoint | B − A |", "|---|---:|---:|---:|",
    ...CHARGED.map((g) => row(names[g], pa.cpuMs[g], pb.cpuMs[g], d.cpuMs[g])),
    row("**CPU ms charged (sum)**", pa.cpuMsCharged, pb.cpuMsCharged, `**${d.cpuMsCharged}**`),
    row("PostgreSQL commits", pa.pg.commits, pb.pg.commits, d.commits),
    row("**Redis commands**", round(pa.redis.total, 2), round(pb.redis.total, 2), `**${d.redisTotal}**`),
    ...Object.entries(d.byCommand).slice(0, 10).map(([k, v]) => row(`  redis ${k}`, round(pa.redis.byCommand[k] ?? 0, 2), round(pb.redis.byCommand[k] ?? 0, 2), round(v, 2))), "",
    `≈ ${round(d.cpuMsCharged / r.B.deliveriesPerLifecycle, 2)} ms charged CPU and ${round(d.redisTotal / r.B.deliveriesPerLifecycle, 1)} Redis commands per delivery (B − A ÷ ${r.B.deliveriesPerLifecycle} deliveries per lifecycle); the whole box is shared, so CPU differences of a few ms are noise.`, "");
  const c = r.C;
  const hang = (h) => `${h.requests} requests, at most ${h.maxOpen} open at once, ${h.stillOpen} still open, ${h.closedByPaygraph} closed by paygraph${h.closedByPaygraph ? ` after p50 ${round(h.heldMs.p50 / 1000, 1)} s` : ""}`;
  L.push("## C. replay with one endpoint hanging", "",
    `- replay window ${c.window.from} → ${c.window.to}: ${c.queued} events queued for /healthy, ${c.queuedHang} for /hang (queued first)`,
    `- /healthy: ${c.received} deliveries (${c.unique} distinct events${c.complete ? "" : ", INCOMPLETE: gave up waiting"}) in ${c.spanS} s first → last receipt: **${c.deliveriesPerS} deliveries/s**; ${c.fromReplayCallS} s from the replay call to the last receipt`,
    `- /hang while /healthy drained: ${hang(c.hangAtEnd)}; after the ${r.options.pgSettleS} s settle: ${hang(c.hangAfterSettle)}`,
    `- /hang's deliveries held their slots the whole time: the receiver never answers, so each request stays open until paygraph gives up after WEBHOOK_TIMEOUT_MS (15 s); at most ${ENDPOINT_SLOTS} (half of WEBHOOK_CONCURRENCY) before it is known to be slow, then WEBHOOK_ENDPOINT_CONCURRENCY (8), per worker process; 1 worker process here → bound ${ENDPOINT_SLOTS}, seen ${c.hangAfterSettle.maxOpen}${c.hangAfterSettle.maxOpen <= ENDPOINT_SLOTS ? "" : " — OVER THE BOUND"}`,
    `- /hang's recorded tries (webhookDeliveries, first 100): ${Object.entries(c.hangRecords).map(([k, v]) => `${k}: ${v}`).join(", ") || "none yet (none has timed out)"}`,
    "", "```", ...fix(anatomyLines("C (hang churn included)", c.perDelivery, "delivery")), "```", "");
  const problems = Object.entries(r.serverLogProblems ?? {}).filter(([, p]) => p.count);
  L.push(`server log problems: ${problems.length ? problems.map(([n, p]) => `${n} ${p.count} (${p.first[0]})`).join("; ") : "none"}`, `peak RSS MB: ${Object.entries(r.rssPeakMb).map(([k, v]) => `${k} ${v}`).join(", ")}`);
  return L.join("\n");
}

finishBench(main, { file: path.join(RESULTS, "webhooks.json"), report: report, log });
