// KEK rotation through the real server: payments keep flowing while `paygraph vault rotate-kek`
// re-wraps every data key in a separate process; afterwards all data keys are under the new KEK,
// old payments still capture, fingerprints are unchanged, and the old KEK can be retired. A worker
// whose keyring lacks the KEK of a card's data key fails that attempt loudly and charges nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { CapturePaymentDocument, ConfirmPaymentDocument, CreatePaymentDocument, PaymentDocument } from "../../client/src/generated/graphql.js";
import { TEST_CARDS, card, createStack, eventually, gql, ledger, ok, type Stack } from "../support/stack.js";
import pg from "pg";
import { loadConfig } from "../../src/config.js";
import { createDb } from "../../src/platform/db.js";
import { createLogger } from "../../src/platform/logger.js";
import { encryptLegacy, fingerprintWith, legacyFingerprintKey } from "../../src/vault/envelope.js";
import { cardDetails, createVault, fingerprint } from "../../src/vault/vault.js";

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../dist/main.js");
const dir = mkdtempSync(path.join(tmpdir(), "vault-rotation-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const b64 = (): string => randomBytes(32).toString("base64");

/** `paygraph vault …` in its own process; resolves with stdout, or rejects with the exit code and stderr. */
async function vaultCli(stack: Stack, args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [MAIN, "vault", ...args], { env: { PATH: process.env.PATH ?? "", ...stack.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

interface Status { keks: { id: string; state: string; dataKeys: number }[]; orphans: unknown[]; legacyCards: number }
const status = async (stack: Stack): Promise<Status> => JSON.parse((await vaultCli(stack, ["status", "--json"])).stdout) as Status;

describe("KEK rotation while the API serves", () => {
  const ring = path.join(dir, "keyring.json");
  let stack: Stack;
  let url: string;
  let key: string;
  const create = async (captureMethod: "AUTOMATIC" | "MANUAL" = "AUTOMATIC") =>
    ok(await gql(url, CreatePaymentDocument, { input: { amount: "10.00", currency: "USD", captureMethod } }, { key })).createPayment.payment;
  const confirm = async (paymentId: string) => ok(await gql(url, ConfirmPaymentDocument, { input: { paymentId, card: card(TEST_CARDS.approve) } }, { key })).confirmPayment.payment;
  const read = async (id: string) => ok(await gql(url, PaymentDocument, { id }, { key })).payment;
  const settled = (id: string) => eventually(() => read(id), (p) => p.status !== "PROCESSING");
  const pay = async (captureMethod: "AUTOMATIC" | "MANUAL" = "AUTOMATIC") => {
    const p = await create(captureMethod);
    await confirm(p.id);
    return settled(p.id);
  };

  beforeAll(async () => {
    writeFileSync(ring, JSON.stringify({ active: "kek1", keys: { kek1: b64() } }), { mode: 0o600 });
    // Small data keys (3 cards each) so there are many to re-wrap; a rotation is noticed within 300 ms.
    stack = await createStack({ VAULT_KEYRING_FILE: ring, VAULT_DEK_MAX_USES: "3", VAULT_KEYRING_RELOAD_MS: "300" });
    url = (await stack.start(["start", "--role", "all", "--port", "0"])).url;
    ({ secretKey: key } = await stack.merchant());
  });
  afterAll(async () => stack?.close());

  it("re-wraps every data key in the background while payments succeed, then retires the old KEK", async () => {
    const old = [];
    for (let i = 0; i < 4; i++) old.push(await pay("MANUAL"));
    for (let i = 0; i < 4; i++) old.push(await pay());
    expect(old.map((p) => p.status)).toEqual([...Array(4).fill("AUTHORIZED"), ...Array(4).fill("CAPTURED")]);
    const before = await status(stack);
    expect(before.keks).toEqual([expect.objectContaining({ id: "kek1", state: "active" })]);
    expect(before.keks[0]!.dataKeys).toBeGreaterThanOrEqual(3); // ≥ 2 data keys + the fingerprint key

    // Retiring the only (active) KEK is refused.
    const refused = await vaultCli(stack, ["retire-kek", "kek1"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("active");

    const rotation = vaultCli(stack, ["rotate-kek", "--id", "kek2", "--batch", "2"]);
    let rotating = true;
    void rotation.finally(() => (rotating = false));
    const during: string[] = [];
    while (rotating || during.length < 6) {
      const p = await create();
      await confirm(p.id);
      during.push(p.id);
    }
    const rotated = await rotation;
    expect(rotated.stderr).toBe("");
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toMatch(/KEK kek2 added .* made active/);
    expect(rotated.stdout).toMatch(/re-wrapped \d+ data key\(s\) under KEK kek2/);
    for (const id of during) expect((await settled(id)).status).toBe("CAPTURED");

    const after = await status(stack);
    expect(after.keks.find((k) => k.id === "kek1")).toMatchObject({ state: "enabled", dataKeys: 0 });
    expect(after.keks.find((k) => k.id === "kek2")!.dataKeys).toBeGreaterThan(before.keks[0]!.dataKeys);
    expect(after.orphans).toEqual([]);
    // Every DEK's creation and re-wrap is in the audit log, never with key material.
    const db = new pg.Client({ connectionString: stack.databaseUrl });
    await db.connect();
    const audit = await db.query(`SELECT action, actor, count(*)::int AS n FROM audit_record WHERE entity_type = 'vault_data_key' GROUP BY 1, 2 ORDER BY 1`);
    const rewraps = await db.query(`SELECT after FROM audit_record WHERE action = 'vault_data_key.rewrapped' LIMIT 1`);
    await db.end();
    expect(audit.rows).toEqual([
      { action: "vault_data_key.created", actor: "system:vault", n: expect.any(Number) },
      { action: "vault_data_key.rewrapped", actor: "cli", n: expect.any(Number) },
    ]);
    expect(rewraps.rows[0].after).toEqual({ kekId: "kek2" });

    // Old payments still capture; a new payment with the same card has the same fingerprint.
    for (const p of old.slice(0, 4)) {
      const captured = ok(await gql(url, CapturePaymentDocument, { input: { paymentId: p.id } }, { key })).capturePayment.payment;
      expect(captured.status).toBe("CAPTURED");
    }
    const fresh = await pay();
    expect(fresh.status).toBe("CAPTURED");
    expect(fresh.card!.fingerprint).toBe(old[0]!.card!.fingerprint);

    // No data key left under kek1: retiring it works, and drops its key from the file.
    const retired = await vaultCli(stack, ["retire-kek", "kek1"]);
    expect(retired.stderr).toBe("");
    expect(retired.stdout).toContain("KEK kek1 retired");
    const file = JSON.parse(readFileSync(ring, "utf8")) as { active: string; keys: Record<string, string>; retired: string[] };
    expect(file).toMatchObject({ active: "kek2", retired: ["kek1"] });
    expect(Object.keys(file.keys)).toEqual(["kek2"]);
    expect((await pay()).status).toBe("CAPTURED");
    expect((await status(stack)).keks.find((k) => k.id === "kek1")).toMatchObject({ state: "retired", dataKeys: 0 });
  }, 120_000);
});

describe("a worker without the card's KEK", () => {
  let stack: Stack;
  afterAll(async () => stack?.close());

  it("fails the attempt with card_unreadable, logs the KEK at error level, and charges nothing", async () => {
    const kek1 = b64();
    const both = path.join(dir, "both.json");
    const newOnly = path.join(dir, "new-only.json");
    writeFileSync(both, JSON.stringify({ active: "kek1", keys: { kek1 } }), { mode: 0o600 });
    // The old KEK removed before any re-wrap: only kek2.
    writeFileSync(newOnly, JSON.stringify({ active: "kek2", keys: { kek2: b64() } }), { mode: 0o600 });
    stack = await createStack({ LOG_LEVEL: "error" });
    const gateway = (await stack.start(["sandbox", "--port", "0"])).url;
    const api = await stack.start(["start", "--role", "api", "--port", "0"], { GATEWAY_URL: gateway, VAULT_KEYRING_FILE: both });
    const { secretKey: key } = await stack.merchant();
    const payment = ok(await gql(api.url, CreatePaymentDocument, { input: { amount: "10.00", currency: "USD" } }, { key })).createPayment.payment;
    ok(await gql(api.url, ConfirmPaymentDocument, { input: { paymentId: payment.id, card: card(TEST_CARDS.approve) } }, { key }));

    const worker = await stack.start(["start", "--role", "worker"], { GATEWAY_URL: gateway, VAULT_KEYRING_FILE: newOnly });
    const done = await eventually(() => gql(api.url, PaymentDocument, { id: payment.id }, { key }).then((r) => ok(r).payment), (p) => p.status !== "PROCESSING");
    expect(done.status).not.toMatch(/CAPTURED|AUTHORIZED/);
    expect(done.lastPaymentError).toMatchObject({ code: "card_unreadable" });
    expect(done.lastPaymentError!.message).toContain("kek1");
    expect(done.attempts.nodes[0]).toMatchObject({ status: "FAILED", errorCode: "card_unreadable", tries: 0 });
    expect(await ledger(gateway)).toEqual([]);
    const logged = worker.output.join("\n");
    expect(logged).toMatch(/"level":(50|"error")/);
    expect(logged).toContain("vault_kek_unknown");
    expect(logged).toContain("kek1");
    expect(logged).not.toContain("4242424242424242");
  }, 60_000);
});

describe("an existing database sealed by VAULT_KEY alone", () => {
  let stack: Stack;
  afterAll(async () => stack?.close());

  it("reads pre-envelope cards, and 'vault rewrap' re-encrypts them under data keys with fingerprints unchanged", async () => {
    const vaultKey = b64();
    stack = await createStack({ VAULT_KEY: vaultKey });
    const { merchantId } = await stack.merchant(); // migrates the database
    const config = loadConfig({}, { NODE_ENV: "test", VAULT_KEY: vaultKey, DATABASE_URL: stack.databaseUrl });
    const keyId = config.vaultLegacyKeyId!;
    const pan = TEST_CARDS.approve;
    // A row as the vault wrote it before data keys existed.
    const oldPrint = fingerprintWith(legacyFingerprintKey(Buffer.from(vaultKey, "base64")), merchantId, pan);
    const client = new pg.Client({ connectionString: stack.databaseUrl });
    await client.connect();
    try {
      await client.query(
        `INSERT INTO payment_method (id, merchant_id, brand, last4, exp_month, exp_year, fingerprint, ciphertext, key_id) VALUES ('pm_legacy', $1, 'visa', '4242', 12, 2030, $2, $3, $4)`,
        [merchantId, oldPrint, encryptLegacy(Buffer.from(vaultKey, "base64"), keyId, merchantId, pan), keyId],
      );
      expect((await status(stack)).legacyCards).toBe(1);
      const rewrap = await vaultCli(stack, ["rewrap"]);
      expect(rewrap.stderr).toBe("");
      expect(rewrap.stdout).toContain("re-encrypted 1 pre-envelope card(s)");
      expect((await status(stack)).legacyCards).toBe(0);

      const { db, pool } = createDb(stack.databaseUrl, 2, false);
      try {
        const vault = createVault(config, db, createLogger("silent"));
        const row = await db.paymentMethod.findFirstOrThrow({ where: { id: "pm_legacy", merchantId } });
        expect(row.keyId).toMatch(/^dek_/);
        expect((await cardDetails(vault, row)).number).toBe(pan);
        expect(await fingerprint(vault, merchantId, pan)).toBe(oldPrint);
        const audit = await client.query(`SELECT action, actor FROM audit_record WHERE entity_id = 'pm_legacy'`);
        expect(audit.rows).toEqual([{ action: "payment_method.reencrypted", actor: "cli" }]);
      } finally {
        await db.$disconnect();
        await pool.end();
      }
    } finally {
      await client.end();
    }
  }, 60_000);
});
