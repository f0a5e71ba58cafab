#!/usr/bin/env -S node --max-old-space-size=160
// The `paygraph` command: start (api, worker or both), migrate, merchant create, sandbox.
import "reflect-metadata";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { loadConfig, type Config, type Role } from "./config.js";
import { createLogger } from "./platform/logger.js";
import { applyMigrations, ensureDatabase } from "./platform/migrate.js";
import { AppError } from "./platform/errors.js";
import { listeningUrl, notePublicUrl } from "./app/public-url.js";
import { createProcess, preflight } from "./app/process.js";
import { createHttpServer } from "./server/http.js";
import { loadTls } from "./server/tls.js";
import { startMetricsServer } from "./server/metrics-endpoint.js";
import { buildPaygraphSchema } from "./server/schema.js";
import { createMerchant, ensureDemoMerchant } from "./merchants/merchants.js";
import { insertOwner, prepareOwner, rethrowEmailTaken } from "./users/owner.js";
import { randomToken } from "./platform/ids.js";
import { startSandboxGateway } from "./gateways/sandbox/server.js";
import { startGatewayWorker } from "./worker/worker.js";
import { startWebhookWorker } from "./worker/webhook-worker.js";
import { startBatchWorker } from "./worker/batch-worker.js";
import { startAlertWorker } from "./worker/alert-worker.js";
import { startReconciler } from "./worker/reconciler.js";
import { startMaintenanceWorker } from "./worker/maintenance.js";
import { startAnalyticsFold } from "./analytics/fold.js";
import { rotateOAuthSigningKey } from "./auth/oauth/rotate-command.js";
import { runVaultCommand, VAULT_USAGE } from "./vault/cli.js";
import { createDb } from "./platform/db.js";
import { createRedis } from "./platform/redis.js";
import { surviveLostConnections } from "./platform/unavailable.js";
import { superviseRoles, type Listening, type RoleReady } from "./supervisor.js";
import cluster from "node:cluster";

/** How long SIGTERM/SIGINT waits for a graceful stop before the process exits anyway. */
const SHUTDOWN_DEADLINE_MS = 15_000;

const MIGRATIONS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../prisma/migrations");
const USAGE = `usage:
  paygraph start [--role all|api|worker]   (no --role: api and worker processes, every core) [--port N] [--host H] [--tls-cert PATH --tls-key PATH]
  paygraph migrate
  paygraph merchant create --name NAME [--admin] [--json] [--owner-email EMAIL --owner-password PASSWORD [--owner-name NAME]]
  paygraph oauth rotate-signing-key [--json]
${VAULT_USAGE}
  paygraph sandbox [--port N] [--control-port N] [--name NAME] [--latency-ms N] [--fail-rate P] [--timeout-rate P] [--currencies USD,EUR]`;

const say = (line: string): void => void process.stdout.write(`${line}\n`);
function fail(line: string): never {
  process.stderr.write(`paygraph: ${line}\n`);
  process.exit(1);
}

async function ready(config: Config): Promise<void> {
  const log = createLogger(config.logLevel);
  const problem = await preflight(config, log);
  if (problem) fail(problem);
  await ensureDatabase(config.databaseUrl);
  const applied = await applyMigrations(config.databaseUrl, MIGRATIONS);
  if (applied.length) log.info({ applied }, "migrations applied");
}

type StartFlags = { role?: string; port?: string; host?: string; "tls-cert"?: string; "tls-key"?: string };

async function start(flags: StartFlags): Promise<void> {
  // No --role: every role in processes of their own (src/supervisor.ts), so every core is used.
  const supervised = flags.role === undefined && cluster.isPrimary;
  const role = (flags.role ?? "all") as Role;
  if (!["all", "api", "worker"].includes(role)) fail(`--role must be all, api or worker, got '${role}'`);
  const port = flags.port === undefined ? undefined : Number(flags.port);
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) fail(`--port must be 0-65535, got '${flags.port}'`);
  let config = loadConfig({
    ...(port !== undefined ? { port } : {}), ...(flags.host ? { host: flags.host } : {}),
    ...(flags["tls-cert"] !== undefined ? { tlsCertFile: flags["tls-cert"] } : {}),
    ...(flags["tls-key"] !== undefined ? { tlsKeyFile: flags["tls-key"] } : {}),
  });
  // Read before connecting to anything, so bad TLS files fail fast; the worker role serves no HTTP.
  const tls = role !== "worker" && config.tlsCertFile && config.tlsKeyFile ? loadTls(config.tlsCertFile, config.tlsKeyFile) : undefined;
  const log = createLogger(config.logLevel);
  surviveLostConnections(log);
  // A process of a supervised group: the supervisor migrated, started the sandbox and prints for all.
  if (!cluster.isWorker) await ready(config);
  if (!cluster.isWorker && config.vaultKeyIsDevelopmentDefault) {
    log.warn("No vault key is configured: cards are encrypted under the built-in development key; set VAULT_KEYRING_FILE or VAULT_KEYS for real card data");
  }
  const closers: (() => Promise<void>)[] = [];
  if (!config.gatewayUrl) {
    if (role !== "all") fail(`GATEWAY_URL is required for --role ${role} (only a plain 'paygraph start' starts a local sandbox gateway)`);
    const sandbox = await startSandboxGateway({ port: 0, host: "127.0.0.1", name: "sandbox" });
    closers.push(() => sandbox.close());
    config = { ...config, gatewayUrl: sandbox.url };
  }
  if (supervised) {
    const group = await superviseRoles(config, log, flags, tls !== undefined);
    closers.unshift(() => group.stop());
    await announce(config, group.listening, tls !== undefined, "all");
  } else {
    const bound = await runRoles(config, role, tls, closers);
    if (cluster.isWorker) process.send?.({ kind: "listening", listening: bound ?? null } satisfies RoleReady);
    else if (bound !== undefined) await announce(config, bound, tls !== undefined, role);
    else say(`paygraph worker started (gateway ${config.gatewayUrl})`);
  }
  const shutdown = async (): Promise<void> => {
    // A graceful stop is bounded: a connection that never answers (a half-dead socket, a job that
    // does not end) must not keep a stopping process alive. What it leaves unfinished is finished
    // by others: the outbox poller, the reconciler, BullMQ's stalled-job check.
    // A supervisor waits a little longer than its processes, which stop on the same deadline.
    const deadline = supervised ? SHUTDOWN_DEADLINE_MS + 5_000 : SHUTDOWN_DEADLINE_MS;
    setTimeout(() => {
      log.warn({ afterMs: deadline }, "graceful shutdown did not finish in time; exiting");
      process.exit(1);
    }, deadline).unref();
    for (const close of closers) await close().catch(() => undefined);
    process.exit(0);
  };
  process.once("SIGINT", () => void shutdown());
  process.once("SIGTERM", () => void shutdown());
}

/** Starts `role` in this process; returns where it listens (undefined for a worker). */
async function runRoles(config: Config, role: Role, tls: ReturnType<typeof loadTls> | undefined, closers: (() => Promise<void>)[]): Promise<Listening | undefined> {
  const proc = createProcess(config, createLogger(config.logLevel));
  closers.unshift(() => proc.close());
  proc.app.relay.start(config.outboxPollMs);
  if (role !== "api") {
    const worker = startGatewayWorker(proc.app, createRedis(config, "gateway-worker", proc.app.log));
    const reconciler = startReconciler(proc.app);
    const maintenance = await startMaintenanceWorker(proc.app, createRedis(config, "maintenance-worker", proc.app.log));
    const fold = startAnalyticsFold(proc.app);
    const webhooks = startWebhookWorker(proc.app, createRedis(config, "webhook-worker", proc.app.log));
    const batches = startBatchWorker(proc.app, createRedis(config, "batch-worker", proc.app.log));
    const alerts = startAlertWorker(proc.app, createRedis(config, "alert-worker", proc.app.log));
    closers.unshift(async () => {
      reconciler.stop();
      await fold.stop();
      await Promise.all([worker.close(), maintenance.close(), webhooks.close(), batches.close(), alerts.close()]);
    });
  }
  if (role === "worker") return undefined;
  const http = await createHttpServer(proc.app, await buildPaygraphSchema(), tls);
  await http.listen({ port: config.port, host: config.host });
  closers.unshift(() => http.close());
  const bound = http.server.address();
  if (typeof bound === "object" && bound) await notePublicUrl(proc.app, listeningUrl(tls !== undefined, config.host, bound.port));
  // METRICS_PORT: /metrics on a port of its own (api processes of one group share it, like the main port).
  const metrics = config.metricsPort !== undefined ? await startMetricsServer(config) : undefined;
  if (metrics) closers.unshift(() => metrics.server.close());
  const address = http.server.address();
  return { port: typeof address === "object" && address ? address.port : config.port, metricsUrl: metrics?.url ?? null };
}

/** The one set of URLs a person reads, and the demo merchant on a fresh development database. */
async function announce(config: Config, at: Listening, tls: boolean, role: Role): Promise<void> {
  const base = config.publicUrl ?? `${tls ? "https" : "http"}://${config.host}:${at.port}`;
  // The demo's OWNER too, with a random password printed once, so the dashboard can be tried at once.
  // Its password is hashed before the transaction that writes merchant, key and owner together.
  let demo: { merchantId: string; secretKey: string } | undefined;
  const demoOwner = { email: "owner@demo.paygraph.test", password: randomToken(20) };
  // Never in production: config.ts refuses SEED_DEMO_MERCHANT=true there, and it defaults to false.
  if (config.seedDemoMerchant) {
    const { db, pool } = createDb(config.databaseUrl, 2, false);
    try {
      const prepared = (await db.merchant.count()) === 0 ? await prepareOwner(db, { ...demoOwner, name: "Demo owner" }) : undefined;
      demo = prepared ? await ensureDemoMerchant(db, (tx, merchantId) => insertOwner(tx, merchantId, prepared, "system:bootstrap")) : undefined;
    } finally {
      await db.$disconnect();
      await pool.end().catch(() => undefined);
    }
  }
  say([
    `paygraph ${role} listening on ${base}`,
    `  GraphQL        ${base}/graphql   (POST; subscriptions: ${base.replace(/^http/, "ws")}/graphql)`,
    `  Dashboard      ${base}/dashboard`,
    `  Playground     ${base}/graphiql`,
    `  Health         ${base}/healthz  ${base}/readyz${at.metricsUrl ? "" : `  ${base}/metrics`}`,
    ...(at.metricsUrl ? [`  Metrics        ${at.metricsUrl}`] : []),
    `  OAuth 2.0      ${base}/oauth/token   (metadata: ${base}/.well-known/oauth-authorization-server)`,
    `  Gateway        ${config.gatewayUrl} (sandbox)`,
    ...(demo ? [`  Demo merchant  ${demo.merchantId}`, `  Secret key     ${demo.secretKey}   (shown once; 'paygraph merchant create --name X' makes more)`] : []),
    ...(demo ? [`  Demo owner     ${demoOwner.email} / ${demoOwner.password}   (sign in at ${base}/dashboard; shown once)`] : []),
  ].join("\n"));
}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      role: { type: "string" }, port: { type: "string" }, host: { type: "string" }, name: { type: "string" },
      json: { type: "boolean" }, admin: { type: "boolean" }, "latency-ms": { type: "string" }, help: { type: "boolean" },
      "tls-cert": { type: "string" }, "tls-key": { type: "string" },
      "owner-email": { type: "string" }, "owner-password": { type: "string" }, "owner-name": { type: "string" },
      id: { type: "string" }, "no-rewrap": { type: "boolean" }, batch: { type: "string" },
      "fail-rate": { type: "string" }, "timeout-rate": { type: "string" }, currencies: { type: "string" }, "control-port": { type: "string" },
    },
  });
  const [command, sub] = positionals;
  if (values.help || !command) return say(USAGE);
  if (command === "start") return start(values);
  if (command === "migrate") {
    const config = loadConfig();
    await ready(config);
    return say("migrations are up to date");
  }
  if (command === "merchant" && sub === "create") {
    if (!values.name) fail("merchant create needs --name NAME");
    const config = loadConfig();
    await ready(config);
    const proc = createProcess(config, createLogger(config.logLevel));
    const role = values.admin ? "ADMIN" : "MERCHANT";
    // The first OWNER (nobody can invite the first user); checked before the merchant is written.
    const ownerEmail = values["owner-email"];
    const ownerPassword = values["owner-password"];
    if ((ownerEmail === undefined) !== (ownerPassword === undefined)) fail("--owner-email and --owner-password go together");
    const owner = ownerEmail !== undefined && ownerPassword !== undefined ? { email: ownerEmail, password: ownerPassword, name: values["owner-name"] } : undefined;
    const prepared = owner ? await prepareOwner(proc.app.db, owner).catch((err: unknown) => fail(err instanceof Error ? err.message : String(err))) : undefined;
    let user: { id: string; email: string } | undefined;
    const made = await createMerchant(proc.app.db, values.name, role, "cli", prepared ? async (tx, merchantId) => (user = await insertOwner(tx, merchantId, prepared)) : undefined)
      .catch(rethrowEmailTaken);
    const created = { ...made, role, ...(user ? { ownerUserId: user.id, ownerEmail: user.email } : {}) };
    say(values.json ? JSON.stringify(created)
      : `merchant ${created.merchantId}\nsecret key ${created.secretKey}${values.admin ? " (admin)" : ""}${user ? `\nowner ${user.email} (${user.id}): sign in with the signIn mutation` : ""}`);
    await proc.close();
    return;
  }
  if (command === "oauth" && sub === "rotate-signing-key") {
    const config = loadConfig();
    await ready(config);
    const proc = createProcess(config, createLogger(config.logLevel));
    const rotated = await rotateOAuthSigningKey(proc.app);
    say(values.json ? JSON.stringify(rotated) : `signing key ${rotated.kid} signs from now on; earlier keys stay published until their tokens expired`);
    await proc.close();
    return;
  }
  if (command === "vault") {
    const config = loadConfig();
    await ready(config);
    const { db, pool } = createDb(config.databaseUrl, 2, false);
    try {
      await runVaultCommand(sub, positionals[2], values, config, db, createLogger(config.logLevel), { say, fail });
    } finally {
      await db.$disconnect();
      await pool.end().catch(() => undefined);
    }
    return;
  }
  if (command === "sandbox") {
    const share = (flag: string, value: string | undefined): number => {
      const n = Number(value ?? 0);
      if (!(n >= 0 && n <= 1)) fail(`--${flag} must be a number from 0 to 1, got '${value}'`);
      return n;
    };
    const latencyMs = Number(values["latency-ms"] ?? 0);
    if (!Number.isInteger(latencyMs) || latencyMs < 0) fail(`--latency-ms must be a whole number of milliseconds, got '${values["latency-ms"]}'`);
    const currencies = values.currencies?.split(",").map((c) => c.trim().toUpperCase()).filter(Boolean);
    if (currencies?.some((c) => !/^[A-Z]{3}$/.test(c))) fail(`--currencies must be ISO 4217 codes such as USD,EUR, got '${values.currencies}'`);
    const controlPort = values["control-port"];
    if (controlPort !== undefined && !/^\d{1,5}$/.test(controlPort)) fail(`--control-port must be a port number, got '${controlPort}'`);
    const name = values.name ?? "sandbox";
    const sandbox = await startSandboxGateway({
      port: Number(values.port ?? 4100), host: values.host ?? "127.0.0.1", name, latencyMs,
      failRate: share("fail-rate", values["fail-rate"]), timeoutRate: share("timeout-rate", values["timeout-rate"]),
      ...(currencies?.length ? { currencies } : {}),
      ...(controlPort !== undefined ? { controlPort: Number(controlPort) } : {}),
    });
    return say(`sandbox gateway '${name}' listening on ${sandbox.url}${sandbox.controlUrl ? ` (control: ${sandbox.controlUrl})` : ""}`);
  }
  fail(`unknown command '${positionals.join(" ")}'\n${USAGE}`);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  fail(err instanceof AppError ? err.message : err instanceof Error ? err.message : String(err));
});
