// The one place that reads the environment. Everything else receives a Config.
// Defaults run on a developer machine with local PostgreSQL and Redis and no further setup.
import { createHash, hkdfSync } from "node:crypto";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseKeysEnv } from "./vault/keyring.js";
import type { KeyringSource } from "./vault/provider.js";

export type Role = "all" | "api" | "worker";

/**
 * Where the worker's exchange-rate refresh reads `{ base, asOf, rates }` (src/fx/provider.ts):
 * the sandbox gateway's GET /rates (at gatewayUrl, known only once the process runs), a JSON
 * file, or an http(s) URL.
 */
export type FxSource = { kind: "sandbox" } | { kind: "file"; path: string } | { kind: "url"; url: string };

export interface GraphqlLimits {
  maxDepth: number;
  maxAliases: number;
  /** graphql-armor's cost: 2 per object field, 1 per scalar field, times 1.5 per level of depth. */
  maxCost: number;
  maxTokens: number;
  maxDirectives: number;
}

export interface RedisSentinel {
  sentinels: { host: string; port: number }[];
  /** The master group's name, as the sentinels know it. */
  name: string;
}

export interface Config {
  env: "development" | "test" | "production";
  databaseUrl: string;
  redisUrl: string;
  /**
   * Redis Sentinel (REDIS_SENTINELS=host:port,…, REDIS_SENTINEL_NAME): when set, every connection asks
   * the sentinels for the master of this group instead of dialling REDIS_URL (whose password and db
   * number still apply).
   */
  redisSentinel: RedisSentinel | undefined;
  /** Prefix of every Redis key and channel, so several instances (or test runs) share one Redis. */
  redisPrefix: string;
  host: string;
  port: number;
  /** Public base URL printed for humans; derived from host/port when not set. */
  publicUrl: string | undefined;
  /**
   * Proxies (addresses, CIDRs, or `loopback`/`linklocal`/`uniquelocal`) whose X-Forwarded-For is
   * believed when telling a client's address (per-IP limits, sign-in throttle); empty: the socket's peer.
   */
  trustProxy: string[];
  /** PEM certificate and key files: both set, the api serves HTTPS/WSS only (TLS 1.3 minimum); neither, plain HTTP. */
  tlsCertFile: string | undefined;
  tlsKeyFile: string | undefined;
  logLevel: string;
  /** Where the vault's key-encryption keys come from: VAULT_KEYRING_FILE, VAULT_KEYS, or one derived from VAULT_KEY / the development key. */
  vaultKeyring: KeyringSource;
  /** The pre-envelope VAULT_KEY (and its id, as stored in old rows' key_id): reads rows sealed before data keys, until `paygraph vault rewrap` migrates them. */
  vaultLegacyKey: Buffer | undefined;
  vaultLegacyKeyId: string | undefined;
  /** True when no vault key was configured and the fixed development key is in use (never in production). */
  vaultKeyIsDevelopmentDefault: boolean;
  /** A merchant's current data key is replaced after this many cards/secrets or this age. */
  vaultDekMaxUses: number;
  vaultDekMaxAgeMs: number;
  /** Unwrapped data keys stay in memory this long (and at most this many), so a charge does not call the KeyProvider. */
  vaultDekCacheMs: number;
  vaultDekCacheSize: number;
  /** How often a process checks the key file for a rotation (an unknown KEK id also re-reads it at once). */
  vaultKeyringReloadMs: number;
  /** URL of the gateway the worker calls; unset: role `all` starts a local sandbox gateway. */
  gatewayUrl: string | undefined;
  gatewayTimeoutMs: number;
  /** Transient gateway errors are retried this many times with exponential backoff from retryBaseMs. */
  gatewayRetries: number;
  retryBaseMs: number;
  /** Ceiling of one backoff delay between retries of a transient gateway error. */
  retryCapMs: number;
  /** Success-rate window the route planner ranks gateways by, sliding in `routingBuckets` steps. */
  routingWindowMs: number;
  routingBuckets: number;
  /** How long a process reuses its read of the window and breakers when routing (0: read every time). */
  routingStatsCacheMs: number;
  /** Share (0..1) of first attempts routed to another gateway than the best, so a recovered one is noticed. */
  routingExploration: number;
  /** Consecutive failed calls (no usable answer) that open a gateway account's circuit breaker. */
  breakerFailures: number;
  /** How long an open breaker skips its gateway before letting one probe through. */
  breakerOpenMs: number;
  /** After this many failed confirmations a payment can no longer succeed: FAILED. */
  maxFailedAttempts: number;
  /** BullMQ job lock; a worker that dies loses its jobs to another worker after about this long. */
  jobLockMs: number;
  workerConcurrency: number;
  /** `paygraph start` without --role: how many api processes it runs beside its one worker (default: cores − 1, at least 1). */
  apiProcesses: number;
  /** PENDING attempts/refunds untouched this long are re-queued by the reconciler (worker role). */
  reconcileAfterMs: number;
  reconcileEveryMs: number;
  /** A payment held for review this long is cancelled (RISK_REVIEW_TIMEOUT_HOURS, may be fractional). */
  riskReviewTimeoutMs: number;
  /** A 3-D Secure challenge still open this long is abandoned: the payment goes back to REQUIRES_PAYMENT_METHOD. */
  threeDSTimeoutMs: number;
  outboxPollMs: number;
  /** How often the worker folds analytics deltas into the rollups (and tells subscribers what changed). */
  analyticsFoldMs: number;
  /** How often the worker seals new audit records into each merchant's hash chain (src/audit/chainer.ts). */
  auditChainMs: number;
  dbPoolSize: number;
  /** How long a verified API key is trusted without a database lookup (0: always look up). */
  authCacheMs: number;
  /** Requests (HTTP operations and subscriptions) per second and per API key; 0: no limit. A key's `rate_limit_per_second` overrides it. */
  rateLimitPerSecond: number;
  /** Requests per second from one IP address to POST /oauth/token, and to /graphql without a valid credential; 0: no limit. */
  rateLimitPerIpPerSecond: number;
  /** The `aud` of issued OAuth access tokens and the one /graphql accepts; undefined: `<issuer>/graphql`. */
  oauthAudience: string | undefined;
  /** Lifetime of an OAuth access token. */
  oauthTokenTtlSeconds: number;
  /** How long one signing key signs access tokens before a new one replaces it. */
  oauthSigningKeyRotateSeconds: number;
  /** Schema introspection (GraphiQL needs it): on by default outside production. */
  graphqlIntrospection: boolean;
  /** GraphQL's "Did you mean …?" hints in error messages: outside production only (they map the schema for a prober). */
  graphqlSuggestions: boolean;
  /** Query shape limits, checked before execution; a violation is QUERY_TOO_COMPLEX. */
  graphqlLimits: GraphqlLimits;
  /** Adds `x-sql-queries` to responses (query count per request): development and tests only. */
  exposeQueryCount: boolean;
  /** Create (and print) the demo merchant on an empty database at start: outside production only. */
  seedDemoMerchant: boolean;
  /** Serve /metrics on this port of `host` (0: a free port chosen at start), and not on the api's port; undefined: on the api's port. */
  metricsPort: number | undefined;
  /** When set, /metrics answers only `Authorization: Bearer <this>` (401 otherwise). */
  metricsToken: string | undefined;
  /** Exchange-rate source; undefined (production without FX_SOURCE): rates only come from admins. */
  fxSource: FxSource | undefined;
  /** How often the worker refreshes exchange rates (it also does at start). */
  fxRefreshEveryMs: number;
  /** How long a card token (`tok_…`, POST /v1/tokens) can be used, in seconds. */
  cardTokenTtlSeconds: number;
  /** Merchant users (src/users): a session's lifetime, an invitation's, and the sign-in throttle. */
  userSessionTtlSeconds: number;
  userInvitationTtlSeconds: number;
  /** Failed sign-ins allowed per email per 15 minutes, and per client IP per hour, before RATE_LIMITED. */
  signInFailuresPerEmail: number;
  signInFailuresPerIp: number;
  /** Live subscriptions one graphql-ws socket may hold; past it a subscribe is TOO_MANY_SUBSCRIPTIONS. */
  subscriptionsPerSocket: number;
  /** Live subscriptions one credential may hold across the sockets of one api process. */
  subscriptionsPerCredential: number;
  /** Bytes a socket may leave unsent (its client not reading) before it is closed with 1013 "try again later". */
  subscriptionSocketBufferBytes: number;
  /** Waits before each retry of a failed webhook delivery (the first try is immediate); WEBHOOK_RETRY_SCHEDULE. */
  webhookRetrySchedule: number[];
  /** One delivery's whole budget: connect, send, and the receiver's answer. */
  webhookTimeoutMs: number;
  /** An endpoint whose deliveries have all failed for this long is disabled. */
  webhookDisableAfterMs: number;
  /** Deliver to loopback, private, link-local, CGNAT and metadata addresses (never in production by default). */
  webhookAllowPrivateNetworks: boolean;
  /** Deliveries in flight per worker process; requests unanswered for a second one endpoint may hold (src/webhooks/delivery.ts). */
  webhookConcurrency: number;
  webhookEndpointConcurrency: number;
  /** How often the worker evaluates the alert rules (src/alerts/evaluator.ts); ALERT_EVALUATE_EVERY_MS. */
  alertEvaluateEveryMs: number;
  /** How long a firing alert's condition must stay clear (inside its hysteresis band) before it resolves; ALERT_RESOLVE_AFTER. */
  alertResolveAfterMs: number;
  /** Where email alerts are sent from: an smtp:// or smtps:// URL (nodemailer); unset, EMAIL channels are refused. */
  smtpUrl: string | undefined;
  smtpFrom: string;
}

function int(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${value}"`);
  return n;
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `500ms`, `5s`, `30m`, `2h`, `5d`: a whole number and a unit. */
export function duration(value: string, name: string): number {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(value.trim());
  if (!match) throw new Error(`${name}: '${value}' is not a duration such as 500ms, 5s, 30m, 2h or 5d`);
  return Number(match[1]) * (DURATION_UNITS[match[2] as string] as number);
}

/** The Standard Webhooks schedule after the immediate first try: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h (about 75.6 h in all). */
const WEBHOOK_RETRY_SCHEDULE = "5s,5m,30m,2h,5h,10h,14h,20h,24h";

export function retrySchedule(value: string | undefined): number[] {
  const list = (value || WEBHOOK_RETRY_SCHEDULE).split(",").map((d) => duration(d, "WEBHOOK_RETRY_SCHEDULE"));
  if (list.length > 50) throw new Error("WEBHOOK_RETRY_SCHEDULE: at most 50 retries");
  return list;
}

/** A positive number of hours (fractions allowed: tests use seconds' worth), in milliseconds. */
function hours(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === "") return fallback * 3_600_000;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number of hours, got '${value}'`);
  return Math.round(n * 3_600_000);
}

function bool(value: string | undefined, fallback: boolean, name: string): boolean {
  if (value === undefined || value === "") return fallback;
  if (value === "true" || value === "1") return true;
  if (value === "false" || value === "0") return false;
  throw new Error(`${name} must be true or false, got "${value}"`);
}

// A fixed development key, so a restarted dev server can still read the cards it vaulted.
const DEVELOPMENT_VAULT_KEY = createHash("sha256").update("paygraph-development-vault-key").digest();
const legacyKeyId = (key: Buffer): string => createHash("sha256").update(key).digest("hex").slice(0, 12);
/** The KEK a lone VAULT_KEY (or the development key) stands for: an HKDF subkey, never the key itself. */
const derivedKek = (key: Buffer): Buffer => Buffer.from(hkdfSync("sha256", key, Buffer.alloc(0), "paygraph/vault/kek", 32));
/** Production refuses a keyring holding this. */
export const developmentKek = (): Buffer => derivedKek(DEVELOPMENT_VAULT_KEY);

/**
 * VAULT_KEYRING_FILE or VAULT_KEYS name the KEKs. VAULT_KEY (the pre-envelope single key) stays
 * the reader of rows sealed before data keys existed; alone, it also stands for one KEK derived
 * from it, so an existing deployment keeps running with no new setting.
 */
function vaultKeysFrom(source: NodeJS.ProcessEnv, env: Config["env"]): Pick<Config, "vaultKeyring" | "vaultLegacyKey" | "vaultLegacyKeyId" | "vaultKeyIsDevelopmentDefault"> {
  let legacy: Buffer | undefined;
  if (source.VAULT_KEY) {
    legacy = Buffer.from(source.VAULT_KEY, "base64");
    if (legacy.length !== 32) throw new Error("VAULT_KEY must be 32 bytes, base64-encoded");
  }
  if (source.VAULT_KEYRING_FILE && source.VAULT_KEYS) throw new Error("Set VAULT_KEYRING_FILE or VAULT_KEYS, not both");
  const development = !legacy && !source.VAULT_KEYRING_FILE && !source.VAULT_KEYS;
  if (development && env === "production") throw new Error("VAULT_KEYRING_FILE or VAULT_KEYS is required in production");
  if (development) legacy = DEVELOPMENT_VAULT_KEY;
  let vaultKeyring: KeyringSource;
  if (source.VAULT_KEYRING_FILE) {
    vaultKeyring = { kind: "file", path: path.resolve(source.VAULT_KEYRING_FILE) };
  } else if (source.VAULT_KEYS) {
    vaultKeyring = { kind: "static", keyring: parseKeysEnv(source.VAULT_KEYS), description: "VAULT_KEYS" };
  } else {
    const id = development ? "dev" : `vk-${legacyKeyId(legacy!)}`;
    vaultKeyring = { kind: "static", keyring: { active: id, keys: new Map([[id, derivedKek(legacy!)]]), retired: new Set() }, description: development ? "the development key" : "VAULT_KEY" };
  }
  return { vaultKeyring, vaultLegacyKey: legacy, vaultLegacyKeyId: legacy && legacyKeyId(legacy), vaultKeyIsDevelopmentDefault: development };
}

/**
 * REDIS_SENTINELS (`host:port,host:port`, port 26379 when left out; IPv6 as `[::1]:26379`) and
 * REDIS_SENTINEL_NAME: both or neither.
 */
export function redisSentinelFrom(sentinels: string | undefined, name: string | undefined): RedisSentinel | undefined {
  const list = (sentinels ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  const group = name?.trim();
  if (list.length === 0 && !group) return undefined;
  if (list.length === 0) throw new Error("REDIS_SENTINEL_NAME is set but REDIS_SENTINELS is not: give the sentinels as host:port,host:port");
  if (!group) throw new Error("REDIS_SENTINELS is set but REDIS_SENTINEL_NAME is not: give the master group's name");
  return {
    name: group,
    sentinels: list.map((entry) => {
      const match = /^(?:\[([^\]]+)\]|([^:\[\]]+))(?::(\d+))?$/.exec(entry);
      const port = match?.[3] === undefined ? 26379 : Number(match[3]);
      if (!match || !Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`REDIS_SENTINELS: '${entry}' is not host:port`);
      return { host: match[1] ?? match[2] ?? "", port };
    }),
  };
}

/** FX_SOURCE: `sandbox` (default outside production), `file:<path>` or an http(s) URL. */
export function fxSourceFrom(value: string | undefined, env: Config["env"]): FxSource | undefined {
  const given = value?.trim();
  if (!given) return env === "production" ? undefined : { kind: "sandbox" };
  if (given === "sandbox") {
    if (env === "production") throw new Error("FX_SOURCE=sandbox is a test tool: set FX_SOURCE to a file: path or an https URL in production");
    return { kind: "sandbox" };
  }
  if (given.startsWith("file:")) {
    const file = given.startsWith("file://") ? fileURLToPath(given) : given.slice("file:".length);
    if (!file) throw new Error(`FX_SOURCE must name a file after 'file:', got "${given}"`);
    return { kind: "file", path: path.resolve(file) };
  }
  let url: URL | undefined;
  try {
    url = new URL(given);
  } catch {
    url = undefined;
  }
  if (!url || !["http:", "https:"].includes(url.protocol)) {
    throw new Error(`FX_SOURCE must be 'sandbox', 'file:<path>' or an http(s) URL, got "${given}"`);
  }
  return { kind: "url", url: url.href };
}

export function loadConfig(overrides: Partial<Config> = {}, source: NodeJS.ProcessEnv = process.env): Config {
  const env = (source.NODE_ENV === "production" || source.NODE_ENV === "test" ? source.NODE_ENV : "development") as Config["env"];
  const config: Config = {
    env,
    databaseUrl: source.DATABASE_URL || "postgresql://postgres@127.0.0.1:5432/paygraph",
    redisUrl: source.REDIS_URL || "redis://127.0.0.1:6379",
    redisSentinel: redisSentinelFrom(source.REDIS_SENTINELS, source.REDIS_SENTINEL_NAME),
    redisPrefix: source.REDIS_PREFIX || "paygraph",
    host: source.HOST || "127.0.0.1",
    port: int(source.PORT, 4000, "PORT"),
    publicUrl: source.PUBLIC_URL || undefined,
    trustProxy: (source.TRUST_PROXY ?? "").split(",").map((s) => s.trim()).filter(Boolean),
    tlsCertFile: source.TLS_CERT_FILE || undefined,
    tlsKeyFile: source.TLS_KEY_FILE || undefined,
    logLevel: source.LOG_LEVEL || (env === "test" ? "warn" : "info"),
    ...vaultKeysFrom(source, env),
    vaultDekMaxUses: Math.max(1, int(source.VAULT_DEK_MAX_USES, 100_000, "VAULT_DEK_MAX_USES")),
    vaultDekMaxAgeMs: Math.max(1, int(source.VAULT_DEK_MAX_AGE_DAYS, 30, "VAULT_DEK_MAX_AGE_DAYS")) * 86_400_000,
    vaultDekCacheMs: int(source.VAULT_DEK_CACHE_MS, 300_000, "VAULT_DEK_CACHE_MS"),
    vaultDekCacheSize: Math.max(1, int(source.VAULT_DEK_CACHE_SIZE, 1000, "VAULT_DEK_CACHE_SIZE")),
    vaultKeyringReloadMs: int(source.VAULT_KEYRING_RELOAD_MS, 5000, "VAULT_KEYRING_RELOAD_MS"),
    gatewayUrl: source.GATEWAY_URL || undefined,
    gatewayTimeoutMs: int(source.GATEWAY_TIMEOUT_MS, 10_000, "GATEWAY_TIMEOUT_MS"),
    gatewayRetries: int(source.GATEWAY_RETRIES, 3, "GATEWAY_RETRIES"),
    retryBaseMs: int(source.RETRY_BASE_MS, 250, "RETRY_BASE_MS"),
    retryCapMs: int(source.RETRY_CAP_MS, 5_000, "RETRY_CAP_MS"),
    routingWindowMs: int(source.ROUTING_WINDOW_MS, 600_000, "ROUTING_WINDOW_MS"),
    routingBuckets: Math.max(1, int(source.ROUTING_BUCKETS, 10, "ROUTING_BUCKETS")),
    routingStatsCacheMs: int(source.ROUTING_STATS_CACHE_MS, 1000, "ROUTING_STATS_CACHE_MS"),
    routingExploration: Math.min(100, int(source.ROUTING_EXPLORATION_PCT, 5, "ROUTING_EXPLORATION_PCT")) / 100,
    breakerFailures: Math.max(1, int(source.BREAKER_FAILURES, 5, "BREAKER_FAILURES")),
    breakerOpenMs: int(source.BREAKER_OPEN_MS, 30_000, "BREAKER_OPEN_MS"),
    maxFailedAttempts: int(source.MAX_FAILED_ATTEMPTS, 5, "MAX_FAILED_ATTEMPTS"),
    jobLockMs: int(source.JOB_LOCK_MS, 30_000, "JOB_LOCK_MS"),
    reconcileAfterMs: int(source.RECONCILE_AFTER_MS, 60_000, "RECONCILE_AFTER_MS"),
    reconcileEveryMs: int(source.RECONCILE_EVERY_MS, 15_000, "RECONCILE_EVERY_MS"),
    threeDSTimeoutMs: Math.max(1, int(source.THREEDS_TIMEOUT_SECONDS, 900, "THREEDS_TIMEOUT_SECONDS")) * 1000,
    riskReviewTimeoutMs: hours(source.RISK_REVIEW_TIMEOUT_HOURS, 72, "RISK_REVIEW_TIMEOUT_HOURS"),
    workerConcurrency: int(source.WORKER_CONCURRENCY, 32, "WORKER_CONCURRENCY"),
    apiProcesses: int(source.API_PROCESSES, Math.max(1, os.availableParallelism() - 1), "API_PROCESSES"),
    outboxPollMs: int(source.OUTBOX_POLL_MS, 500, "OUTBOX_POLL_MS"),
    analyticsFoldMs: int(source.ANALYTICS_FOLD_MS, 1000, "ANALYTICS_FOLD_MS"),
    auditChainMs: int(source.AUDIT_CHAIN_MS, 250, "AUDIT_CHAIN_MS"),
    dbPoolSize: int(source.DB_POOL_SIZE, 10, "DB_POOL_SIZE"),
    authCacheMs: int(source.AUTH_CACHE_MS, 30_000, "AUTH_CACHE_MS"),
    rateLimitPerSecond: int(source.RATE_LIMIT_PER_SECOND, 1000, "RATE_LIMIT_PER_SECOND"),
    rateLimitPerIpPerSecond: int(source.RATE_LIMIT_PER_IP_PER_SECOND, 50, "RATE_LIMIT_PER_IP_PER_SECOND"),
    oauthAudience: source.OAUTH_AUDIENCE || undefined,
    oauthTokenTtlSeconds: Math.max(1, int(source.OAUTH_TOKEN_TTL_SECONDS, 900, "OAUTH_TOKEN_TTL_SECONDS")),
    oauthSigningKeyRotateSeconds: Math.max(60, int(source.OAUTH_SIGNING_KEY_ROTATE_SECONDS, 86_400, "OAUTH_SIGNING_KEY_ROTATE_SECONDS")),
    graphqlIntrospection: bool(source.GRAPHQL_INTROSPECTION, env !== "production", "GRAPHQL_INTROSPECTION"),
    graphqlLimits: {
      maxDepth: int(source.GRAPHQL_MAX_DEPTH, 12, "GRAPHQL_MAX_DEPTH"),
      maxAliases: int(source.GRAPHQL_MAX_ALIASES, 20, "GRAPHQL_MAX_ALIASES"),
      maxCost: int(source.GRAPHQL_MAX_COST, 5000, "GRAPHQL_MAX_COST"),
      maxTokens: int(source.GRAPHQL_MAX_TOKENS, 5000, "GRAPHQL_MAX_TOKENS"),
      maxDirectives: int(source.GRAPHQL_MAX_DIRECTIVES, 20, "GRAPHQL_MAX_DIRECTIVES"),
    },
    graphqlSuggestions: env !== "production",
    exposeQueryCount: env !== "production",
    seedDemoMerchant: bool(source.SEED_DEMO_MERCHANT, env !== "production", "SEED_DEMO_MERCHANT"),
    metricsPort: source.METRICS_PORT ? int(source.METRICS_PORT, 0, "METRICS_PORT") : undefined,
    metricsToken: source.METRICS_TOKEN || undefined,
    fxSource: fxSourceFrom(source.FX_SOURCE, env),
    fxRefreshEveryMs: int(source.FX_REFRESH_EVERY_MS, 3_600_000, "FX_REFRESH_EVERY_MS"),
    cardTokenTtlSeconds: Math.max(1, int(source.CARD_TOKEN_TTL_SECONDS, 900, "CARD_TOKEN_TTL_SECONDS")),
    userSessionTtlSeconds: Math.max(60, int(source.USER_SESSION_TTL_SECONDS, 12 * 3600, "USER_SESSION_TTL_SECONDS")),
    userInvitationTtlSeconds: Math.max(60, int(source.USER_INVITATION_TTL_SECONDS, 7 * 24 * 3600, "USER_INVITATION_TTL_SECONDS")),
    signInFailuresPerEmail: Math.max(1, int(source.SIGNIN_FAILURES_PER_EMAIL, 5, "SIGNIN_FAILURES_PER_EMAIL")),
    signInFailuresPerIp: Math.max(1, int(source.SIGNIN_FAILURES_PER_IP, 100, "SIGNIN_FAILURES_PER_IP")),
    subscriptionsPerSocket: Math.max(1, int(source.SUBSCRIPTIONS_PER_SOCKET, 100, "SUBSCRIPTIONS_PER_SOCKET")),
    subscriptionsPerCredential: Math.max(1, int(source.SUBSCRIPTIONS_PER_CREDENTIAL, 1000, "SUBSCRIPTIONS_PER_CREDENTIAL")),
    subscriptionSocketBufferBytes: Math.max(1024, int(source.SUBSCRIPTION_SOCKET_BUFFER_BYTES, 4 * 1024 * 1024, "SUBSCRIPTION_SOCKET_BUFFER_BYTES")),
    webhookRetrySchedule: retrySchedule(source.WEBHOOK_RETRY_SCHEDULE),
    webhookTimeoutMs: Math.max(1, int(source.WEBHOOK_TIMEOUT_MS, 15_000, "WEBHOOK_TIMEOUT_MS")),
    webhookDisableAfterMs: duration(source.WEBHOOK_DISABLE_AFTER || "5d", "WEBHOOK_DISABLE_AFTER"),
    webhookAllowPrivateNetworks: bool(source.WEBHOOK_ALLOW_PRIVATE_NETWORKS, env !== "production", "WEBHOOK_ALLOW_PRIVATE_NETWORKS"),
    webhookConcurrency: Math.max(1, int(source.WEBHOOK_CONCURRENCY, 64, "WEBHOOK_CONCURRENCY")),
    webhookEndpointConcurrency: Math.max(1, int(source.WEBHOOK_ENDPOINT_CONCURRENCY, 8, "WEBHOOK_ENDPOINT_CONCURRENCY")),
    alertEvaluateEveryMs: Math.max(100, int(source.ALERT_EVALUATE_EVERY_MS, 30_000, "ALERT_EVALUATE_EVERY_MS")),
    alertResolveAfterMs: duration(source.ALERT_RESOLVE_AFTER || "2m", "ALERT_RESOLVE_AFTER"),
    smtpUrl: source.SMTP_URL || undefined,
    smtpFrom: source.SMTP_FROM || "paygraph alerts <alerts@paygraph.invalid>",
    ...overrides,
  };
  // One of the two alone would silently serve plain HTTP where TLS was meant.
  if (!config.tlsCertFile !== !config.tlsKeyFile) {
    throw new Error(`TLS needs both a certificate and a key (--tls-cert and --tls-key, or TLS_CERT_FILE and TLS_KEY_FILE); only the ${config.tlsCertFile ? "certificate" : "key"} was given`);
  }
  // A demo merchant's secret key printed to a production log is a live credential nobody asked for.
  if (config.env === "production" && config.seedDemoMerchant) throw new Error("SEED_DEMO_MERCHANT is a development tool: it cannot be true in production");
  if (config.metricsPort !== undefined && config.metricsPort > 65535) throw new Error(`METRICS_PORT must be 0-65535, got ${config.metricsPort}`);
  if (config.metricsPort !== undefined && config.metricsPort !== 0 && config.metricsPort === config.port) {
    throw new Error(`METRICS_PORT must differ from PORT (${config.port}): unset it to serve /metrics on the api's port`);
  }
  // The token is the only thing between the metrics and anyone who can reach the port.
  if (config.metricsToken !== undefined && config.metricsToken.length < 16) throw new Error("METRICS_TOKEN must be at least 16 characters");
  if (config.smtpUrl !== undefined && !/^smtps?:\/\//.test(config.smtpUrl)) throw new Error("SMTP_URL must be an smtp:// or smtps:// URL");
  // A refresh storm would hammer a (possibly paid) rates provider: once a second at most.
  if (config.fxRefreshEveryMs < 1000) throw new Error(`FX_REFRESH_EVERY_MS must be at least 1000, got ${config.fxRefreshEveryMs}`);
  return config;
}
