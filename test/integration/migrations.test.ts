import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { LATENCY_COLUMNS } from "../../src/analytics/analytics.queries.js";
import { foldOnce } from "../../src/analytics/fold.js";
import { createDb } from "../../src/platform/db.js";
import { applyMigrations, ensureDatabase } from "../../src/platform/migrate.js";
import { Seeder } from "../support/analytics-seed.js";

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

  it("carries folded and unfolded analytics latency samples over into the histogram's count columns", async () => {
    const url = await freshDatabaseUrl();
    const dir = await mkdtemp(path.join(tmpdir(), "paygraph-mig-"));
    tempDirs.push(dir);
    const folders = await migrationFolders(migrationsDir);
    const before = folders.slice(0, folders.findIndex((f) => f.endsWith("_analytics_latency_columns")));
    for (const folder of before) await cp(path.join(migrationsDir, folder), path.join(dir, folder), { recursive: true });
    await applyMigrations(url, dir);
    await query(url, "INSERT INTO merchant (id, name) VALUES ('m_mig', 'Migrated')");
    const seed = await Seeder.connect(url, "m_mig");
    const { db, pool } = createDb(url, 2, false);
    try {
      const [visa, acquirer] = [await seed.card("visa"), await seed.gatewayAccount("acquirer")];
      const attempts = async (day: string): Promise<void> => {
        for (let n = 0; n < 12; n += 1) {
          const createdAt = `${day}T${String(n).padStart(2, "0")}:15:00Z`;
          const paymentId = await seed.payment({ status: "CAPTURED", currency: n % 2 ? "USD" : "EUR", amount: 100n, captured: 100n, createdAt, cardId: visa });
          await seed.attempt({ paymentId, status: "FAILED", latencyMs: 7 + n * 450, createdAt });
          const gateway = n % 3 ? { gatewayAccountId: acquirer, gateway: "acquirer" } : {};
          await seed.attempt({ paymentId, status: "SUCCEEDED", ...(n === 3 ? {} : { latencyMs: 30 * n + 1 }), createdAt, ...gateway });
        }
      };
      // What the previous version had: day 1 folded into analytics_latency_rollup, then day 2 and a
      // changed round trip of day 1 (a -old +new pair) left as deltas with latency_bin.
      await attempts("2026-02-01");
      await seed.sql(PREVIOUS_FOLD);
      await attempts("2026-02-02");
      await seed.sql("UPDATE payment_attempt SET latency_ms = 61000 WHERE created_at = '2026-02-01T05:15:00Z' AND status = 'SUCCEEDED'");
      const [{ folded, unfolded }] = await seed.sql(
        "SELECT (SELECT count(*) FROM analytics_latency_rollup)::int AS folded, (SELECT count(*) FROM analytics_delta WHERE latency_samples <> 0)::int AS unfolded");
      expect([folded > 0, unfolded > 0]).toEqual([true, true]);
      const truth = await seed.sql(HISTOGRAM_OF_ATTEMPTS);
      expect(truth.length).toBeGreaterThan(10);

      expect(await applyMigrations(url, migrationsDir)).toEqual(folders.slice(before.length));
      expect(await seed.sql(HISTOGRAM_OF_ROLLUP_AND_DELTAS)).toEqual(truth);
      await foldOnce({ db }); // the new fold adds the carried-over deltas' columns
      expect(await seed.unfoldedDeltas()).toBe(0);
      expect(await seed.sql(HISTOGRAM_OF_ROLLUP_AND_DELTAS)).toEqual(truth);
      expect(await seed.sql("SELECT to_regclass('analytics_latency_rollup_retired')::text AS t")).toEqual([{ t: null }]);
    } finally {
      await seed.close();
      await db.$disconnect();
      await pool.end();
    }
  }, 60_000);
});

/** The fold before the histogram columns (src/analytics/fold.ts at 20261125110913_analytics_triggers), all deltas at once. */
const PREVIOUS_FOLD = `
  WITH d AS (DELETE FROM analytics_delta RETURNING *),
  g AS (SELECT grain, CASE grain WHEN 'h' THEN hour ELSE date_trunc('day', hour, 'UTC') END AS bucket, d.* FROM d CROSS JOIN (VALUES ('h'), ('d')) AS grains(grain)),
  r AS (
    INSERT INTO analytics_rollup AS t (merchant_id, grain, bucket, status, currency, gateway, card_brand, payments, volume, attempts_finished, attempts_succeeded, refunds, refund_volume)
    SELECT merchant_id, grain, bucket, status, currency, gateway, card_brand,
      sum(payments), sum(volume), sum(attempts_finished), sum(attempts_succeeded), sum(refunds), sum(refund_volume)
    FROM g GROUP BY 1, 2, 3, 4, 5, 6, 7
    ON CONFLICT (merchant_id, grain, bucket, status, currency, gateway, card_brand) DO UPDATE SET
      payments = t.payments + EXCLUDED.payments, volume = t.volume + EXCLUDED.volume,
      attempts_finished = t.attempts_finished + EXCLUDED.attempts_finished, attempts_succeeded = t.attempts_succeeded + EXCLUDED.attempts_succeeded,
      refunds = t.refunds + EXCLUDED.refunds, refund_volume = t.refund_volume + EXCLUDED.refund_volume)
  INSERT INTO analytics_latency_rollup AS t (merchant_id, grain, bucket, currency, gateway, card_brand, bin, samples)
  SELECT merchant_id, grain, bucket, currency, gateway, card_brand, latency_bin, sum(latency_samples)
  FROM g WHERE latency_bin IS NOT NULL GROUP BY 1, 2, 3, 4, 5, 6, 7
  ON CONFLICT (merchant_id, grain, bucket, currency, gateway, card_brand, bin) DO UPDATE SET samples = t.samples + EXCLUDED.samples`;

/** Samples per grain, bucket, currency, gateway and bin, counted from the attempts themselves. */
const HISTOGRAM_OF_ATTEMPTS = `
  SELECT g.grain, date_trunc(CASE g.grain WHEN 'h' THEN 'hour' ELSE 'day' END, a.created_at, 'UTC') AS bucket, a.currency::text AS currency,
    analytics_gateway_key(a.gateway_account_id, a.gateway) AS gateway, analytics_latency_bin(a.latency_ms)::int AS bin, count(*)::int AS samples
  FROM payment_attempt a CROSS JOIN (VALUES ('h'), ('d')) AS g(grain)
  WHERE a.status IN ('SUCCEEDED', 'FAILED') AND a.latency_ms IS NOT NULL
  GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5`;

/** The same from the rollup's count columns plus the deltas' (deltas count in both grains). */
const HISTOGRAM_OF_ROLLUP_AND_DELTAS = `
  WITH src AS (
    SELECT grain::text AS grain, bucket, currency, gateway, ARRAY[${LATENCY_COLUMNS.join(", ")}] AS bins FROM analytics_rollup
    UNION ALL
    SELECT g.grain, date_trunc(CASE g.grain WHEN 'h' THEN 'hour' ELSE 'day' END, hour, 'UTC'), currency, gateway, ARRAY[${LATENCY_COLUMNS.join(", ")}]
    FROM analytics_delta CROSS JOIN (VALUES ('h'), ('d')) AS g(grain))
  SELECT grain, bucket, currency::text AS currency, gateway, (b.ord - 1)::int AS bin, sum(b.n)::int AS samples
  FROM src CROSS JOIN LATERAL unnest(bins) WITH ORDINALITY AS b(n, ord)
  GROUP BY 1, 2, 3, 4, 5 HAVING sum(b.n) <> 0 ORDER BY 1, 2, 3, 4, 5`;
