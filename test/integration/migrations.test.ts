import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { applyMigrations, ensureDatabase } from "../../src/platform/migrate.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const migrationsDir = path.join(root, "prisma/migrations");
const adminUrl = process.env.PG_ADMIN_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

const created: string[] = [];
const tempDirs: string[] = [];

/** A fresh, uniquely named database; dropped in afterAll. */
async function freshDatabaseUrl(): Promise<string> {
  const name = `paygraph_test_mig_${randomBytes(6).toString("hex")}`;
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  created.push(name);
  expect(await ensureDatabase(url.toString())).toBe(true);
  return url.toString();
}

async function query<R extends pg.QueryResultRow>(url: string, sql: string): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(sql)).rows;
  } finally {
    await client.end();
  }
}

async function migrationFolders(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
}

const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");

interface MigrationRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  applied_steps_count: number;
}

const rowsOf = (url: string): Promise<MigrationRow[]> =>
  query<MigrationRow>(
    url,
    "SELECT migration_name, checksum, finished_at, rolled_back_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name",
  );

afterAll(async () => {
  for (const name of created) await query(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  for (const dir of tempDirs) await rm(dir, { recursive: true, force: true });
});

describe("migrations", () => {
  it("applies every migration once, recorded as Prisma records it, and is idempotent", async () => {
    const url = await freshDatabaseUrl();
    expect(await ensureDatabase(url)).toBe(false);
    const folders = await migrationFolders(migrationsDir);
    expect(folders.length).toBeGreaterThan(0);

    expect(await applyMigrations(url, migrationsDir)).toEqual(folders);

    const rows = await rowsOf(url);
    expect(rows.map((r) => r.migration_name)).toEqual(folders);
    for (const row of rows) {
      const sql = await readFile(path.join(migrationsDir, row.migration_name, "migration.sql"), "utf8");
      expect(row.checksum).toBe(sha256(sql));
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.rolled_back_at).toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }
    const [{ payment }] = await query<{ payment: string | null }>(url, "SELECT to_regclass('payment')::text AS payment");
    expect(payment).toBe("payment");

    expect(await applyMigrations(url, migrationsDir)).toEqual([]);
    expect(await rowsOf(url)).toHaveLength(folders.length);
  }, 30_000);

  it("lets two processes start at once: each migration is applied exactly once", async () => {
    const url = await freshDatabaseUrl();
    const folders = await migrationFolders(migrationsDir);

    const [first, second] = await Promise.all([applyMigrations(url, migrationsDir), applyMigrations(url, migrationsDir)]);

    expect([...first, ...second].sort()).toEqual(folders);
    expect((await rowsOf(url)).map((r) => r.migration_name)).toEqual(folders);
  }, 30_000);

  it("fails loudly on a broken migration (leaving nothing behind) and on an edited one", async () => {
    const url = await freshDatabaseUrl();
    const dir = await mkdtemp(path.join(tmpdir(), "paygraph-mig-"));
    tempDirs.push(dir);
    await cp(migrationsDir, dir, { recursive: true });
    const folders = await migrationFolders(dir);
    const broken = "99990101000000_broken";
    await mkdir(path.join(dir, broken));
    await writeFile(path.join(dir, broken, "migration.sql"), "CREATE TABLE half_done (id int);\nBROKEN;\n");

    await expect(applyMigrations(url, dir)).rejects.toThrow(/99990101000000_broken.*syntax error at or near "BROKEN"/);
    // The migrations before it stay applied; the broken one left neither a table nor a row.
    expect((await rowsOf(url)).map((r) => r.migration_name)).toEqual(folders);
    const [{ table }] = await query<{ table: string | null }>(url, "SELECT to_regclass('half_done')::text AS table");
    expect(table).toBeNull();

    await writeFile(path.join(dir, broken, "migration.sql"), "CREATE TABLE half_done (id int);\n");
    expect(await applyMigrations(url, dir)).toEqual([broken]);

    const first = path.join(dir, folders[0], "migration.sql");
    await writeFile(first, `${await readFile(first, "utf8")}\n-- edited\n`);
    await expect(applyMigrations(url, dir)).rejects.toThrow(new RegExp(`${folders[0]} was modified`));
  }, 30_000);

  it("has no drift: prisma/schema.prisma matches the migrations", async () => {
    const result = await new Promise<{ code: number | null; output: string }>((resolve) => {
      execFile(
        process.execPath,
        [path.join(root, "scripts/db-diff.mjs"), "--check"],
        { cwd: root, env: { ...process.env, DATABASE_URL: adminUrl } },
        (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, output: stdout + stderr }),
      );
    });
    expect(result.output).toContain("no schema changes");
    expect(result.code).toBe(0);
  }, 60_000);
});
