// `paygraph start` without --role: the api and the worker as processes of their own, so a machine's
// cores are all used (one Node process uses one). API_PROCESSES api processes (default cores − 1)
// share the HTTP port through node:cluster; one worker process runs the queues, the reconciler and
// the periodic jobs. The supervisor itself migrates, starts the local sandbox gateway if none is
// configured, prints one set of URLs, restarts a process that dies, and on SIGINT/SIGTERM stops
// them all (each drains as `--role` processes do) before it exits.
// Past one machine, run `--role api` and `--role worker` processes under a real supervisor
// (systemd, Kubernetes): README "Running in production".
import cluster, { type Worker } from "node:cluster";
import type { Config } from "../config.js";
import type { Logger } from "../platform/logger.js";
import { serveClusterMetrics } from "../platform/metrics.js";

/** Where an api process serves. */
export interface Listening {
  port: number;
  /** /metrics on METRICS_PORT, if set (else on the main port). */
  metricsUrl: string | null;
}

/** What a supervised process tells the supervisor once it serves. */
export interface RoleReady {
  kind: "listening";
  /** null for the worker. */
  listening: Listening | null;
}

interface Flags { port?: string; host?: string; "tls-cert"?: string; "tls-key"?: string }

/** A process that dies this soon after its start is not restarted in a loop faster than this. */
const RESTART_BACKOFF_MS = 1_000;
const STOP_GRACE_MS = 15_000;

export async function superviseRoles(config: Config, log: Logger, flags: Flags, tls: boolean): Promise<{ listening: Listening; stop(): Promise<void> }> {
  const passed = (["port", "host", "tls-cert", "tls-key"] as const).flatMap((f) => (flags[f] !== undefined ? [`--${f}`, String(flags[f])] : []));
  // Children read the gateway the supervisor chose (its own sandbox, or the configured one).
  const env = { GATEWAY_URL: config.gatewayUrl ?? "" };
  let stopping = false;
  const roles = new Map<Worker, "api" | "worker">();

  const spawn = (role: "api" | "worker"): Worker => {
    cluster.setupPrimary({ args: ["start", "--role", role, ...(role === "api" ? passed : [])] });
    const child = cluster.fork(env);
    roles.set(child, role);
    const started = Date.now();
    child.once("exit", (code, signal) => {
      roles.delete(child);
      if (stopping) return;
      log.error({ role, pid: child.process.pid, code, signal }, "a paygraph process exited; restarting it");
      setTimeout(() => !stopping && spawn(role), Math.max(0, RESTART_BACKOFF_MS - (Date.now() - started)));
    });
    return child;
  };
  const ready = (child: Worker): Promise<RoleReady> =>
    new Promise((resolve, reject) => {
      // Only its "listening" message: prom-client's cluster messages travel on the same channel.
      const onMessage = (m: RoleReady): void => {
        if (m?.kind !== "listening") return;
        child.off("message", onMessage);
        resolve(m);
      };
      child.on("message", onMessage);
      child.once("exit", (code) => reject(new Error(`the ${roles.get(child) ?? "paygraph"} process exited (${code}) before it was ready`)));
    });

  serveClusterMetrics();
  const api = Array.from({ length: Math.max(1, config.apiProcesses) }, () => spawn("api"));
  const worker = spawn("worker");
  const answers = await Promise.all([...api, worker].map(ready)).catch(async (err: unknown) => {
    stopping = true;
    for (const child of roles.keys()) child.kill("SIGKILL");
    throw err;
  });
  const listening = answers.find((a) => a.listening !== null)?.listening ?? { port: config.port, metricsUrl: null };
  log.info({ api: api.length, worker: 1, tls }, "paygraph processes started");

  return {
    listening,
    async stop(): Promise<void> {
      stopping = true;
      const exits = [...roles.keys()].map((child) => new Promise<void>((resolve) => {
        if (child.isDead()) return resolve();
        const force = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
        child.once("exit", () => {
          clearTimeout(force);
          resolve();
        });
        child.process.kill("SIGTERM");
      }));
      await Promise.all(exits);
    },
  };
}
