// The chaos run's fleet and its fault injector. The fleet: api and worker processes (each its own
// `--role` process), a redis-server the run owns on its own port, and paygraph's own database.
// The injector, on a seeded schedule, SIGKILLs a worker or an api and restarts it, SIGKILLs the
// Redis and restarts it (empty: Redis holds nothing that cannot be rebuilt), terminates the
// database's PostgreSQL connections in bursts, and makes the flaky gateway lose its answers for a
// while. A process that dies without being killed is recorded (and restarted, as a supervisor would).
import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import pg from "pg";
import { PG_ADMIN_URL, type Role, type Stack } from "../stack.js";
import type { Rng } from "./prng.js";

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A free loopback port (the kernel's pick), for processes that must come back on the same one. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A redis-server of the run's own: killed and restarted on the same port, never the shared one. */
export class OwnedRedis {
  private proc: ChildProcess | undefined;
  constructor(readonly port: number) {}
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const proc = spawn("redis-server", [
      "--port", String(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--maxmemory-policy", "noeviction",
    ], { stdio: ["ignore", "pipe", "pipe"] });
    this.proc = proc;
    await new Promise<void>((resolve, reject) => {
      let out = "";
      proc.stdout?.on("data", (c: Buffer) => {
        out += c.toString();
        if (out.includes("Ready to accept connections")) resolve();
      });
      proc.once("exit", (code) => reject(new Error(`redis-server on ${this.port} exited (${code}):\n${out}`)));
    });
  }

  async kill(): Promise<void> {
    const proc = this.proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((r) => proc.once("exit", r));
    proc.kill("SIGKILL");
    await exited;
  }
}

/** One process of the fleet: restarted with the same arguments (an api on the same port). */
export class Slot {
  role: Role | undefined;
  private killing = false;
  private retired = false;
  private starting: Promise<void> | undefined;
  restarts = 0;
  constructor(
    readonly name: string,
    private readonly stack: Stack,
    private args: string[],
    private readonly env: Record<string, string>,
    private readonly onUnexpectedExit: (slot: Slot, code: number | null, signal: string | null) => void,
    private readonly log: (line: string) => void,
  ) {}

  get url(): string {
    return this.role?.url ?? "";
  }

  /** Starts the process, or joins the start under way (never two instances of one slot). */
  start(): Promise<void> {
    this.starting ??= this.startOnce().finally(() => (this.starting = undefined));
    return this.starting;
  }

  get isStarting(): boolean {
    return this.starting !== undefined;
  }

  /** Tries again while the process cannot come up (e.g. Redis is down: it exits at preflight). */
  private async startOnce(): Promise<void> {
    for (let tries = 1; ; tries++) {
      try {
        const role = await this.stack.start(this.args, this.env);
        this.role = role;
        // An api comes back on the port it first got, so callers' URLs stay valid.
        const port = role.url ? new URL(role.url).port : undefined;
        if (port) this.args = this.args.map((a, i) => (this.args[i - 1] === "--port" ? port : a));
        role.proc.once("exit", (code, signal) => {
          if (this.killing || this.role !== role) return;
          this.onUnexpectedExit(this, code, signal);
        });
        return;
      } catch (err) {
        if (tries >= 60) throw new Error(`${this.name} would not start: ${String(err)}`);
        if (tries === 1 || tries % 10 === 0) this.log(`${this.name} did not start (try ${tries}): …${String(err).slice(-400)}`);
        await sleep(500);
      }
    }
  }

  /** From now on its exits are the run's own doing (the fleet is being torn down). */
  retire(): void {
    this.retired = true;
    this.killing = true;
  }

  async kill(): Promise<void> {
    this.killing = true;
    try {
      await this.role?.stop("SIGKILL");
    } finally {
      if (!this.retired) this.killing = false;
    }
  }

  /** Whether the process is running (an unexpected exit leaves it down until restarted). */
  get alive(): boolean {
    const proc = this.role?.proc;
    return proc !== undefined && proc.exitCode === null && proc.signalCode === null;
  }
}

export type FaultKind = "kill-worker" | "kill-api" | "kill-redis" | "pg-terminate" | "gateway-lost-answers";

export interface FaultTargets {
  stack: Stack;
  redis: OwnedRedis;
  /** Processes the injector may kill, by kind. */
  workers: Slot[];
  apis: Slot[];
  /** The flaky gateway's control URL. */
  flakyGateway: string;
  databaseName: string;
}

export class FaultInjector {
  readonly injected = new Map<FaultKind, number>();
  terminatedConnections = 0;
  private stopping = false;
  private loops: Promise<void>[] = [];
  private readonly restarting = new Map<Slot, Promise<void>>();

  constructor(private readonly t: FaultTargets, private readonly rng: Rng, private readonly log: (line: string) => void) {}

  private count(kind: FaultKind): void {
    this.injected.set(kind, (this.injected.get(kind) ?? 0) + 1);
  }

  start(): void {
    const infra = this.rng.fork(1);
    const gateway = this.rng.fork(2);
    this.loops = [this.loop(infra, () => this.infraFault(infra)), this.loop(gateway, () => this.gatewayFault(gateway))];
  }

  /** Stops after the fault under way, once every process it killed is back up. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.loops);
    await Promise.all(this.restarting.values());
  }

  private async loop(r: Rng, fault: () => Promise<void>): Promise<void> {
    while (!this.stopping) {
      await sleep(r.int(1000, 3500));
      if (this.stopping) return;
      await fault();
    }
  }

  private async infraFault(r: Rng): Promise<void> {
    const kind = r.pick(["kill-worker", "kill-worker", "kill-api", "kill-api", "kill-redis", "pg-terminate", "pg-terminate"] as const);
    const down = r.int(200, 2500);
    if (kind === "kill-worker" || kind === "kill-api") {
      // Only a process that is up, and never the last one of its kind up: the service stays
      // reachable while one instance is down, as behind a load balancer. Its restart runs in the
      // background (a loaded box can take many seconds to start a process), so faults keep coming.
      const kin = kind === "kill-worker" ? this.t.workers : this.t.apis;
      const up = kin.filter((x) => x.alive && !x.isStarting);
      if (up.length < 2) return;
      const slot = r.pick(up);
      this.count(kind);
      this.log(`SIGKILL ${slot.name}, down ${down} ms`);
      await slot.kill();
      const restart = sleep(down).then(() => slot.start()).then(() => {
        slot.restarts++;
        this.log(`${slot.name} back`);
      }).finally(() => this.restarting.delete(slot));
      this.restarting.set(slot, restart);
    } else if (kind === "kill-redis") {
      this.count(kind);
      this.log(`SIGKILL redis-server :${this.t.redis.port}, down ${down} ms`);
      await this.t.redis.kill();
      await sleep(down);
      await this.t.redis.start();
    } else {
      this.count(kind);
      const rounds = r.int(2, 5);
      this.log(`pg_terminate_backend on ${this.t.databaseName}, ${rounds} rounds`);
      const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
      await admin.connect();
      try {
        for (let i = 0; i < rounds; i++) {
          const { rows } = await admin.query<{ n: number }>(
            `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
            [this.t.databaseName],
          );
          this.terminatedConnections += rows[0]?.n ?? 0;
          await sleep(r.int(50, 400));
        }
      } finally {
        await admin.end();
      }
    }
  }

  /** The flaky gateway answers later than paygraph waits: captures, voids and refunds are done but their answers lost. */
  private async gatewayFault(r: Rng): Promise<void> {
    const ms = r.int(500, 2500);
    this.count("gateway-lost-answers");
    await control(this.t.flakyGateway, { latencyMs: 1500 });
    await sleep(ms);
    await control(this.t.flakyGateway, { latencyMs: 0 });
  }
}

export async function control(gateway: string, settings: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${gateway}/control`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(settings) });
  if (!response.ok) throw new Error(`PUT ${gateway}/control ${JSON.stringify(settings)}: ${response.status} ${await response.text()}`);
}
