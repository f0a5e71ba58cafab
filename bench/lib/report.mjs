// The end-of-run report: a sweep table per lifecycle phase and a summary table of the headline
// figures against their ceilings and targets, as text for the terminal. `buildReport` also adds
// `result.summary` (the headline figures, shares and checks) to the JSON that run.mjs writes.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { anatomyLines, idleLines } from "./anatomy.mjs";
import { formatProfileSummary } from "./cpuprofile.mjs";
import { provenanceLine } from "./provenance.mjs";
import { round, share } from "./stats.mjs";
import { TARGETS, evaluateTargets, targetLines } from "./targets.mjs";

/** Cores of other work (other users, other databases) above which a phase's figures are suspect. */
const SHARED_LIMIT = 0.25;

const pad = (s, n) => String(s ?? "–").padEnd(n);
const lpad = (s, n) => String(s ?? "–").padStart(n);
const pp = (s) => (s ? `${s.p50} / ${s.p99}` : "–");

function table(head, rows) {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i] ?? "–").length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? pad(c, widths[i]) : lpad(c, widths[i]))).join("  ");
  return [line(head), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

const cores = (c) => (c ? [c.api, c.worker, c.pgOurs, c.redis, c.bench, c.other, c.machineBusy].map((x) => x ?? "–").join("/") : "–");

export function lifecycleTable(phases) {
  return table(
    ["phase", "C", "rate", "lifecycles/s", "errors", "lifecycle p50/p99", "create p50/p99", "confirm p50/p99", "to CAPTURED p50/p99", "cores api/wrk/pg/redis/bench/other/all"],
    phases.map((p) => [p.label, p.concurrency, p.pacedRate ?? "closed", p.lifecyclesPerS, p.errors, pp(p.lifecycleMs), pp(p.createMs), pp(p.confirmMs), pp(p.captureWaitMs), cores(p.cores)]),
  );
}

const mark = (ok) => (ok === undefined || ok === null ? "" : ok ? "ok" : "MISSED");

export function summaryTable(s) {
  const rows = [
    ["lifecycles/s (peak, C=" + s.peak.concurrency + ")", s.peak.lifecyclesPerS, `pgbench ${s.ceilings.pgbench?.tps ?? "–"} tps`, pct(s.shares.lifecycle), `≥ ${TARGETS.lifecycleSharePct} %`, mark(s.checks.lifecycleShare)],
    ["lifecycle p50 / p99 ms (peak)", pp(s.peak.lifecycleMs), "", "", "", ""],
    ["confirmPayment p50 / p99 ms (peak)", pp(s.peak.confirmMs), "", "", "", ""],
    [`confirmPayment p50 / p99 ms (half load, ${s.half?.achievedPerS ?? "–"}/s)`, pp(s.half?.confirmMs), "", "", "", ""],
    ["lifecycle errors (all phases)", s.errors.lifecycle, "", "", "0", mark(s.errors.lifecycle === 0)],
    ["reads/s (-c " + (s.reads?.connections ?? "–") + ")", s.reads?.reqPerS, `bare Apollo ${s.ceilings.bareApollo?.reqPerS ?? "–"} req/s`, pct(s.shares.reads), `≥ ${TARGETS.readsSharePct} %`, mark(s.checks.readsShare)],
    ["reads p50 / p99 ms", s.reads ? `${s.reads.p50} / ${s.reads.p99}` : "–", s.ceilings.bareApollo ? `${s.ceilings.bareApollo.p50} / ${s.ceilings.bareApollo.p99}` : "", "", "", ""],
    ["reads non-2xx / with errors / socket errors", s.reads ? `${s.reads.non2xx} / ${s.reads.graphqlErrors} / ${s.reads.socketErrors + s.reads.timeouts}` : "–", "", "", "0", mark(s.reads && s.reads.non2xx + s.reads.graphqlErrors + s.reads.socketErrors + s.reads.timeouts === 0)],
    ["peak RSS api MB", s.rss.api, "", "", `< ${TARGETS.rssMb}`, mark(s.checks.rssApi)],
    ["peak RSS worker MB", s.rss.worker, "", "", `< ${TARGETS.rssMb}`, mark(s.checks.rssWorker)],
  ];
  return table(["figure", "paygraph", "ceiling", "share", "target", ""], rows);
}

const pct = (x) => (x === null || x === undefined ? "–" : `${x} %`);

export function machineLine(m) {
  return `machine: ${m.nproc} cores, ${m.ramGb} GB RAM, Node ${m.node}, PostgreSQL ${m.postgres}, Redis ${m.redis}, ${m.date}`;
}

function summarise(result) {
  const s = {
    peak: result.peak,
    half: result.half,
    reads: result.reads,
    ceilings: result.ceilings,
    rss: result.rssPeakMb,
    perLifecycle: result.peak.perLifecycle,
    perRead: result.reads.perRead,
    shares: {
      lifecycle: share(result.peak.lifecyclesPerS, result.ceilings.pgbench?.tps),
      reads: share(result.reads.reqPerS, result.ceilings.bareApollo?.reqPerS),
    },
    errors: { lifecycle: result.lifecycle.reduce((n, p) => n + p.errors, 0) + (result.warmup?.errors ?? 0) },
  };
  s.checks = {
    lifecycleShare: s.shares.lifecycle === null ? null : s.shares.lifecycle >= TARGETS.lifecycleSharePct,
    readsShare: s.shares.reads === null ? null : s.shares.reads >= TARGETS.readsSharePct,
    rssApi: result.rssPeakMb.api < TARGETS.rssMb,
    rssWorker: result.rssPeakMb.worker < TARGETS.rssMb,
  };
  s.targets = evaluateTargets(result);
  return s;
}

/** The whole terminal report; sets result.summary. */
export function buildReport(result) {
  const s = (result.summary = summarise(result));
  // The ceilings' own load (pgbench, the bare server) is not attributed, so only paygraph's phases are checked.
  const phases = [...result.lifecycle, result.reads].filter(Boolean);
  const shared = phases.filter((p) => p.cores?.other > SHARED_LIMIT);
  const out = [
    "",
    machineLine(result.machine),
    provenanceLine(result.code),
    `load average (1, 5, 15 min): before ${result.load?.before?.loadavg?.join(", ") ?? "–"}, after ${result.load?.after?.loadavg?.join(", ") ?? "–"}`,
    "",
    lifecycleTable(result.lifecycle),
    "",
    summaryTable(s),
    "",
    ...anatomySection(result),
    "",
    ...targetLines(s.targets, ` at ${result.peak.label}`),
    "",
    `cores during reads: ${fmtCores(result.reads.cores)}`,
    `machine busy (cores) during pgbench: ${result.ceilings.pgbench?.cores?.machineBusy ?? "–"}, bare Apollo: ${result.ceilings.bareApollo?.cores?.machineBusy ?? "–"}`,
    `database after the run: ${JSON.stringify(result.database)}`,
    `server warn/error log lines: ${Object.entries(result.serverLogProblems).map(([k, v]) => `${k} ${v.count}`).join(", ")}`,
  ];
  if (shared.length) {
    out.push(`WARNING: other work used > ${SHARED_LIMIT} cores during ${shared.map((p) => `${p.label} (${p.cores.other})`).join(", ")}: the machine was shared, so those figures are low and noisy.`);
  }
  for (const p of result.lifecycle) if (p.errors) out.push(`errors in ${p.label}: ${JSON.stringify(p.errorKinds)} e.g. ${p.errorSamples[0]}`);
  for (const [k, v] of Object.entries(result.serverLogProblems)) if (v.count) out.push(`${k} logged: ${v.first[0]}`);
  for (const [role, summary] of Object.entries(result.profile ?? {})) {
    out.push("", formatProfileSummary(`CPU profile of ${role} during the lifecycle phases (${summary.file})`, summary));
  }
  return out.join("\n");
}

/** Idle background, then each lifecycle phase and the reads, per unit; the pgbench ceiling's own cost for comparison. */
function anatomySection(result) {
  const profiled = result.options?.profile ? " (api and worker under --cpu-prof: their CPU is inflated)" : "";
  const out = ["", `anatomy (pg_stat_database of ${result.dbName ?? "the bench's database"}; Redis INFO commandstats${result.redis?.url ? ` of ${result.redis.url}` : ": none, shared Redis"}; CPU from /proc in CLK_TCK ticks; windows from just before each phase to ${result.options?.settleS ?? 1.1} s after it, ${result.options?.pgSettleS ?? "–"} s for pg_stat_database)`];
  if (result.idle) out.push(...idleLines(result.idle.anatomy, result.peak.lifecyclesPerS));
  for (const p of result.lifecycle) out.push(...anatomyLines(`${p.label}${p.label === result.peak.label ? " (peak)" : ""}${profiled}`, p.perLifecycle, "lifecycle"));
  out.push("  lifecycle.sql (the SQL ceiling) per lifecycle: 3 commits, 9–10 inserted, 3 updated, 0 deleted");
  const pgb = result.ceilings?.pgbench;
  if (pgb?.transactions && pgb.cpuS?.pgScratch !== undefined) {
    out.push(`  pgbench lifecycle.sql: ${pgb.tps} tps; its PostgreSQL backends ${round((1000 * pgb.cpuS.pgScratch) / pgb.transactions, 2)} ms CPU per lifecycle, pgbench itself not counted`);
  }
  out.push(...anatomyLines("payment(id) reads", result.reads.perRead, "read"));
  const t = result.cpuTracking;
  if (t) out.push(`  (PostgreSQL backends of the bench's database: ${t.seen.pgOurs ?? 0} seen over the run, ${t.exits.pgOurs ?? 0} exited, each losing ≤ ${t.everyMs} ms of its CPU; /proc scanned every ${t.everyMs} ms)`);
  return out;
}

const fmtCores = (c) => (c ? Object.entries(c).filter(([k]) => k !== "postgres").map(([k, v]) => `${k} ${v}`).join(", ") : "–");

/**
 * A bench's end: `main`'s result written to `file` (JSON) and its report printed; then the process
 * exits, since keep-alive sockets and timers must not hold the run open. A failure is logged, exit 1.
 */
export function finishBench(main, { file, report, log }) {
  main().then((result) => {
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    console.log(report(result));
    console.log(`\nwritten: ${path.relative(process.cwd(), file)}`);
    process.exit(0);
  }, (err) => {
    log(`failed: ${err.stack ?? err}`);
    process.exit(1);
  });
}
