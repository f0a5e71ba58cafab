// Issue 9 §2's targets, each judged on this run: the counts and CPU per lifecycle at the peak
// phase (the closed-loop concurrency with the most lifecycles/s), the two throughput shares
// against the ceilings measured in the same run, confirmPayment's p99 at half the peak rate, and
// each paygraph process's peak RSS. `pass` is null when the run did not measure the figure.
import { round, share } from "./stats.mjs";

export const TARGETS = {
  cpuMsPerLifecycle: 8, // api + worker + PostgreSQL + Redis, sandbox excluded
  commits: 4,
  inserted: 12,
  updated: 4,
  deleted: 1,
  redisCommands: 20,
  lifecycleSharePct: 20, // of pgbench lifecycle.sql tps
  readsSharePct: 50, // of bare Apollo req/s
  halfConfirmP99Ms: 50,
  rssMb: 300,
};

const atMost = (value, target) => (value === null || value === undefined ? null : value <= target);
const below = (value, target) => (value === null || value === undefined ? null : value < target);
const atLeast = (value, target) => (value === null || value === undefined ? null : value >= target);

/** One row per target: { key, figure, value, unit, target, op, pass, detail }. */
export function evaluateTargets(result) {
  const per = result.peak?.perLifecycle;
  const pg = per?.pg ?? {};
  const lifecycleShare = share(result.peak?.lifecyclesPerS, result.ceilings?.pgbench?.tps);
  const readsShare = share(result.reads?.reqPerS, result.ceilings?.bareApollo?.reqPerS);
  const T = TARGETS;
  const row = (key, figure, value, unit, op, target, pass, detail = "") => ({ key, figure, value: value ?? null, unit, op, target, pass, detail });
  const cpu = per?.cpuMs ?? {};
  return [
    row("cpuMsPerLifecycle", "CPU per lifecycle, api + worker + PostgreSQL + Redis", per?.cpuMsCharged, "ms", "≤", T.cpuMsPerLifecycle, atMost(per?.cpuMsCharged, T.cpuMsPerLifecycle),
      per ? `api ${cpu.api} + worker ${cpu.worker} + PostgreSQL ${cpu.pgOurs} + Redis ${cpu.redis ?? "–"}; sandbox ${cpu.sandbox ?? "–"} excluded` : ""),
    row("commits", "commits per lifecycle", pg.commits, "", "≤", T.commits, atMost(pg.commits, T.commits), `${pg.rollbacks ?? "–"} rollbacks`),
    row("inserted", "rows inserted per lifecycle", pg.inserted, "", "≤", T.inserted, atMost(pg.inserted, T.inserted)),
    row("updated", "rows updated per lifecycle", pg.updated, "", "≤", T.updated, atMost(pg.updated, T.updated)),
    row("deleted", "rows deleted per lifecycle", pg.deleted, "", "≤", T.deleted, atMost(pg.deleted, T.deleted)),
    row("redisCommands", "Redis commands per lifecycle", per?.redis?.total, "", "≤", T.redisCommands, atMost(per?.redis?.total, T.redisCommands)),
    row("lifecycleShare", "lifecycles/s as a share of pgbench lifecycle.sql", lifecycleShare, "%", "≥", T.lifecycleSharePct, atLeast(lifecycleShare, T.lifecycleSharePct),
      `${result.peak?.lifecyclesPerS ?? "–"}/s at C=${result.peak?.concurrency ?? "–"} of ${result.ceilings?.pgbench?.tps ?? "– (not measured)"} tps`),
    row("readsShare", "payment(id) reads/s as a share of bare Apollo", readsShare, "%", "≥", T.readsSharePct, atLeast(readsShare, T.readsSharePct),
      `${result.reads?.reqPerS ?? "–"}/s of ${result.ceilings?.bareApollo?.reqPerS ?? "– (not measured)"} req/s`),
    row("halfConfirmP99", "confirmPayment p99 at half of peak load", result.half?.confirmMs?.p99, "ms", "<", T.halfConfirmP99Ms, below(result.half?.confirmMs?.p99, T.halfConfirmP99Ms),
      result.half ? `${result.half.achievedPerS}/s paced at ${result.half.pacedRate}/s, C=${result.half.concurrency}; p50 ${result.half.confirmMs.p50} ms` : ""),
    ...["api", "worker"].map((role) => row(`rss_${role}`, `peak RSS, ${role}`, result.rssPeakMb?.[role], "MB", "<", T.rssMb, below(result.rssPeakMb?.[role], T.rssMb))),
  ];
}

const mark = (pass) => (pass === null ? "not measured" : pass ? "pass" : "MISS");

/** How far a missed figure is from its target: "× 8.4" for a ceiling, "needs × 6.2" for a floor. */
function distance(r) {
  if (r.pass !== false || !r.value || !r.target) return "";
  const x = r.op === "≥" ? r.target / r.value : r.value / r.target;
  const times = x.toFixed(x < 1.1 ? 2 : 1);
  return r.op === "≥" ? ` (needs ×${times})` : ` (×${times} the target)`;
}

export function targetLines(rows, extra = "") {
  const w = Math.max(...rows.map((r) => r.figure.length));
  const fmt = (r) => (r.value === null ? "–" : `${round(r.value, Math.abs(r.value) >= 10 ? 1 : 2)}${r.unit === "%" ? " %" : r.unit ? ` ${r.unit}` : ""}`);
  const out = [`targets (issue 9 §2)${extra}:`];
  for (const r of rows) {
    const target = `${r.op} ${r.target}${r.unit === "%" ? " %" : r.unit ? ` ${r.unit}` : ""}`;
    out.push(`  ${r.figure.padEnd(w)}  ${fmt(r).padStart(9)}  target ${target.padEnd(9)}  ${mark(r.pass)}${distance(r)}${r.detail ? `  [${r.detail}]` : ""}`);
  }
  return out;
}
