// `paygraph start`: the api and worker roles, in this process (--role) or in processes of their own
// under a supervisor (no --role), with a local sandbox gateway when GATEWAY_URL is not set. The
// only command that loads the whole app (type-graphql's schema needs reflect-metadata first).
import "reflect-metadata";
import cluster from "node:cluster";
import { loadConfig, type Config, type Role } from "../config.js";
import { createLogger } from "../platform/logger.js";
import { listeningUrl, notePublicUrl } from "../app/public-url.js";
import { createProcess } from "../app/process.js";
import { createHttpServer } from "../server/http.js";
import { loadTls } from "../server/tls.js";
import { startMetricsServer } from "../server/metrics-endpoint.js";
import { buildPaygraphSchema } from "../server/schema.js";
import { ensureDemoMerchant } from "../merchants/merchants.js";
import { insertOwner, prepareOwner } from "../users/owner.js";
import { randomToken } from "../platform/ids.js";
import { startSandboxGateway } from "../gateways/sandbox/server.js";
import { startGatewayWorker } from "../worker/worker.js";
import { startWebhookWorker } from "../worker/webhook-worker.js";
import { startBatchWorker } from "../worker/batch-worker.js";
import { startAlertWorker } from "../worker/alert-worker.js";
import { startReconciler } from "../worker/reconciler.js";
import { startMaintenanceWorker } from "../worker/maintenance.js";
import { startAnalyticsFold } from "../analytics/fold.js";
import { createDb } from "../platform/db.js";
import { createRedis } from "../platform/redis.js";
import { surviveLostConnections } from "../platform/unavailable.js";
import { superviseRoles, type Listening, type RoleReady } from "./supervisor.js";
import { fail, say } from "./io.js";
import { ready } from "./ready.js";

/** How long SIGTERM/SIGINT waits for a graceful stop before the process exits anyway. */
const SHUTDOWN_DEADLINE_MS = 15_000;

export type StartFlags = { role?: string; port?: string; host?: string; "tls-cert"?: string; "tls-key"?: string };

export async function start(flags: StartFlags): Promise<void> {
  // No --role: every role in processes of their own (src/cli/supervisor.ts), so every core is used.
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
