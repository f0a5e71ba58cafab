// Applies prisma/migrations/*/migration.sql at run time. Prisma's CLI cannot do it on these machines
// (it needs a native schema engine), so this runner keeps Prisma's own bookkeeping instead: the same
// `_prisma_migrations` table, rows and checksums, so `prisma migrate status/deploy` agree with it
// wherever the CLI does work.
import { createHash, randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";

// Prisma's own key: holding it also keeps a concurrent `prisma migrate deploy` out, and vice versa.
const ADVISORY_LOCK_KEY = 72707369;

// Verbatim from the schema engine, so a table we create is the one Prisma expects.
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
)`;

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
}

const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");
const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** Applies the pending migrations in lexical order and returns the names it applied. */
export async function applyMigrations(databaseUrl: string, migrationsDir: string): Promise<string[]> {
  const entries = await readdir(migrationsDir, { withFileTypes: true });
  const migrations: { name: string; sql: string }[] = [];
  for (const entry of entries.filter((e) => e.isDirectory()).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const file = path.join(migrationsDir, entry.name, "migration.sql");
    const sql = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return null; // Prisma skips folders without a script too
      throw error;
    });
    if (sql !== null) migrations.push({ name: entry.name, sql });
  }

  const client = new pg.Client({ connectionString: databaseUrl });
  client.on("error", () => undefined); // a lost connection fails the query being run, which says why; the event must not crash
  await client.connect();
  const applied: string[] = [];
  try {
    // Session-level lock: a second process starting at the same time waits here, then finds
    // everything applied. It is released by unlock or, if we crash, by the connection closing.
    await client.query("SELECT pg_advisory_lock($1)", [ADVISORY_LOCK_KEY]);
    await client.query(CREATE_MIGRATIONS_TABLE);
    // Rows marked rolled back are history only, as for Prisma.
    const { rows } = await client.query<AppliedRow>(
      "SELECT migration_name, checksum, finished_at FROM _prisma_migrations WHERE rolled_back_at IS NULL",
    );
    const byName = new Map(rows.map((row) => [row.migration_name, row]));

    for (const { name, sql } of migrations) {
      const checksum = sha256(sql);
      const row = byName.get(name);
      if (row && row.finished_at === null) {
        // Left by a non-transactional runner (Prisma's CLI): it may be half applied, so a human decides.
        throw new Error(`Migration ${name} is recorded as failed in _prisma_migrations; resolve it before migrating`);
      }
      if (row) {
        // Like Prisma, accept a script whose line endings git has converted since it was applied.
        const variants = [sql, sql.replace(/\r\n/g, "\n"), sql.replace(/\r?\n/g, "\r\n")];
        if (!variants.some((variant) => sha256(variant) === row.checksum)) {
          throw new Error(`Migration ${name} was modified after it was applied (checksum ${row.checksum} in the database, ${checksum} on disk)`);
        }
        continue;
      }
      // One transaction per migration: a broken script leaves neither schema changes nor a row
      // behind, so fixing the file and restarting is enough.
      try {
        await client.query("BEGIN");
        const id = randomUUID();
        await client.query(
          "INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at) VALUES ($1, $2, $3, clock_timestamp())",
          [id, checksum, name],
        );
        await client.query(sql); // no parameters: simple protocol, so the multi-statement script runs as is
        await client.query(
          "UPDATE _prisma_migrations SET finished_at = clock_timestamp(), applied_steps_count = 1 WHERE id = $1",
          [id],
        );
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined);
        const message = error instanceof Error ? error.message : String(error);
        throw new Error(`Migration ${name} failed: ${message}`, { cause: error });
      }
      applied.push(name);
    }
    await client.query("SELECT pg_advisory_unlock($1)", [ADVISORY_LOCK_KEY]);
  } finally {
    await client.end();
  }
  return applied;
}

/** Creates the database named in the URL unless it exists; true if it created it. */
export async function ensureDatabase(databaseUrl: string): Promise<boolean> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  if (!name) throw new Error("ensureDatabase: the database URL names no database");
  url.pathname = "/postgres"; // CREATE DATABASE must run from another database of the same server
  const client = new pg.Client({ connectionString: url.toString() });
  client.on("error", () => undefined); // as above: the failing query reports it
  await client.connect();
  try {
    // Checked first so that an existing database needs no CREATEDB privilege.
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (rowCount) return false;
    try {
      await client.query(`CREATE DATABASE ${quoteIdent(name)}`);
      return true;
    } catch (error) {
      // Another process won the race: 42P04 duplicate_database, or 23505 from pg_database's unique index.
      const code = (error as { code?: string }).code;
      if (code === "42P04" || code === "23505") return false;
      throw error;
    }
  } finally {
    await client.end();
  }
}
