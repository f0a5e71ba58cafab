// The orchestration bench's report, as Markdown (the tables go into bench/README.md as printed).
import { machineLine } from "./report.mjs";
import { provenanceLine } from "./provenance.mjs";
import { round } from "./stats.mjs";

const md = (head, rows) => [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.map((c) => c ?? "–").join(" | ")} |`)].join("\n");
const pp = (s) => (s ? `${s.p50} / ${s.p99}` : "–");
const sandboxCores = (c) => round(Object.entries(c).filter(([k]) => k === "sandbox" || k.startsWith("gw-")).reduce((n, [, v]) => n + v, 0), 2);
const cores = (c) => (c ? [c.api, c.worker, c.pgOurs, c.redis, sandboxCores(c), c.bench, c.other, c.machineBusy].join(" / ") : "–");

/** Where the measured window lies from the phase's start: the warm-up ends only when its last lifecycle does. */
function measuredWindow(p, o) {
  const from = (Date.parse(p.measuredFrom) - Date.parse(p.startedAt)) / 1000;
  return `${round(from)}–${round(from + o.durationS)} s`;
}

function planTables(r) {
  const out = [
    md(["planRoute (pure, in-process)", "decisions", "mean µs", "p50 µs", "p99 µs", "max µs"],
      r.planRoute.map((p) => [`${p.accounts} accounts, ${p.failover ? "failover (1 tried)" : "first attempt"}`, p.decisions.toLocaleString("en"), p.meanUs, p.p50Us, p.p99Us, p.maxUs])),
  ];
  const ra = r.routeAttempt;
  if (ra) {
    out.push("", md(["routeAttempt, first attempt, " + ra.accounts + " accounts (idle stack, one call in flight)", "calls", "mean ms", "p50 ms", "p99 ms"], [
      ["whole routeAttempt", ra.full.n, ra.full.meanMs, ra.full.p50Ms, ra.full.p99Ms],
      ["  gateway accounts read (1 SQL)", ra.parts.accountsRead.n, ra.parts.accountsRead.meanMs, ra.parts.accountsRead.p50Ms, ra.parts.accountsRead.p99Ms],
      [`  success rates + circuits (1 Redis pipeline, ${ra.accounts * (ra.buckets + 1)} commands)`, ra.parts.statsPipeline.n, ra.parts.statsPipeline.meanMs, ra.parts.statsPipeline.p50Ms, ra.parts.statsPipeline.p99Ms],
      ["  routing rules read (1 SQL)", ra.parts.rulesRead.n, ra.parts.rulesRead.meanMs, ra.parts.rulesRead.p50Ms, ra.parts.rulesRead.p99Ms],
      ["  planRoute (awaited)", ra.parts.planner.n, ra.parts.planner.meanMs, ra.parts.planner.p50Ms, ra.parts.planner.p99Ms],
    ]), "", `Included: ${ra.includes}. Sample reason: "${ra.sample}"`);
  }
  return out.join("\n");
}

function routingRows(r) {
  const row = (label, f) => f && [label, f.payments, f.captured, `${f.retried} (${f.retriedPct} %)`, `${f.failedOver} (${f.failedOverPct} %)`, `${f.retriedOrFailedOver} (${f.retriedOrFailedOverPct} %)`, f.maxAttempts, f.maxTries];
  return [
    row("A, measured window", r.single.routing.measured), row("A, all (warm-up included)", r.single.routing.all),
    row("B, measured window", r.multi.routing.measured), row("B, all (warm-up included)", r.multi.routing.all),
  ].filter(Boolean);
}

function ledgerRows(r) {
  return [["A", r.single.ledger], ["B", r.multi.ledger]].map(([label, l]) => [
    label, l.charges, JSON.stringify(l.chargesBySandbox), l.capturedPayments, l.capturedWithOneCharge, l.chargedTwice.length, l.capturedWithoutCharge.length,
    l.chargedButNotCaptured.length, l.keysSeenTwice.length, `${l.orphanCharges} (${l.orphansHoldingMoney.length} holding money)`,
  ]);
}

export function orchestrationReport(r) {
  const out = [
    machineLine(r.machine) + `, CPU ${r.machine.cpu}`,
    provenanceLine(r.code),
    `load before: ${r.load.before.uptime}`,
    `load after:  ${r.load.after?.uptime}`,
    "",
  ];
  if (!r.single) return [...out, planTables(r)].join("\n");
  const o = r.options;
  const phases = [r.single, r.multi].map((p, i) => [
    p.label, p.lifecyclesPerS, i === 0 ? "100 %" : `${p.shareOfSingle} %`, p.errors, `${pp(p.lifecycleMs)} (${p.lifecycleMs.max})`, pp(p.createMs), pp(p.confirmMs), pp(p.captureWaitMs), cores(p.cores),
  ]);
  out.push(
    `C=${o.concurrency}, ${o.durationS} s measured after ${o.warmupS} s warm-up per phase; lifecycle budget ${o.timeoutMs} ms; ROUTING_EXPLORATION_PCT=${o.explorationPct}; ${r.degraded} PUT /control ${JSON.stringify({ failRate: o.failRate })} (503 before any charge on that share of authorize calls)`,
    "",
    md(["phase", "lifecycles/s", "of A", "errors", "lifecycle p50 / p99 (max) ms", "create p50 / p99", "confirm p50 / p99", "to CAPTURED p50 / p99", "cores api / wrk / pg / redis / sandboxes / bench / other / all"], phases),
    "",
    "Payments (PostgreSQL after the run; retried = an attempt with tries > 1, failed over = more than one attempt):",
    "",
    md(["payments", "count", "CAPTURED", "retried", "failed over", "either", "max attempts", "max tries"], routingRows(r)),
    "",
    "Attempts per gateway, phase B (first = the planner's pick for a confirmation; failover in = attempts that came from another gateway):",
    "",
    md(["gateway", "attempts", "first (explored)", "failover in", "succeeded", "failed", "pending", "calls (tries)", "retried", "skipped: circuit open", "failed by code/decision"],
      r.multi.routing.perGateway.map((g) => [g.gateway, g.attempts, `${g.first} (${g.explored})`, g.failover_in, g.succeeded, g.failed, g.pending, g.calls, g.retried, g.skipped_open, g.failures ? JSON.stringify(g.failures) : ""])),
    "",
    `First attempts per gateway over time, phase B (seconds from the start of its warm-up; the measured window is ${measuredWindow(r.multi, r.options)}):`,
    "",
    md(["seconds", ...r.gateways], r.multi.timeline.map((t) => [`${t.fromS}–${t.toS}`, ...r.gateways.map((g) => t.byGateway[g] ?? 0)])),
    "",
    md(["gateway health at the end of B", "attempts", "succeeded", "failed", "success rate", "circuit"],
      r.multi.health.map((h) => [h.account.name, h.attempts, h.succeeded, h.failed, h.successRate === null ? null : round(h.successRate, 4), `${h.circuit.state} (${h.circuit.consecutiveFailures} in a row)`])),
    "",
    `Charges (GET /ledger of every sandbox, ${r.ledgerEntries} entries, matched to attempts by idempotency key):`,
    "",
    md(["phase", "charges", "by sandbox", "CAPTURED payments", "with exactly 1 charge", "charged twice", "CAPTURED without charge", "charged, not CAPTURED", "key charged twice", "orphan charges"], ledgerRows(r)),
    "",
    planTables(r),
    "",
    `payments by status: A ${JSON.stringify(r.single.routing.byStatus)}, B ${JSON.stringify(r.multi.routing.byStatus)}; still PROCESSING after 60 s: A ${r.single.stillProcessing}, B ${r.multi.stillProcessing}`,
    `peak RSS MB: ${JSON.stringify(r.rssPeakMb)}`,
    `server warn/error log lines: ${Object.entries(r.serverLogProblems ?? {}).map(([k, v]) => `${k} ${v.count}`).join(", ")}`,
  );
  for (const p of [r.single, r.multi]) if (p.errors) out.push(`errors in ${p.label}: ${JSON.stringify(p.errorKinds)} e.g. ${p.errorSamples.join(" | ")}`);
  for (const [k, v] of Object.entries(r.serverLogProblems ?? {})) if (v.count) out.push(`${k} logged: ${v.first[0]}`);
  for (const [label, p] of [["A", r.single], ["B", r.multi]]) {
    for (const n of p.routing.notCaptured) out.push(`not CAPTURED (${label}): ${n.id} ${n.status} attempts ${JSON.stringify(n.attempts)}`);
  }
  return out.join("\n");
}
