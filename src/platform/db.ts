// The database client: Prisma 7 over a pg Pool we own, so that every SQL statement is counted in
// the current request's scope (the proof that DataLoader keeps list pages at a constant cost).
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient, type Prisma } from "../generated/prisma/client.js";
import { requestScope } from "./request-context.js";
import { logConnectionError } from "./unavailable.js";

export type Db = PrismaClient;
/** The client handed to callbacks of `db.$transaction(async (tx) => …)`. */
export type Tx = Omit<PrismaClient, "$connect" | "$disconnect" | "$on" | "$transaction" | "$extends">;

type QueryFn = pg.PoolClient["query"];

function countQueries(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  const counted = (...args: unknown[]): unknown => {
    const scope = requestScope.getStore();
    if (scope) scope.sqlQueries += 1;
    return query(...args);
  };
  client.query = counted as QueryFn;
}

/**
 * The few hot statements of the write path, straight on the pool that Prisma's adapter also uses:
 * Prisma's runtime was a third of the api's CPU, and each round trip another quarter (the
 * bench's profile, bench/README.md). Each call is one statement in its own implicit transaction
 * (atomic as a whole: a CTE writes several tables at once), sent as a named prepared statement,
 * so PostgreSQL parses and plans each shape once per connection. Values come back as Prisma's raw
 * queries give them (int8 as bigint, jsonb as objects, timestamptz as Date), so `pickRow`
 * (src/platform/sql-columns.ts) makes model rows of them. Everything else, and every
 * multi-statement transaction, stays on Prisma.
 */
export interface Sql {
  rows<T extends object>(query: Prisma.Sql): Promise<T[]>;
}

/**
 * The same reads on a transaction's own connection. A transaction that read through the pool
 * would hold one connection while waiting for another: with the pool spent by requests queued
 * behind its locks (an idempotency key's waiters), it would stall until they time out.
 */
export const sqlIn = (tx: Tx): Sql => ({ rows: <T extends object>(query: Prisma.Sql) => tx.$queryRaw<T[]>(query) });

/** At most this many distinct statement texts get a name (the hot ones are a handful of shapes). */
const MAX_PREPARED = 200;

const INT8 = 20;
/** pg's parsers but for int8, which becomes a bigint (pg's default is a string, to keep precision). */
const types = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === INT8 ? (value: string) => BigInt(value) : pg.types.getTypeParser(oid, format ?? "text")) as typeof pg.types.getTypeParser,
};

export function createSql(pool: pg.Pool): Sql {
  const names = new Map<string, string>();
  return {
    async rows<T extends object>(query: Prisma.Sql): Promise<T[]> {
      const text = query.text;
      let name = names.get(text);
      if (name === undefined && names.size < MAX_PREPARED) names.set(text, (name = `pgh${names.size}`));
      const result = await pool.query<T>({ text, values: query.values, types, ...(name ? { name } : {}) });
      return result.rows;
    },
  };
}

export function createDb(databaseUrl: string, poolSize: number, count: boolean, log?: { warn(obj: object, msg: string): void }): { db: Db; pool: pg.Pool } {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolSize });
  if (count) pool.on("connect", countQueries); // costs ~2 % CPU: development and tests only
  // A connection lost (database restart, failover, a backend terminated: 57P01) must never crash
  // the process. pg-pool listens on idle clients only, and Prisma's adapter on a client only while
  // a transaction holds it: a checked-out client outside those windows (between checkout and the
  // adapter's listener, or a plain query's) would raise an unhandled 'error' event. So every
  // client gets a listener of its own for its whole life; the query that was running fails, the
  // pool drops the broken client and opens a new one on demand.
  const lost = (err: unknown): void => logConnectionError(log, "postgres", err);
  pool.on("error", lost);
  pool.on("connect", (client) => client.on("error", lost));
  // Transactions may queue for a connection or a row lock under load (20 refunds of one payment):
  // wait rather than fail at Prisma's 2 s / 5 s defaults.
  const db = new PrismaClient({ adapter: new PrismaPg(pool), transactionOptions: { maxWait: 15_000, timeout: 30_000 } });
  return { db, pool };
}

/** PostgreSQL refusing the characters of a text: 22021 (NUL in text), 22P05 (NUL or an unpaired surrogate escaped in jsonb). */
const UNSTORABLE_TEXT_CODES = new Set(["22021", "22P05"]);
const prop = (value: unknown, key: string): unknown => (typeof value === "object" && value !== null ? (value as Record<string, unknown>)[key] : undefined);

/**
 * Whether a database error (Prisma's, which carries PostgreSQL's code under
 * meta.driverAdapterError.cause, or pg's own) is text PostgreSQL cannot store: the caller's input, not a fault.
 */
export function isUnstorableTextError(err: unknown): boolean {
  const code = prop(prop(prop(prop(err, "meta"), "driverAdapterError"), "cause"), "originalCode") ?? prop(err, "code");
  return typeof code === "string" && UNSTORABLE_TEXT_CODES.has(code);
}
