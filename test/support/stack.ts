// Starts paygraph as real processes (the built dist/main.js) on a fresh PostgreSQL database and a
// fresh Redis key prefix, and talks to it only through HTTP and graphql-ws.
import { spawn, execFile, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { print } from "graphql";
import pg from "pg";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import { afterAll, beforeAll } from "vitest";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";

const ROOT = path.resolve(import.meta.dirname, "../..");
const MAIN = path.join(ROOT, "dist/main.js");
export const PG_ADMIN_URL = process.env.PG_ADMIN_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

export interface GqlResult<T> {
  data?: T | null;
  errors?: { message: string; extensions?: Record<string, unknown> & { code?: string } }[];
  status: number;
  headers: Headers;
}

export interface Role {
  proc: ChildProcess;
  url: string;
  output: string[];
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface Stack {
  databaseUrl: string;
  env: Record<string, string>;
  roles: Role[];
  /** Starts one more process of the stack (e.g. `--role worker`). */
  start(args: string[], env?: Record<string, string>): Promise<Role>;
  /** A merchant and its key, made by `paygraph merchant create` (`--admin` for an ADMIN key). */
  merchant(name?: string, opts?: { admin?: boolean }): Promise<{ merchantId: string; secretKey: string }>;
  close(): Promise<void>;
}

function waitForLine(proc: ChildProcess, output: string[], pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let buffer = "";
    const onData = (chunk: Buffer): void => {
      buffer += chunk.toString();
      const lines = buffer.split("\n");
      buffer = lines.pop() ?? "";
      for (const line of lines) {
        output.push(line);
        const match = pattern.exec(line);
        if (match) resolve(match);
      }
    };
    proc.stdout?.on("data", onData);
    proc.stderr?.on("data", (c: Buffer) => output.push(c.toString()));
    proc.once("exit", (code) => reject(new Error(`process exited (${code}) before '${pattern}':\n${output.join("\n")}`)));
  });
}

/**
 * A migrated database to copy: `paygraph_tpl_<hash of the migrations>`, made once per machine and
 * migration set (under an advisory lock, so parallel test files wait for the first), then every
 * stack's database is `CREATE DATABASE … TEMPLATE` it: a file-system copy instead of ~2 s of CPU
 * migrating each of some forty databases per run. Templates of older migration sets are dropped.
 */
let template: Promise<string> | undefined;
function migratedTemplate(): Promise<string> {
  template ??= (async () => {
    const dir = path.join(ROOT, "prisma/migrations");
    const hash = createHash("sha256");
    for (const entry of readdirSync(dir).sort()) {
      hash.update(entry);
      if (!entry.endsWith(".toml")) hash.update(readFileSync(path.join(dir, entry, "migration.sql")));
    }
    const name = `paygraph_tpl_${hash.digest("hex").slice(0, 16)}`;
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    try {
      await admin.query("SELECT pg_advisory_lock(727074)");
      const { rowCount } = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
      if (!rowCount) {
        const old = await admin.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'paygraph\\_tpl\\_%'");
        for (const { datname } of old.rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
        const building = `${name}_building`;
        await admin.query(`DROP DATABASE IF EXISTS "${building}" WITH (FORCE)`);
        await admin.query(`CREATE DATABASE "${building}"`);
        const url = new URL(PG_ADMIN_URL);
        url.pathname = `/${building}`;
        await promisify(execFile)(process.execPath, [MAIN, "migrate"], { env: { PATH: process.env.PATH ?? "", DATABASE_URL: url.toString(), LOG_LEVEL: "warn" } });
        // Renamed only once complete: a run killed mid-migration leaves no half-made template behind.
        await admin.query(`ALTER DATABASE "${building}" RENAME TO "${name}"`);
      }
    } finally {
      await admin.query("SELECT pg_advisory_unlock(727074)").catch(() => undefined);
      await admin.end();
    }
    return name;
  })();
  return template;
}

export async function createStack(env: Record<string, string> = {}): Promise<Stack> {
  const name = `paygraph_t_${randomBytes(5).toString("hex")}`;
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  {
    const copyOf = await migratedTemplate();
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${copyOf}"`);
    } finally {
      await admin.end();
    }
  }
  const baseEnv: Record<string, string> = {
    NODE_ENV: "test",
    DATABASE_URL: databaseUrl,
    REDIS_URL,
    REDIS_PREFIX: `t_${name}`,
    RETRY_BASE_MS: "50",
    JOB_LOCK_MS: "3000",
    OUTBOX_POLL_MS: "200",
    SEED_DEMO_MERCHANT: "false",
    // Deterministic routing unless a test is about exploration.
    ROUTING_EXPLORATION_PCT: "0",
    // Tests steer routing call by call; the bench and production reuse a read for a second.
    ROUTING_STATS_CACHE_MS: "0",
    LOG_LEVEL: "warn",
    ...env,
  };
  const roles: Role[] = [];
  const start = async (args: string[], extra: Record<string, string> = {}): Promise<Role> => {
    const proc = spawn(process.execPath, [MAIN, ...args], { env: { PATH: process.env.PATH ?? "", ...baseEnv, ...extra }, stdio: ["ignore", "pipe", "pipe"] });
    const output: string[] = [];
    const match = await waitForLine(proc, output, /listening on (https?:\/\/\S+)|worker started/);
    const role: Role = {
      proc,
      url: match[1] ?? "",
      output,
      stop: async (signal = "SIGTERM") => {
        if (proc.exitCode !== null || proc.signalCode !== null) return;
        const exited = new Promise((r) => proc.once("exit", r));
        proc.kill(signal);
        await exited;
      },
    };
    roles.push(role);
    return role;
  };
  return {
    databaseUrl,
    env: baseEnv,
    roles,
    start,
    merchant: async (merchantName = "Test merchant", opts = {}) => {
      const args = [MAIN, "merchant", "create", "--name", merchantName, "--json", ...(opts.admin ? ["--admin"] : [])];
      const { stdout } = await promisify(execFile)(process.execPath, args, {
        env: { PATH: process.env.PATH ?? "", ...baseEnv },
      });
      return JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as { merchantId: string; secretKey: string };
    },
    close: async () => {
      await Promise.all(roles.map((r) => r.stop()));
      const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    },
  };
}

/** One GraphQL request over HTTP, typed by the codegen'd document. */
export async function gql<TData, TVars>(
  url: string, doc: TypedDocumentNode<TData, TVars> | string, variables?: TVars, opts: { key?: string; headers?: Record<string, string> } = {},
): Promise<GqlResult<TData>> {
  const response = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(opts.key ? { authorization: `Bearer ${opts.key}` } : {}), ...opts.headers },
    body: JSON.stringify({ query: typeof doc === "string" ? doc : print(doc), variables }),
  });
  const body = (await response.json()) as Omit<GqlResult<TData>, "status" | "headers">;
  return { ...body, status: response.status, headers: response.headers };
}

/** The data of a successful result; fails the test with the errors otherwise. */
export function ok<T>(result: GqlResult<T>): T {
  if (result.errors?.length || !result.data) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
  return result.data;
}

export function errorCode(result: GqlResult<unknown>): string | undefined {
  return result.errors?.[0]?.extensions?.code;
}

export function wsClient(url: string, key: string | undefined): Client {
  return createClient({
    url: `${url.replace(/^http/, "ws")}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: key ? { Authorization: `Bearer ${key}` } : {},
    retryAttempts: 0,
  });
}

/** Subscribes and collects every event; `until` resolves once an event satisfies the predicate. */
export function subscribe<TData, TVars>(client: Client, doc: TypedDocumentNode<TData, TVars> | string, variables: TVars) {
  const events: TData[] = [];
  const errors: unknown[] = [];
  const waiters: { pred: (e: TData) => boolean; resolve: (e: TData) => void }[] = [];
  const dispose = client.subscribe<TData>(
    { query: typeof doc === "string" ? doc : print(doc), variables: variables as Record<string, unknown> },
    {
      next: (value) => {
        if (value.errors) errors.push(...value.errors);
        if (!value.data) return;
        const data = value.data as TData;
        events.push(data);
        for (const w of [...waiters]) if (w.pred(data)) { w.resolve(data); waiters.splice(waiters.indexOf(w), 1); }
      },
      error: (err) => errors.push(err),
      complete: () => undefined,
    },
  );
  return {
    events,
    errors,
    dispose,
    until: (pred: (e: TData) => boolean): Promise<TData> => {
      const found = events.find(pred);
      return found ? Promise.resolve(found) : new Promise((resolve) => waiters.push({ pred, resolve }));
    },
  };
}

/** Polls a query until `done` holds (the worker runs asynchronously); no timing is asserted. */
export async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms; last value: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const TEST_CARDS = {
  approve: "4242424242424242",
  hardDecline: "4000000000000002",
  softDecline: "4000000000009995",
  processingError: "4000000000000119",
  threeDS: "4000000000003220",
} as const;

export const card = (number: string) => ({ number, expMonth: 12, expYear: new Date().getUTCFullYear() + 3, cvc: "123" });

/**
 * The common setup of an integration file: one `start --role all` process on a fresh database and
 * one merchant, created before the file's tests and torn down after. Read `url`/`key` inside tests.
 */
export function useServer(env: Record<string, string> = {}): { stack: Stack; url: string; key: string; merchantId: string } {
  const server = {} as { stack: Stack; url: string; key: string; merchantId: string };
  beforeAll(async () => {
    server.stack = await createStack(env);
    server.url = (await server.stack.start(["start", "--role", "all", "--port", "0"])).url;
    ({ secretKey: server.key, merchantId: server.merchantId } = await server.stack.merchant());
  });
  afterAll(async () => server.stack?.close());
  return server;
}

export interface LedgerEntry {
  idempotencyKey: string; reference: string; status: string; amount: string; amountCaptured: string; amountRefunded: string;
  refunds: { idempotencyKey: string; amount: string }[];
}

/** A sandbox gateway's own record of every charge it made: the witness that nothing was charged twice. */
export async function ledger(gatewayUrl: string): Promise<LedgerEntry[]> {
  return ((await (await fetch(`${gatewayUrl}/ledger`)).json()) as { charges: LedgerEntry[] }).charges;
}
