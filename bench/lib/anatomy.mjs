// The anatomy of a measured phase (issue 9 §1): what PostgreSQL (pg_stat_database of the bench's
// own database), Redis (INFO commandstats of the bench's own redis-server) and each process's CPU
// (/proc) did during it, divided by the phase's units of work (lifecycles, or payment(id) reads).
// Counts and CPU per unit hold on a noisy box where rates do not: they are what to steer by.
import { dbCounters } from "./db.mjs";
import { commandsBetween } from "./redis-stats.mjs";
import { round, sleep } from "./stats.mjs";

/** The CPU groups the target counts (api + worker + PostgreSQL + Redis), then those it excludes. */
export const CHARGED = ["api", "worker", "pgOurs", "redis"];
const EXCLUDED = ["sandbox", "bench"];
const NAMES = { api: "api", worker: "worker", pgOurs: "PostgreSQL", redis: "Redis", sandbox: "sandbox", bench: "bench" };
const PG_KEYS = ["commits", "rollbacks", "inserted", "updated", "deleted", "returned", "fetched"];

/**
 * The `anatomy` option of phaseMeter for database `dbName` and the bench's redis-server `redis`
 * (absent on a shared Redis). Two windows, both opened just before the phase:
 * - CPU and Redis close `settleMs` after it (the worker's last audit seals and outbox sweeps);
 *   commandstats has no lag, and every further second would add idle background CPU.
 * - pg_stat_database closes `pgSettleMs` after it: a backend sends its counts when it goes idle,
 *   at most once a second, and one that goes idle less than a second after its last report waits
 *   for a 10 s timer (PGSTAT_IDLE_INTERVAL), so the phase's last transactions show up to ~10 s late.
 *   What the idle background does in the extra seconds is taken off with the idle phase's rates
 *   (perUnit's `idle`); it is read-only polling, ≈ 9 autocommit reads a second.
 */
export function anatomySource({ dbName, redis, settleMs = 1100, pgSettleMs = 11_000 }) {
  const readRedis = async () => (redis ? redis.snapshot() : undefined);
  return {
    async open() {
      return { pg: await dbCounters(dbName), redis: await readRedis(), at: performance.now() };
    },
    /** After the phase: waits out both windows; `cpuNow()` is a cpuSnapshot, `cpuAtOpen` the one taken as the phase began. */
    async close(opened, cpuAtOpen, cpuNow) {
      await sleep(settleMs);
      const cpuB = cpuNow();
      const redisB = await readRedis();
      const cpuAt = performance.now();
      await sleep(Math.max(0, pgSettleMs - settleMs));
      const pgB = await dbCounters(dbName);
      const cpuS = {};
      for (const g of [...CHARGED, ...EXCLUDED]) if (cpuB[g] !== undefined) cpuS[g] = Math.max(0, cpuB[g] - (cpuAtOpen[g] ?? 0));
      return {
        windowS: round((cpuAt - opened.at) / 1000, 2), // CPU and Redis
        pgWindowS: round((performance.now() - opened.at) / 1000, 2),
        pg: Object.fromEntries(PG_KEYS.map((k) => [k, (pgB[k] ?? 0) - (opened.pg[k] ?? 0)])),
        redis: opened.redis && redisB ? commandsBetween(opened.redis, redisB) : null,
        cpuS,
      };
    },
  };
}

/**
 * A phase's anatomy ÷ `n` units: counts per unit, CPU in ms per unit, and the charged CPU's sum.
 * With `idle` (the idle phase's anatomy), PostgreSQL's counts lose the idle rate over the seconds
 * its window outlasts the CPU window (`pgIdleTaken` says how much that was per unit).
 */
export function perUnit(anatomy, n, idle) {
  if (!anatomy || !(n > 0)) return null;
  const per = (x, d = 2) => round(x / n, d);
  const extraS = idle ? Math.max(0, anatomy.pgWindowS - anatomy.windowS) : 0;
  const idleOf = (k) => (idle ? (idle.pg[k] / idle.pgWindowS) * extraS : 0);
  const cpuMs = Object.fromEntries(Object.entries(anatomy.cpuS).map(([g, s]) => [g, round((1000 * s) / n, 2)]));
  const charged = CHARGED.reduce((sum, g) => sum + (anatomy.cpuS[g] ?? 0), 0);
  return {
    n,
    pg: Object.fromEntries(Object.entries(anatomy.pg).map(([k, v]) => [k, per(Math.max(0, v - idleOf(k)))])),
    pgIdleTaken: idle ? Object.fromEntries(PG_KEYS.map((k) => [k, per(idleOf(k), 3)])) : null,
    redis: anatomy.redis
      ? { total: per(anatomy.redis.total, 4), byCommand: Object.fromEntries(Object.entries(anatomy.redis.byCommand).map(([k, v]) => [k, per(v, 4)])), phaseTotal: anatomy.redis.total }
      : null,
    cpuMs,
    cpuMsCharged: round((1000 * charged) / n, 2),
    netOfIdle: idle ? netOfIdle(anatomy, n, idle, charged) : null,
  };
}

/**
 * The same less what the idle background would have done over the phase's window (its rates
 * times the window): what the payments themselves cost. Background work amortises over the
 * lifecycles, so on a slow (busy) box it weighs more per lifecycle; this shows the payments' part.
 * An estimate: pollers may do more or less under load than idle.
 */
function netOfIdle(anatomy, n, idle, charged) {
  const idleCharged = CHARGED.reduce((sum, g) => sum + (idle.cpuS[g] ?? 0), 0) / idle.windowS;
  const net = (x) => round(Math.max(0, x) / n, 2);
  return {
    commits: net(anatomy.pg.commits - (idle.pg.commits / idle.pgWindowS) * anatomy.pgWindowS),
    redis: anatomy.redis && idle.redis ? net(anatomy.redis.total - (idle.redis.total / idle.windowS) * anatomy.windowS) : null,
    cpuMsCharged: net(1000 * (charged - idleCharged * anatomy.windowS)),
  };
}

const num = (x) => {
  if (x === null || x === undefined) return "–";
  if (x !== 0 && Math.abs(x) < 0.01) return x.toPrecision(2);
  return String(round(x, x >= 100 ? 0 : x >= 10 ? 1 : 2));
};

/** "publish 6, evalsha 5.4, …" for the `top` commands, and how many more there were. */
export function topCommands(byCommand, top = 12) {
  const entries = Object.entries(byCommand).filter(([, v]) => v > 0);
  const shown = entries.slice(0, top).map(([k, v]) => `${k} ${num(v)}`).join(", ");
  return entries.length > top ? `${shown}, … (${entries.length - top} more)` : shown;
}

const net = (p, k) => (p.netOfIdle?.[k] === null || p.netOfIdle?.[k] === undefined ? "" : ` [${num(p.netOfIdle[k])} net of idle background]`);
const idleTaken = (p) => (p.pgIdleTaken?.commits ? `; idle background taken off: ${num(p.pgIdleTaken.commits)} commits, ${num(p.pgIdleTaken.returned)} returned` : "");

/** The printed anatomy of one phase per unit (`unit`: "lifecycle", "read"). */
export function anatomyLines(title, p, unit) {
  if (!p) return [`${title}: no anatomy (no ${unit} completed)`];
  const pg = p.pg;
  const cpu = (gs) => gs.filter((g) => p.cpuMs[g] !== undefined).map((g) => `${NAMES[g]} ${num(p.cpuMs[g])}`);
  return [
    `${title}, per ${unit} (${p.n} ${unit}s):`,
    `  PostgreSQL  ${num(pg.commits)} commits${net(p, "commits")} (${num(pg.rollbacks)} rollbacks); rows ${num(pg.inserted)} inserted, ${num(pg.updated)} updated, ${num(pg.deleted)} deleted; read ${num(pg.returned)} returned (tup_returned) / ${num(pg.fetched)} fetched (tup_fetched)${idleTaken(p)}`,
    p.redis ? `  Redis       ${num(p.redis.total)} commands${net(p, "redis")} (${p.redis.phaseTotal} in the phase): ${topCommands(p.redis.byCommand)}` : "  Redis       – (the bench runs on a shared Redis: no per-command counts)",
    `  CPU ms      ${cpu(CHARGED).join(" + ")} = ${num(p.cpuMsCharged)}${net(p, "cpuMsCharged")}; excluded: ${cpu(EXCLUDED).join(", ")}`,
  ];
}

/** The idle phase as rates: what runs in the background per second with no load. */
export function idleLines(anatomy, peakPerS) {
  if (!anatomy) return [];
  const s = anatomy.windowS;
  const pgS = anatomy.pgWindowS;
  const cpuMsPerS = Object.fromEntries(Object.entries(anatomy.cpuS).map(([g, v]) => [g, (1000 * v) / s]));
  const charged = CHARGED.reduce((sum, g) => sum + (cpuMsPerS[g] ?? 0), 0);
  const byCmd = anatomy.redis ? Object.fromEntries(Object.entries(anatomy.redis.byCommand).map(([k, v]) => [k, v / s])) : {};
  return [
    `idle background (no load; ${s} s for CPU and Redis, ${pgS} s for PostgreSQL), per second:`,
    `  PostgreSQL  ${num(anatomy.pg.commits / pgS)} commits, ${num(anatomy.pg.inserted / pgS)} inserted, ${num(anatomy.pg.updated / pgS)} updated, ${num(anatomy.pg.deleted / pgS)} deleted, ${num(anatomy.pg.returned / pgS)} returned`,
    anatomy.redis ? `  Redis       ${num(anatomy.redis.total / s)} commands: ${topCommands(byCmd, 8)}` : "  Redis       –",
    `  CPU ms/s    ${CHARGED.filter((g) => cpuMsPerS[g] !== undefined).map((g) => `${NAMES[g]} ${num(cpuMsPerS[g])}`).join(" + ")} = ${num(charged)}` +
      (peakPerS ? ` (≈ ${num(charged / peakPerS)} ms per lifecycle at the peak's ${peakPerS}/s)` : ""),
  ];
}

/** One line for the progress log: "9.1 commits, 21.8/11.3/12 rows ins/upd/del, 62 Redis commands, 67 ms CPU". */
export function anatomyBrief(p) {
  if (!p) return "no anatomy";
  const redis = p.redis ? `, ${num(p.redis.total)} Redis commands` : "";
  return `${num(p.pg.commits)} commits, ${num(p.pg.inserted)}/${num(p.pg.updated)}/${num(p.pg.deleted)} rows ins/upd/del${redis}, ${num(p.cpuMsCharged)} ms CPU (api+worker+pg+redis)`;
}

/** b − a per unit (two phases' perUnit): CPU ms per process, commits, Redis commands in all and by name. */
export function diffPerUnit(a, b) {
  if (!a || !b) return null;
  const cpuMs = Object.fromEntries(CHARGED.map((g) => [g, round((b.cpuMs[g] ?? 0) - (a.cpuMs[g] ?? 0), 2)]));
  const names = new Set([...Object.keys(a.redis.byCommand), ...Object.keys(b.redis.byCommand)]);
  const byCommand = Object.fromEntries([...names].map((k) => [k, round((b.redis.byCommand[k] ?? 0) - (a.redis.byCommand[k] ?? 0), 3)])
    .filter(([, v]) => v !== 0).sort((x, y) => Math.abs(y[1]) - Math.abs(x[1])));
  return { cpuMs, cpuMsCharged: round(b.cpuMsCharged - a.cpuMsCharged, 2), commits: round(b.pg.commits - a.pg.commits, 2), redisTotal: round(b.redis.total - a.redis.total, 2), byCommand };
}
