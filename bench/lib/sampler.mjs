// Resource accounting from /proc: the peak RSS of chosen processes (VmRSS, sampled every 250 ms)
// and CPU seconds per process group between two snapshots, so each phase can say where the two
// cores went (api, worker, sandbox, PostgreSQL, Redis, this load generator, idle).
import { readFileSync, readdirSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { round } from "./stats.mjs";

const TICK = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

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

/** utime+stime (+ reaped children's, for PostgreSQL's postmaster) of a pid, in seconds. */
function cpuOf(pid, withChildren = false) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" "); // f[0] is field 3 (state)
    const ticks = Number(f[11]) + Number(f[12]) + (withChildren ? Number(f[13]) + Number(f[14]) : 0);
    return ticks / TICK;
  } catch {
    return 0;
  }
}

function commOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return "";
  }
}

function cmdlineOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8");
  } catch {
    return "";
  }
}

function postgresPids() {
  return readdirSync("/proc").filter((e) => /^\d+$/.test(e) && commOf(e) === "postgres");
}

/**
 * CPU of the PostgreSQL backends serving databases whose name contains `dbMatch` (their process
 * title names the database). pg's Pool closes idle clients, so backends come and go: a scan every
 * `everyMs` remembers each backend's last CPU, and `total()` adds up every backend ever seen.
 */
export function startPgTracker(dbMatch, everyMs = 500) {
  const last = new Map();
  const scan = () => {
    for (const pid of postgresPids()) {
      if (last.has(pid) || cmdlineOf(pid).includes(dbMatch)) last.set(pid, Math.max(last.get(pid) ?? 0, cpuOf(pid)));
    }
  };
  const timer = setInterval(scan, everyMs);
  return {
    total() {
      scan();
      let sum = 0;
      for (const v of last.values()) sum += v;
      return sum;
    },
    stop: () => clearInterval(timer),
  };
}

/** CPU seconds so far of: the named pids, our PostgreSQL backends (a tracker), all PostgreSQL, redis-server, the machine. */
export function cpuSnapshot(named, pgTracker) {
  const snap = { at: performance.now() };
  for (const [name, pid] of Object.entries(named)) if (pid) snap[name] = cpuOf(pid);
  snap.pgOurs = pgTracker ? pgTracker.total() : 0;
  snap.postgres = 0;
  snap.redis = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const comm = commOf(entry);
    // The postmaster's reaped-children time keeps the CPU of backends that exited during the phase.
    if (comm === "postgres") snap.postgres += cpuOf(entry, true);
    else if (comm.startsWith("redis-server")) snap.redis += cpuOf(entry);
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
 * process group used during it and the phase's RSS peaks. `pids()` names the processes to charge.
 */
export function phaseMeter({ rss, pgTracker, pids }) {
  return async function measured(label, fn) {
    rss.takePhasePeaks();
    const before = cpuSnapshot(pids(), pgTracker);
    const out = await fn();
    const cores = coresBetween(before, cpuSnapshot(pids(), pgTracker));
    return { label, ...out, cores, rssPeakMb: Object.fromEntries(Object.entries(rss.takePhasePeaks()).map(([k, v]) => [k, round(v)])) };
  };
}
