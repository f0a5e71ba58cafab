// The migration that makes the audit log the one history: payment_event rows move into
// audit_record (nothing lost), the table goes, and the moved rows seal and verify like new ones.
import { cp, mkdtemp, readdir, rm } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { sealAll } from "../../src/audit/chainer.js";
import { verifyChain } from "../../src/audit/verify.js";
import { paymentAuditRecords } from "../../src/audit/audit.queries.js";
import { createDb } from "../../src/platform/db.js";
import { applyMigrations, ensureDatabase } from "../../src/platform/migrate.js";
import { PG_ADMIN_URL } from "../support/stack.js";

const migrationsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), "../../prisma/migrations");
const name = `paygraph_test_auditmig_${randomBytes(5).toString("hex")}`;
const url = Object.assign(new URL(PG_ADMIN_URL), { pathname: `/${name}` }).toString();
let dir: string | undefined;

async function sql<R extends pg.QueryResultRow>(text: string, params: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text, params)).rows;
  } finally {
    await client.end();
  }
}

afterAll(async () => {
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.end();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("audit_chain migration", () => {
  it("moves every payment event into the audit log, which then seals and verifies", async () => {
    expect(await ensureDatabase(url)).toBe(true);
    dir = await mkdtemp(path.join(tmpdir(), "paygraph-auditmig-"));
    const folders = (await readdir(migrationsDir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
    for (const folder of folders.slice(0, folders.findIndex((f) => f.endsWith("_audit_chain")))) {
      await cp(path.join(migrationsDir, folder), path.join(dir, folder), { recursive: true });
    }
    await applyMigrations(url, dir);
    await sql("INSERT INTO merchant (id, name) VALUES ('mer_mig', 'Migrated')");
    const snapshot = (status: string, version: number) => JSON.stringify({ id: "pay_mig", status, version, amount: "500" });
    await sql(
      `INSERT INTO payment_event (id, merchant_id, payment_id, type, from_status, to_status, version, data, request_id, created_at) VALUES
        ('evt_1', 'mer_mig', 'pay_mig', 'payment.created', NULL, 'REQUIRES_PAYMENT_METHOD', 1, $1, 'req-1', '2026-01-01T00:00:00Z'),
        ('evt_2', 'mer_mig', 'pay_mig', 'payment.processing', 'REQUIRES_PAYMENT_METHOD', 'PROCESSING', 2, $2, 'req-2', '2026-01-01T00:00:01Z'),
        ('evt_3', 'mer_mig', 'pay_mig', 'payment.captured', 'PROCESSING', 'CAPTURED', 3, $3, NULL, '2026-01-01T00:00:02Z')`,
      [snapshot("REQUIRES_PAYMENT_METHOD", 1), snapshot("PROCESSING", 2), snapshot("CAPTURED", 3)],
    );

    await applyMigrations(url, migrationsDir);
    expect(await sql("SELECT to_regclass('payment_event')::text AS t")).toEqual([{ t: null }]);
    const { db, pool } = createDb(url, 2, false);
    try {
      const [records] = await paymentAuditRecords(db, "mer_mig", ["pay_mig"]);
      expect(records!.map((r) => [r.id, r.action, r.actor, r.requestId, r.before, (r.after as { version: number }).version])).toEqual([
        ["evt_1", "payment.created", "system:migrated", "req-1", null, 1],
        ["evt_2", "payment.processing", "system:migrated", "req-2", { status: "REQUIRES_PAYMENT_METHOD" }, 2],
        ["evt_3", "payment.captured", "system:migrated", "unknown", { status: "PROCESSING" }, 3],
      ]);
      expect((await sealAll({ db })).sealed).toBe(3);
      const verdict = await verifyChain(db, "mer_mig");
      expect(verdict).toMatchObject({ ok: true, checked: 3, headSeq: 3n, unsealed: 0, firstBroken: null });
    } finally {
      await db.$disconnect();
      await pool.end();
    }
  });
});
