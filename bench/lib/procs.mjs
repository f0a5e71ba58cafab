// Child processes of the bench: start one, wait for its "listening on http://…" line (or another
// ready pattern), keep the tail of its output for error reports, count the warn/error lines it
// logs (pino JSON, level ≥ 40), and stop it with SIGTERM (SIGKILL after a grace period).
import { spawn } from "node:child_process";
import { once } from "node:events";
import readline from "node:readline";

const TAIL = 40;

export class Proc {
  constructor(name, child) {
    this.name = name;
    this.child = child;
    this.pid = child.pid;
    this.tail = [];
    this.problems = []; // log lines at warn level or above (first few kept)
    this.problemCount = 0;
    this.lineListeners = [];
    this.exited = false;
    this.exitCode = null;
    child.on("exit", (code, signal) => {
      this.exited = true;
      this.exitCode = code ?? signal;
    });
    for (const stream of [child.stdout, child.stderr]) {
      readline.createInterface({ input: stream }).on("line", (line) => this.#line(line));
    }
  }

  #line(line) {
    this.tail.push(line);
    if (this.tail.length > TAIL) this.tail.shift();
    for (const listener of this.lineListeners) listener(line);
    let level = 0;
    if (line.startsWith("{")) {
      try {
        level = JSON.parse(line).level ?? 0;
      } catch {
        /* not JSON */
      }
    } else if (/\b(error|warn(ing)?)\b/i.test(line)) level = 40;
    if (level >= 40) {
      this.problemCount += 1;
      if (this.problems.length < 5) this.problems.push(line.slice(0, 400));
    }
  }

  /** Resolves with the first match of `pattern` in the output; rejects on exit or timeout. */
  waitFor(pattern, timeoutMs = 60_000) {
    return new Promise((resolve, reject) => {
      const done = (fn, value) => {
        clearTimeout(timer);
        this.lineListeners = this.lineListeners.filter((l) => l !== listener);
        this.child.off("exit", onExit);
        fn(value);
      };
      const listener = (line) => {
        const m = pattern.exec(line);
        if (m) done(resolve, m);
      };
      const onExit = (code) => done(reject, new Error(`${this.name} exited (${code}) before ready:\n${this.tail.join("\n")}`));
      const timer = setTimeout(() => done(reject, new Error(`${this.name} not ready after ${timeoutMs} ms:\n${this.tail.join("\n")}`)), timeoutMs);
      this.lineListeners = [...this.lineListeners, listener];
      this.child.once("exit", onExit);
      for (const line of this.tail) listener(line);
      if (this.exited) onExit(this.exitCode); // no-op if the tail already matched
    });
  }

  async stop(graceMs = 15_000) {
    if (this.exited) return this.exitCode;
    const exited = once(this.child, "exit");
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
    await exited;
    clearTimeout(timer);
    return this.exitCode;
  }
}

/** Spawns `node <args>` (no shell, so its pid is the node process itself); `proc.waitFor(re)` awaits readiness. */
export function startNode(name, args, { env, cwd } = {}) {
  const child = spawn(process.execPath, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  return new Proc(name, child);
}

/** Runs a command to completion; resolves with { code, stdout, stderr }. */
export function run(cmd, args, { env, cwd, input } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? "");
  });
}
