// Scratch databases on the local PostgreSQL: made fresh for one run, dropped at its end.
import pg from "pg";

export const PG_BASE = process.env.BENCH_PG_URL ?? "postgresql://postgres@127.0.0.1:5432";

export const dbUrl = (name) => `${PG_BASE}/${name}`;

async function admin(fn) {
  const client = new pg.Client({ connectionString: dbUrl("postgres") });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const ident = (name) => {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`unsafe database name ${name}`);
  return `"${name}"`;
};

export function createDatabase(name) {
  return admin((c) => c.query(`CREATE DATABASE ${ident(name)}`));
}

export function dropDatabase(name) {
  return admin((c) => c.query(`DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`));
}

export async function serverVersion() {
  return admin(async (c) => (await c.query("SHOW server_version")).rows[0].server_version);
}

/** Row counts that show what a run left behind (payments by status, undelivered outbox rows). */
export async function leftovers(name) {
  const client = new pg.Client({ connectionString: dbUrl(name) });
  await client.connect();
  try {
    const byStatus = (await client.query("SELECT status::text, count(*)::int AS n FROM payment GROUP BY 1 ORDER BY 1")).rows;
    const outbox = (await client.query("SELECT count(*)::int AS n FROM outbox_message")).rows[0].n;
    return { paymentsByStatus: Object.fromEntries(byStatus.map((r) => [r.status, r.n])), outboxLeft: outbox };
  } finally {
    await client.end();
  }
}

/**
 * Cumulative commits and rows of one database (pg_stat_database; a backend reports when it goes
 * idle, at most once a second, so read ≥ 1 s after the load). Commits include every autocommit
 * statement (a lone SELECT is a transaction). Rows read come in two columns: `returned`
 * (tup_returned: rows a sequential scan returned plus index entries an index scan returned, the
 * larger, "rows the executor looked at") and `fetched` (tup_fetched: heap rows fetched through an
 * index). Catalog lookups of the database count too.
 */
export async function dbCounters(name) {
  const client = new pg.Client({ connectionString: dbUrl("postgres") });
  await client.connect();
  try {
    const { rows } = await client.query(
      "SELECT xact_commit::bigint AS commits, xact_rollback::bigint AS rollbacks, tup_inserted::bigint AS inserted, tup_updated::bigint AS updated, tup_deleted::bigint AS deleted, tup_returned::bigint AS returned, tup_fetched::bigint AS fetched FROM pg_stat_database WHERE datname = $1",
      [name],
    );
    return Object.fromEntries(Object.entries(rows[0] ?? {}).map(([k, v]) => [k, Number(v)]));
  } finally {
    await client.end();
  }
}
