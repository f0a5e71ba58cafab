// paygraph as the bench runs it: a fresh database, a sandbox gateway, one api process and one
// separate worker process (so both cores can be used), and a merchant whose secret key the load
// uses. Everything is torn down again (processes stopped, database dropped, Redis keys deleted).
// With `ownRedis` the stack starts a redis-server of its own (redis-stats.mjs) and points every
// process at it, so INFO commandstats counts only this run's commands; it is stopped at the end.
// More merchants and more sandbox gateways (the orchestration bench's gw-a, gw-b, gw-c) can be
// added to a running stack; they are stopped with it.
// By default the processes run a snapshot of dist/ (copied to bench/results/), so that a rebuild by
// someone else during the run cannot swap the code under the bench; node_modules still resolves
// from the project root, two levels up.
import { randomBytes } from "node:crypto";
import { cpSync, existsSync, mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { Redis } from "ioredis";
import { createDatabase, dbUrl, dropDatabase } from "./db.mjs";
import { run, startNode } from "./procs.mjs";
import { startRedisServer } from "./redis-stats.mjs";

const LISTENING = /listening on (http:\/\/\S+)/;

export class Stack {
  constructor({ root, runId, profileDir, nodeFlags = [], snapshot = true, env = {}, ownRedis = false, apiPort = 0 }) {
    this.ownRedis = ownRedis;
    this.apiPort = apiPort; // fixed when the bench must know it up front (PUBLIC_URL)
    this.nodeFlags = nodeFlags; // extra node flags for api and worker, e.g. --max-semi-space-size=32
    this.root = root;
    this.runId = runId;
    this.dbName = `paygraph_bench_${runId}`;
    this.scratchDbName = `${this.dbName}_pgbench`;
    this.profileDir = profileDir;
    this.snapshotDir = snapshot ? path.join(root, "bench", "results", `dist-${runId}`) : undefined;
    this.main = path.join(this.snapshotDir ?? root, "dist", "main.js");
    this.env = {
      DATABASE_URL: dbUrl(this.dbName),
      REDIS_PREFIX: `bench_${runId}`,
      NODE_ENV: "production",
      VAULT_KEYS: `bench:${randomBytes(32).toString("base64")}`, // production mode refuses the development key
      SEED_DEMO_MERCHANT: "false",
      LOG_LEVEL: "warn",
      ...env, // e.g. ROUTING_EXPLORATION_PCT, RETRY_BASE_MS
    };
    this.procs = {};
    this.profiles = [];
  }

  async start({ profile = false } = {}) {
    if (!existsSync(path.join(this.root, "dist", "main.js"))) throw new Error("dist/main.js is missing: run `npm run build` first");
    if (this.snapshotDir) {
      mkdirSync(path.join(this.snapshotDir, "prisma"), { recursive: true });
      cpSync(path.join(this.root, "dist"), path.join(this.snapshotDir, "dist"), { recursive: true });
      cpSync(path.join(this.root, "prisma", "migrations"), path.join(this.snapshotDir, "prisma", "migrations"), { recursive: true });
      cpSync(path.join(this.root, "package.json"), path.join(this.snapshotDir, "package.json"));
    }
    if (this.ownRedis) {
      this.redis = await startRedisServer();
      this.env.REDIS_URL = this.redis.url;
    }
    await createDatabase(this.dbName);
    this.dbCreated = true;
    this.env.GATEWAY_URL = await this.startSandbox("sandbox");
    // The bench merchant has an OWNER user too (bench/auth.mjs reads with a user session).
    this.owner = { email: `owner-${this.runId}@bench.paygraph.test`, password: `bench-${randomBytes(12).toString("hex")}` };
    const merchant = await this.createMerchant("bench", this.owner);
    this.merchantId = merchant.merchantId;
    this.secretKey = merchant.secretKey;
    await this.startRoles({ profile });
  }

  /** A `paygraph sandbox` process named `name` (extra CLI flags in `args`), stopped with the stack; resolves with its URL. */
  async startSandbox(name, args = []) {
    if (this.procs[name]) throw new Error(`a process named ${name} runs already`);
    this.procs[name] = startNode(name, [this.main, "sandbox", "--port", "0", "--name", name, ...args], { cwd: this.root });
    return (await this.procs[name].waitFor(LISTENING))[1];
  }

  /**
   * `merchant create --json` (the first call also migrates the fresh database): { merchantId, secretKey, role },
   * and `ownerUserId` when `owner` ({ email, password }) asks for an OWNER user too.
   */
  async createMerchant(name, owner) {
    const ownerArgs = owner ? ["--owner-email", owner.email, "--owner-password", owner.password] : [];
    const made = await run(process.execPath, [this.main, "merchant", "create", "--name", name, "--json", ...ownerArgs], { cwd: this.root, env: this.env });
    const line = made.stdout.trim().split("\n").find((l) => l.startsWith("{"));
    if (made.code !== 0 || !line) throw new Error(`merchant create failed (${made.code}): ${made.stderr || made.stdout}`);
    return JSON.parse(line);
  }

  /**
   * Runs `fn(httpUrl)` against an extra api process in test mode on the same database, Redis
   * prefix and vault key, then stops it. For setup that production mode refuses on purpose:
   * SANDBOX gateway accounts can only be connected in test mode, yet the measured api and worker
   * run as production does (they use the accounts, which are sealed with the shared vault key).
   */
  async withTestModeApi(fn) {
    const api = startNode("setup-api", [this.main, "start", "--role", "api", "--port", "0"], { cwd: this.root, env: { ...this.env, NODE_ENV: "test" } });
    try {
      return await fn(`${(await api.waitFor(LISTENING))[1]}/graphql`);
    } finally {
      await api.stop();
    }
  }

  /** Starts (or restarts) the api and worker processes, optionally under `node --cpu-prof`. */
  async startRoles({ profile = false } = {}) {
    const flags = (role) => [...this.nodeFlags, ...(profile ? ["--cpu-prof", `--cpu-prof-dir=${this.profileDir}`, `--cpu-prof-name=${role}-${this.runId}.cpuprofile`] : [])];
    if (profile) this.profiles = ["api", "worker"].map((role) => ({ role, file: path.join(this.profileDir, `${role}-${this.runId}.cpuprofile`) }));
    // Registered before they are ready, so that a failed start still stops both.
    const api = (this.procs.api = startNode("api", [...flags("api"), this.main, "start", "--role", "api", "--port", String(this.apiPort)], { cwd: this.root, env: this.env }));
    const worker = (this.procs.worker = startNode("worker", [...flags("worker"), this.main, "start", "--role", "worker"], { cwd: this.root, env: this.env }));
    const [listening] = await Promise.all([api.waitFor(LISTENING), worker.waitFor(/worker started/)]);
    this.httpUrl = `${listening[1]}/graphql`;
    this.wsUrl = this.httpUrl.replace(/^http/, "ws");
  }

  /** Stops api and worker (SIGTERM: a profiled process writes its .cpuprofile on the way out). */
  async stopRoles() {
    await Promise.all([this.procs.api?.stop(), this.procs.worker?.stop()]);
  }

  problems() {
    return Object.fromEntries(Object.entries(this.procs).map(([name, p]) => [name, { count: p.problemCount, first: p.problems }]));
  }

  /** Each step runs even if an earlier one failed; the first failure is rethrown at the end. */
  async stop({ keepDb = false } = {}) {
    const failures = [];
    const step = async (fn) => {
      try {
        await fn();
      } catch (err) {
        failures.push(err);
      }
    };
    await step(() => Promise.all(Object.values(this.procs).map((p) => p.stop())));
    if (this.redis) await step(() => this.redis.stop()); // nothing persisted: its keys go with it
    else await step(() => deleteRedisKeys(`${this.env.REDIS_PREFIX}:*`));
    if (this.dbCreated && !keepDb) await step(() => dropDatabase(this.dbName));
    await step(() => dropDatabase(this.scratchDbName)); // the pgbench ceiling's, if a run was interrupted in it
    if (this.snapshotDir) await step(() => rmSync(this.snapshotDir, { recursive: true, force: true }));
    if (failures.length) throw failures[0];
  }
}

async function deleteRedisKeys(pattern) {
  const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}
