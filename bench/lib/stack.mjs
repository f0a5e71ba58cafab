// paygraph as the bench runs it: a fresh database, a sandbox gateway, one api process and one
// separate worker process (so both cores can be used), and a merchant whose secret key the load
// uses. Everything is torn down again (processes stopped, database dropped, Redis keys deleted).
import { randomBytes } from "node:crypto";
import path from "node:path";
import { Redis } from "ioredis";
import { createDatabase, dbUrl, dropDatabase } from "./db.mjs";
import { run, startNode } from "./procs.mjs";

const LISTENING = /listening on (http:\/\/\S+)/;

export class Stack {
  constructor({ root, runId, profileDir }) {
    this.root = root;
    this.runId = runId;
    this.dbName = `paygraph_bench_${runId}`;
    this.profileDir = profileDir;
    this.main = path.join(root, "dist", "main.js");
    this.env = {
      DATABASE_URL: dbUrl(this.dbName),
      REDIS_PREFIX: `bench_${runId}`,
      NODE_ENV: "production",
      VAULT_KEY: randomBytes(32).toString("base64"),
      SEED_DEMO_MERCHANT: "false",
      LOG_LEVEL: "warn",
    };
    this.procs = {};
    this.profiles = [];
  }

  async start({ profile = false } = {}) {
    await createDatabase(this.dbName);
    this.dbCreated = true;
    this.procs.sandbox = await startNode("sandbox", [this.main, "sandbox", "--port", "0"], { cwd: this.root, ready: LISTENING });
    this.env.GATEWAY_URL = this.procs.sandbox.readyMatch[1];
    // Migrates the fresh database, then prints {"merchantId", "secretKey"} on one line.
    const made = await run(process.execPath, [this.main, "merchant", "create", "--name", "bench", "--json"], { cwd: this.root, env: this.env });
    const line = made.stdout.trim().split("\n").find((l) => l.startsWith("{"));
    if (made.code !== 0 || !line) throw new Error(`merchant create failed (${made.code}): ${made.stderr || made.stdout}`);
    this.secretKey = JSON.parse(line).secretKey;
    await this.startRoles({ profile });
  }

  /** Starts (or restarts) the api and worker processes, optionally under `node --cpu-prof`. */
  async startRoles({ profile = false } = {}) {
    const flags = (role) => (profile ? ["--cpu-prof", `--cpu-prof-dir=${this.profileDir}`, `--cpu-prof-name=${role}-${this.runId}.cpuprofile`] : []);
    if (profile) this.profiles = ["api", "worker"].map((role) => ({ role, file: path.join(this.profileDir, `${role}-${this.runId}.cpuprofile`) }));
    const [api, worker] = await Promise.all([
      startNode("api", [...flags("api"), this.main, "start", "--role", "api", "--port", "0"], { cwd: this.root, env: this.env, ready: LISTENING }),
      startNode("worker", [...flags("worker"), this.main, "start", "--role", "worker"], { cwd: this.root, env: this.env, ready: /worker started/ }),
    ]);
    Object.assign(this.procs, { api, worker });
    this.httpUrl = `${api.readyMatch[1]}/graphql`;
    this.wsUrl = this.httpUrl.replace(/^http/, "ws");
  }

  /** Stops api and worker (SIGTERM: a profiled process writes its .cpuprofile on the way out). */
  async stopRoles() {
    await Promise.all([this.procs.api?.stop(), this.procs.worker?.stop()]);
  }

  problems() {
    return Object.fromEntries(Object.entries(this.procs).map(([name, p]) => [name, { count: p.problemCount, first: p.problems }]));
  }

  async stop({ keepDb = false } = {}) {
    await Promise.all(Object.values(this.procs).map((p) => p.stop().catch(() => undefined)));
    const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      let cursor = "0";
      do {
        const [next, keys] = await redis.scan(cursor, "MATCH", `${this.env.REDIS_PREFIX}:*`, "COUNT", 1000);
        if (keys.length) await redis.del(...keys);
        cursor = next;
      } while (cursor !== "0");
    } finally {
      redis.disconnect();
    }
    if (this.dbCreated && !keepDb) await dropDatabase(this.dbName);
  }
}
