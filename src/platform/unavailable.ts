// Infrastructure faults, told apart from bugs: PostgreSQL or Redis not answering (a failover, a
// restart, a terminated backend, a full pool) is the caller's cue to retry, not an INTERNAL error.
// The one classifier of such errors, used where errors are formatted and by the process-level
// backstops; and the one rate-limited logger for connection errors (an outage emits one per
// connection per reconnect attempt: a log line each would drown everything else).
import { AppError, ErrorCode } from "./errors.js";

/** How long a client is told to wait before retrying. */
export const RETRY_AFTER_MS = 1000;

/** PostgreSQL SQLSTATEs of a lost or refused connection: class 08 (connection exception), 57P01-03 (admin shutdown, crash shutdown, cannot connect now), 53300 (too many connections). */
const PG_CODES = /^(08...|57P0[123]|53300)$/;
/** Prisma's codes for the same: can't reach (P1001), timed out (P1002, P1008), closed (P1017), pool timeout (P2024). */
const PRISMA_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024"]);
/** Node's socket errors. */
const NODE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN"]);
/** adapter-pg's DriverAdapterError kinds for an unreachable or lost database. */
const ADAPTER_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);
/** Messages of pg, pg-pool, ioredis and BullMQ errors that carry no code. */
const MESSAGES = [
  /Connection terminated/i, // pg: "Connection terminated unexpectedly", "… due to connection timeout"
  /not queryable/i, // pg: "Client has encountered a connection error and is not queryable"
  /timeout exceeded when trying to connect/i, // pg-pool
  /Connection is closed/i, // ioredis, BullMQ
  /max retries per request/i, // ioredis MaxRetriesPerRequestError
  /enableOfflineQueue options is false/i, // ioredis fail-fast connections while disconnected
  /All sentinels are unreachable/i, // ioredis Sentinel
  /Can't reach database server/i, // Prisma P1001's text, when only the message survives
];

const prop = (value: unknown, key: string): unknown =>
  typeof value === "object" && value !== null ? (value as Record<string, unknown>)[key] : undefined;

/** The error and what it wraps (cause, Prisma's driver adapter error, AggregateError's members), at most a few levels down. */
function* chain(err: unknown, depth = 0): Generator<unknown> {
  if (err === undefined || err === null || depth > 5) return;
  yield err;
  yield* chain(prop(err, "cause"), depth + 1);
  yield* chain(prop(prop(err, "meta"), "driverAdapterError"), depth + 1);
  yield* chain(prop(err, "originalError"), depth + 1);
  const errors = prop(err, "errors");
  if (Array.isArray(errors)) for (const e of errors.slice(0, 3)) yield* chain(e, depth + 1);
}

function looksUnavailable(e: unknown): boolean {
  const code = prop(e, "code") ?? prop(e, "originalCode");
  if (typeof code === "string" && (PG_CODES.test(code) || PRISMA_CODES.has(code) || NODE_CODES.has(code))) return true;
  const kind = prop(e, "kind");
  if (typeof kind === "string" && ADAPTER_KINDS.has(kind)) return true;
  if (prop(e, "name") === "MaxRetriesPerRequestError") return true;
  const message = prop(e, "message");
  return typeof message === "string" && MESSAGES.some((m) => m.test(message));
}

/** Whether `err` says PostgreSQL or Redis did not answer (rather than a bug or a bad input). */
export function isUnavailable(err: unknown): boolean {
  if (err instanceof AppError) return err.code === ErrorCode.SERVICE_UNAVAILABLE;
  for (const e of chain(err)) if (looksUnavailable(e)) return true;
  return false;
}

/** The catalogue error a client sees for it: typed and retryable. */
export function serviceUnavailable(): AppError {
  return new AppError(ErrorCode.SERVICE_UNAVAILABLE, "A service paygraph depends on is briefly unavailable; retry shortly", {
    retryable: true,
    retryAfterMs: RETRY_AFTER_MS,
  });
}

/** `err` as a SERVICE_UNAVAILABLE AppError when it is an infrastructure fault; undefined otherwise. */
export function asUnavailable(err: unknown): AppError | undefined {
  if (err instanceof AppError) return err.code === ErrorCode.SERVICE_UNAVAILABLE ? err : undefined;
  return isUnavailable(err) ? serviceUnavailable() : undefined;
}

interface WarnLog { warn(obj: object, msg: string): void }

const LOG_EVERY_MS = 10_000;
const lastLogged = new Map<string, { at: number; suppressed: number }>();

/**
 * Logs a connection error of `what` (e.g. `redis:subscriber`, `postgres`) at most once per 10 s
 * each, with how many were left out since. Never throws, never exits: the connection reconnects
 * by itself.
 */
export function logConnectionError(log: WarnLog | undefined, what: string, err: unknown): void {
  const now = Date.now();
  const seen = lastLogged.get(what);
  if (seen && now - seen.at < LOG_EVERY_MS) {
    seen.suppressed += 1;
    return;
  }
  lastLogged.set(what, { at: now, suppressed: 0 });
  const message = err instanceof Error ? err.message : String(err);
  log?.warn({ connection: what, err: message, ...(seen?.suppressed ? { suppressed: seen.suppressed } : {}) }, "connection error; reconnecting");
}

/**
 * The backstop behind every connection's own 'error' listener: a lost PostgreSQL or Redis
 * connection that still escapes (an event or a promise nobody listens to) is logged and the
 * process carries on, since the connection comes back by itself. Anything else stays fatal, as
 * Node's default would have it.
 */
export function surviveLostConnections(log: WarnLog & { fatal(obj: object, msg: string): void }): void {
  const handle = (kind: string) => (err: unknown): void => {
    if (isUnavailable(err)) return logConnectionError(log, kind, err);
    log.fatal({ err }, kind);
    process.exit(1);
  };
  process.on("uncaughtException", handle("uncaught exception"));
  process.on("unhandledRejection", handle("unhandled rejection"));
}
