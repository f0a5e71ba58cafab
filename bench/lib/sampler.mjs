// Resource accounting from /proc: the peak RSS of chosen processes (VmRSS, sampled every 250 ms)
// and CPU seconds per process group (a proc-cpu.mjs tracker) between two snapshots, so each phase
// can say where the two cores went (api, worker, sandbox, PostgreSQL, Redis, this load generator,
// idle), and, with an anatomy source (anatomy.mjs), what the database and Redis did during it.
import { readFileSync } from "node:fs";
import { TICK, commOf, cpuOf, numericEntries } from "./proc-cpu.mjs";
import { round } from "./stats.mjs";

export function rssMb(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined; // exited
  }
}

/** Peak RSS (MB) of each named pid, sampled every `everyMs`; `peaks()` reads them, `stop()` ends sampling. */
export function startRssSampler(everyMs = 250) {
  const watched = new Map(); // name → pid
  const peak = {};
  const phasePeak = {};
  const sample = () => {
    for (const [name, pid] of watched) {
      const mb = rssMb(pid);
      if (mb === undefined) continue;
      peak[name] = Math.max(peak[name] ?? 0, mb);
      phasePeak[name] = Math.max(phasePeak[name] ?? 0, mb);
    }
  };
  const timer = setInterval(sample, everyMs);
  return {
    watch(name, pid) {
      watched.set(name, pid);
      sample();
    },
    peaks: () => ({ ...peak }),
    /** Peaks since the previous call (one phase's peaks). */
    takePhasePeaks() {
      sample();
      const out = { ...phasePeak };
      for (const k of Object.keys(phasePeak)) delete phasePeak[k];
      return out;
    },
    stop: () => clearInterval(timer),
  };
}

/**
 * CPU seconds so far of: each group of a tracker (proc-cpu.mjs: named pids, our PostgreSQL
 * backends), all PostgreSQL, every redis-server unless the tracker has a `redis` group (the
 * bench's own server), and the machine.
 */
export function cpuSnapshot(tracker) {
  const snap = { at: performance.now(), ...tracker.totals() };
  const allRedis = snap.redis === undefined;
  if (allRedis) snap.redis = 0;
  snap.postgres = 0;
  for (const entry of numericEntries()) {
    const comm = commOf(entry);
    // The postmaster's reaped-children time keeps the CPU of backends that exited during the phase.
    if (comm === "postgres") snap.postgres += cpuOf(entry, true);
    else if (allRedis && comm.startsWith("redis-server")) snap.redis += cpuOf(entry);
  }
  const cpu = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
  snap.machineIdle = (cpu[3] + cpu[4]) / TICK; // idle + iowait
  snap.machineTotal = cpu.reduce((a, b) => a + b, 0) / TICK;
  return snap;
}

/** Average cores used by each group between two snapshots (1.0 = one full core). */
export function coresBetween(a, b) {
  const wall = (b.at - a.at) / 1000;
  const out = {};
  for (const k of Object.keys(b)) {
    if (k === "at" || k.startsWith("machine") || a[k] === undefined) continue;
    out[k] = Math.round((100 * Math.max(0, b[k] - a[k])) / wall) / 100;
  }
  const total = b.machineTotal - a.machineTotal;
  const busy = (total - (b.machineIdle - a.machineIdle)) / wall;
  out.machineBusy = Math.round(100 * busy) / 100;
  // Whatever ran on the machine besides this run: other users' processes, PostgreSQL's shared
  // background work (WAL writer, checkpointer) and other databases' backends. Ours: every named
  // pid (api, worker, each sandbox, the bench), our PostgreSQL backends and Redis.
  const ours = Object.keys(out).filter((k) => k !== "postgres" && k !== "machineBusy").reduce((n, k) => n + out[k], 0);
  out.other = Math.round(100 * Math.max(0, busy - ours)) / 100;
  return out;
}

/**
 * `measured(label, fn)` runs one phase (`fn` resolves with its figures) and adds the cores each
 * group of the `cpu` tracker used during it (and its CPU seconds, `cpuS`) and the phase's RSS
 * peaks. With `anatomy` (anatomy.mjs' anatomySource), it also adds `anatomy`: the database's and
 * Redis's counters and each group's CPU seconds from just before the phase to a while after it.
 */
export function phaseMeter({ rss, cpu, anatomy }) {
  return async function measured(label, fn) {
    const opened = anatomy ? await anatomy.open() : undefined;
    rss.takePhasePeaks();
    const before = cpuSnapshot(cpu);
    const out = await fn();
    const end = cpuSnapshot(cpu);
    const cpuS = Object.fromEntries(Object.keys(end).filter((k) => k !== "at" && !k.startsWith("machine") && before[k] !== undefined).map((k) => [k, round(end[k] - before[k], 3)]));
    const phase = { label, ...out, cores: coresBetween(before, end), cpuS, rssPeakMb: Object.fromEntries(Object.entries(rss.takePhasePeaks()).map(([k, v]) => [k, round(v)])) };
    if (anatomy) phase.anatomy = await anatomy.close(opened, before, () => cpuSnapshot(cpu));
    return phase;
  };
}
