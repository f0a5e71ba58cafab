// CPU seconds per process group from /proc (utime + stime of every thread, in clock ticks of
// `getconf CLK_TCK`): named pids (api, worker, sandbox, the bench's redis-server, the bench itself)
// and the PostgreSQL backends serving chosen databases. Backends come and go (pg pools close idle
// clients; pgbench connects per run), so a tracker rescans /proc every `everyMs` and keeps, for
// every pid it has ever seen in a group, the last CPU it read: a group's total is the sum of those,
// and the CPU of a backend that exits is lost only for its last ≤ `everyMs` (counted in `exited`).
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";

export const TICK = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime+stime (+ reaped children's, for PostgreSQL's postmaster) of a pid in clock ticks; undefined once it has exited. */
export function cpuTicks(pid, withChildren = false) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" "); // f[0] is field 3 (state)
    return Number(f[11]) + Number(f[12]) + (withChildren ? Number(f[13]) + Number(f[14]) : 0);
  } catch {
    return undefined;
  }
}

/** The same in seconds, 0 once exited. */
export const cpuOf = (pid, withChildren = false) => (cpuTicks(pid, withChildren) ?? 0) / TICK;

export function commOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return "";
  }
}

export function cmdlineOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
  } catch {
    return "";
  }
}

export const numericEntries = () => readdirSync("/proc").filter((e) => /^\d+$/.test(e));

/**
 * A backend's process title is "postgres: [cluster: ]<user> <database> <host>(<port>) <activity>";
 * a freshly forked one still carries the postmaster's command line until it has authenticated,
 * so a postgres pid is classified only once its title names a user and database (or a role such
 * as "checkpointer"); until then it is looked at again on the next scan.
 */
function backendDatabase(cmdline) {
  const m = /^postgres: (?:[^ ]+: )?(.*)$/.exec(cmdline.trim());
  if (!m) return undefined; // not titled yet (or the postmaster itself)
  const words = m[1].split(" ");
  return words.length >= 3 && /\(\d+\)$/.test(words[2]) ? words[1] : null; // null: a background process
}

/**
 * @param {object} o
 * @param {() => Record<string, number|undefined>} [o.named]  group → pid, asked on every scan (pids change on restarts)
 * @param {Record<string, string>} [o.databases]  group → database name, for PostgreSQL backends
 * @param {number} [o.everyMs]
 */
export function startCpuTracker({ named = () => ({}), databases = {}, everyMs = 100 } = {}) {
  const groupOfDb = new Map(Object.entries(databases).map(([group, db]) => [db, group]));
  const seen = new Map(); // group → Map(pid → last ticks)
  const exits = {};
  const classified = new Map(); // pid → group | null, for postgres pids (forgotten when the pid vanishes)
  const note = (group, pid, ticks) => {
    if (!seen.has(group)) seen.set(group, new Map());
    const pids = seen.get(group);
    pids.set(pid, Math.max(pids.get(pid) ?? 0, ticks));
  };
  const live = new Set(); // pids read at the last scan, to count exits
  const scan = () => {
    const now = new Set();
    for (const [group, pid] of Object.entries(named())) {
      if (!pid) continue;
      const t = cpuTicks(pid);
      if (t !== undefined) {
        note(group, `${pid}`, t);
        now.add(`${group}:${pid}`);
      }
    }
    if (groupOfDb.size) {
      const entries = numericEntries();
      const present = new Set(entries);
      for (const pid of classified.keys()) if (!present.has(pid)) classified.delete(pid);
      for (const pid of entries) {
        if (!classified.has(pid) || classified.get(pid) === undefined) {
          if (commOf(pid) !== "postgres") {
            classified.set(pid, null);
            continue;
          }
          const db = backendDatabase(cmdlineOf(pid));
          classified.set(pid, db === undefined ? undefined : (groupOfDb.get(db) ?? null));
        }
        const group = classified.get(pid);
        if (!group) continue;
        const t = cpuTicks(pid);
        if (t === undefined) continue;
        note(group, pid, t);
        now.add(`${group}:${pid}`);
      }
    }
    for (const key of live) {
      if (!now.has(key)) {
        const group = key.slice(0, key.indexOf(":"));
        exits[group] = (exits[group] ?? 0) + 1;
      }
    }
    live.clear();
    for (const key of now) live.add(key);
  };
  scan();
  const timer = setInterval(scan, everyMs);
  timer.unref();
  return {
    everyMs,
    /** CPU seconds of each group so far (every pid it ever had), after a fresh scan. */
    totals() {
      scan();
      const out = Object.fromEntries([...groupOfDb.values()].map((g) => [g, 0])); // a database's group exists before its first backend
      for (const [group, pids] of seen) {
        let ticks = 0;
        for (const t of pids.values()) ticks += t;
        out[group] = ticks / TICK;
      }
      return out;
    },
    /** How many processes of each group have exited so far (their last ≤ everyMs of CPU is not counted). */
    exits: () => ({ ...exits }),
    /** Processes ever seen per group. */
    seen: () => Object.fromEntries([...seen].map(([g, pids]) => [g, pids.size])),
    stop: () => clearInterval(timer),
  };
}
