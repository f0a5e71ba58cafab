// The audit log (issue #4 item 7) through the real server: operations leave records with who acted
// (the key's id), the request's x-request-id and before/after views without secrets; the worker's
// chainer seals them into a per-merchant hash chain; tampering as the database superuser (trigger
// bypassed) is named by verifyAuditChain; merchants see only their own records.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ApiKeysDocument, AuditLogDocument, ConfirmPaymentDocument, CreateApiKeyDocument, CreateGatewayAccountDocument, CreatePaymentDocument,
  DisableGatewayAccountDocument, PaymentDocument, RevokeApiKeyDocument, RollApiKeyDocument, SetExchangeRateDocument, VerifyAuditChainDocument,
  type AuditLogFilter, type AuditLogQuery,
} from "../../client/src/generated/graphql.js";
import { TEST_CARDS, card, errorCode, eventually, gql, ok, useServer } from "../support/stack.js";
import { recordHash } from "../../src/audit/hash.js";

const server = useServer({ AUDIT_CHAIN_MS: "100" });
let url: string;
let key: string;
let merchantId: string;
let db: pg.Client;
beforeAll(async () => {
  ({ url, key, merchantId } = server);
  db = new pg.Client({ connectionString: server.stack.databaseUrl });
  await db.connect();
});
afterAll(async () => db?.end());

type Record_ = AuditLogQuery["auditLog"]["edges"][number]["node"];

const log = async (as: string, filter?: AuditLogFilter, first = 100): Promise<Record_[]> =>
  ok(await gql(url, AuditLogDocument, { first, filter }, { key: as })).auditLog.edges.map((e) => e.node);
const verify = async (as: string) => ok(await gql(url, VerifyAuditChainDocument, {}, { key: as })).verifyAuditChain;
/** Waits until the chainer has sealed everything written so far. */
const sealed = (as: string) => eventually(() => verify(as), (v) => v.unsealed === 0 && Number(v.headSeq) > 0);
const keyId = async (as: string) => ok(await gql(url, ApiKeysDocument, {}, { key: as })).apiKeys.nodes.find((k) => as.endsWith(k.last4))!.id;
const makeKeys = async (as: string, n: number) => {
  for (let i = 0; i < n; i++) ok(await gql(url, CreateApiKeyDocument, { input: { name: `k${i}`, kind: "RESTRICTED", scopes: ["payments:read"] } }, { key: as }));
};

/** Runs `sql` as the superuser with triggers off: an attacker with full write access to the database. */
async function asAttacker(sql: string, params: unknown[]): Promise<void> {
  await db.query("BEGIN");
  await db.query("SET LOCAL session_replication_role = replica");
  await db.query(sql, params);
  await db.query("COMMIT");
}

describe("what is recorded", () => {
  it("records a payment's changes with the key as actor, the x-request-id, and before/after without card data", async () => {
    const actor = `key:${await keyId(key)}`;
    const created = ok(await gql(url, CreatePaymentDocument, { input: { amount: "10.00", currency: "EUR" } }, { key, headers: { "x-request-id": "req-audit-create" } })).createPayment.payment;
    ok(await gql(url, ConfirmPaymentDocument, { input: { paymentId: created.id, card: card(TEST_CARDS.approve) } }, { key, headers: { "x-request-id": "req-audit-confirm" } }));
    const payment = await eventually(async () => ok(await gql(url, PaymentDocument, { id: created.id }, { key })).payment, (p) => p.status === "CAPTURED");

    const records = await log(key, { entityId: created.id });
    expect(records.map((r) => r.action)).toEqual(["payment.captured", "payment.processing", "payment.created"]); // newest first
    const [captured, processing, first] = records;
    expect(first).toMatchObject({ actor, requestId: "req-audit-create", entityType: "payment", before: null, after: { id: created.id, status: "REQUIRES_PAYMENT_METHOD", version: 1, amount: "1000" } });
    expect(processing).toMatchObject({ actor, requestId: "req-audit-confirm", before: { status: "REQUIRES_PAYMENT_METHOD" }, after: { status: "PROCESSING" } });
    expect(captured).toMatchObject({ actor: "system:worker", before: { status: "PROCESSING" }, after: { status: "CAPTURED", version: payment.version } });

    // The same request vaulted the card and created the attempt: both recorded under its id.
    const confirmRecords = (await log(key)).filter((r) => r.requestId === "req-audit-confirm");
    expect(confirmRecords.map((r) => r.action).sort()).toEqual(["payment.processing", "payment_attempt.created", "payment_method.created"]);
    const method = confirmRecords.find((r) => r.action === "payment_method.created")!;
    expect(method.after).toMatchObject({ brand: "visa", last4: "4242" });
    const text = JSON.stringify(await log(key));
    expect(text).not.toContain(TEST_CARDS.approve);
    expect(text).not.toMatch(/"fingerprint"\s*:/); // no fingerprint value (a data key of kind "fingerprint" may be named)
    expect(text).not.toContain("ciphertext");

    // Payment.events reads the same records (payment_event is gone), in version order.
    const events = ok(await gql(url, PaymentDocument, { id: created.id }, { key })).payment.events.nodes;
    expect(events.map((e) => [e.type, e.fromStatus, e.toStatus, e.version])).toEqual([
      ["payment.created", null, "REQUIRES_PAYMENT_METHOD", 1], ["payment.processing", "REQUIRES_PAYMENT_METHOD", "PROCESSING", 2], ["payment.captured", "PROCESSING", "CAPTURED", 3],
    ]);
  });

  it("records API key, gateway account and merchant administration, with no key hash or gateway config", async () => {
    const actor = `key:${await keyId(key)}`;
    const made = ok(await gql(url, CreateApiKeyDocument, { input: { name: "ops", kind: "SECRET" } }, { key, headers: { "x-request-id": "req-key" } })).createApiKey;
    const rolled = ok(await gql(url, RollApiKeyDocument, { input: { id: made.apiKey.id, gracePeriodSeconds: 60 } }, { key })).rollApiKey;
    ok(await gql(url, RevokeApiKeyDocument, { input: { id: rolled.apiKey.id } }, { key }));
    const account = ok(await gql(url, CreateGatewayAccountDocument, { input: { name: "second", kind: "SANDBOX", config: { url: "http://127.0.0.1:1" } } }, { key }));
    const accountId = account.createGatewayAccount.gatewayAccount.id;
    ok(await gql(url, DisableGatewayAccountDocument, { input: { id: accountId } }, { key }));

    const keys = await log(key, { entityType: "api_key" });
    const byAction = (a: string, id: string) => keys.find((r) => r.action === a && r.entityId === id);
    expect(byAction("api_key.created", made.apiKey.id)).toMatchObject({ actor, requestId: "req-key", before: null, after: { id: made.apiKey.id, name: "ops", kind: "SECRET", last4: made.secret.slice(-4) } });
    expect(byAction("api_key.rolled", made.apiKey.id)).toMatchObject({ before: { rolledToId: null }, after: { rolledToId: rolled.apiKey.id, gracePeriodSeconds: 60 } });
    expect(byAction("api_key.created", rolled.apiKey.id)).toMatchObject({ after: { rolledFromId: made.apiKey.id } });
    expect(byAction("api_key.revoked", rolled.apiKey.id)).toMatchObject({ before: { revokedAt: null }, after: { revokedAt: expect.any(String) } });
    for (const r of keys) expect(Object.keys((r.after ?? {}) as object)).not.toContain("hash");

    const accounts = await log(key, { entityId: accountId });
    expect(accounts.map((r) => r.action)).toEqual(["gateway_account.disabled", "gateway_account.created"]);
    expect(accounts[0]).toMatchObject({ before: { enabled: true }, after: { enabled: false, name: "second" } });
    expect(JSON.stringify(accounts)).not.toMatch(/config|127\.0\.0\.1:1/);

    // `paygraph merchant create` is the merchant's first record, by `cli`.
    const origin = await log(key, { actor: "cli" });
    expect(origin.map((r) => r.action).sort()).toEqual(["api_key.created", "merchant.created"]);
    expect(origin.find((r) => r.action === "merchant.created")).toMatchObject({ entityId: merchantId, after: { id: merchantId, name: "Test merchant" } });
  });

  it("records an admin's exchange rate in the admin merchant's log", async () => {
    const admin = (await server.stack.merchant("Platform admin", { admin: true })).secretKey;
    ok(await gql(url, SetExchangeRateDocument, { input: { from: "EUR", to: "JPY", rate: "161.5" } }, { key: admin }));
    const [record] = await log(admin, { action: "exchange_rate.set" });
    expect(record).toMatchObject({ actor: `key:${await keyId(admin)}`, entityId: "EUR/JPY", after: { from: "EUR", to: "JPY", rate: "161.5", source: "manual" } });
    expect(await log(key, { action: "exchange_rate.set" })).toEqual([]);
  });

  it("writes no record for a refused change (same transaction)", async () => {
    const made = ok(await gql(url, CreateApiKeyDocument, { input: { name: "once", kind: "SECRET" } }, { key })).createApiKey;
    ok(await gql(url, RollApiKeyDocument, { input: { id: made.apiKey.id, gracePeriodSeconds: 60 } }, { key }));
    // The second roll fails inside its transaction, after inserting its new key: key and record roll back together.
    const keysBefore = (await log(key, { action: "api_key.created" })).length;
    expect(errorCode(await gql(url, RollApiKeyDocument, { input: { id: made.apiKey.id, gracePeriodSeconds: 60 } }, { key }))).toBe("CONFLICT");
    const dup = { input: { name: "twice", kind: "SANDBOX" as const, config: { url: "http://127.0.0.1:2" } } };
    ok(await gql(url, CreateGatewayAccountDocument, dup, { key }));
    expect(errorCode(await gql(url, CreateGatewayAccountDocument, dup, { key }))).toBe("BAD_USER_INPUT");
    expect(await log(key, { action: "api_key.rolled", entityId: made.apiKey.id })).toHaveLength(1);
    expect(await log(key, { action: "api_key.created" })).toHaveLength(keysBefore);
    const created = (await log(key, { action: "gateway_account.created" })).filter((r) => (r.after as { name: string }).name === "twice");
    expect(created).toHaveLength(1);
  });

  it("needs the admin scope", async () => {
    const reader = ok(await gql(url, CreateApiKeyDocument, { input: { name: "reader", kind: "RESTRICTED", scopes: ["payments:read"] } }, { key })).createApiKey.secret;
    for (const result of [await gql(url, AuditLogDocument, {}, { key: reader }), await gql(url, VerifyAuditChainDocument, {}, { key: reader })]) {
      expect(errorCode(result)).toBe("FORBIDDEN");
      expect(result.errors?.[0]?.extensions?.missingScope).toBe("admin");
    }
  });
});

describe("the chain", () => {
  it("seals every record in order and verifies", async () => {
    const v = await sealed(key);
    expect(v).toMatchObject({ ok: true, firstBroken: null, unsealed: 0 });
    expect(v.checked).toBe(Number(v.headSeq));
    const records = await log(key);
    const seqs = records.map((r) => Number(r.seq)).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    for (const r of records) expect(r.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("seals the platform's own records too (the OAuth signing key's data key)", async () => {
    const made = ok(await gql(url, 'mutation { createOAuthClient(input: { name: "chain", scopes: ["payments:read"] }) { client { id } clientSecret } }', {}, { key })) as { createOAuthClient: { client: { id: string }; clientSecret: string } };
    const form = new URLSearchParams({ grant_type: "client_credentials", client_id: made.createOAuthClient.client.id, client_secret: made.createOAuthClient.clientSecret });
    expect((await fetch(`${url}/oauth/token`, { method: "POST", body: form })).status).toBe(200); // the first token makes a signing key
    const platform = async () => (await db.query<{ total: string; unsealed: string }>(
      "SELECT count(*) AS total, count(*) FILTER (WHERE seq IS NULL) AS unsealed FROM audit_record WHERE merchant_id = 'platform'")).rows[0]!;
    const done = await eventually(platform, (p) => Number(p.total) > 0 && Number(p.unsealed) === 0);
    expect(Number(done.total)).toBeGreaterThan(0);
  });

  it("refuses UPDATE, DELETE and TRUNCATE of the log in the database", async () => {
    await sealed(key);
    await expect(db.query(`UPDATE audit_record SET actor = 'someone' WHERE merchant_id = $1`, [merchantId])).rejects.toThrow(/append-only/);
    await expect(db.query(`DELETE FROM audit_record WHERE merchant_id = $1`, [merchantId])).rejects.toThrow(/append-only/);
    await expect(db.query(`TRUNCATE audit_record`)).rejects.toThrow(/append-only/);
    await expect(db.query(`UPDATE audit_head SET seq = 1 WHERE merchant_id = $1`, [merchantId])).rejects.toThrow(/forward/);
    expect((await verify(key)).ok).toBe(true);
  });

  it("names an edited record", async () => {
    const victim = (await server.stack.merchant("Edited")).secretKey;
    await makeKeys(victim, 4);
    await sealed(victim);
    const { rows } = await db.query<{ id: string; merchant_id: string }>(
      `SELECT r.id, r.merchant_id FROM audit_record r JOIN api_key k ON k.merchant_id = r.merchant_id WHERE k.last4 = $1 AND r.seq = 4`, [victim.slice(-4)]);
    await asAttacker(`UPDATE audit_record SET after = jsonb_set(after, '{name}', '"renamed"') WHERE id = $1`, [rows[0]!.id]);
    expect(await verify(victim)).toMatchObject({ ok: false, checked: 3, firstBroken: { seq: "4", id: rows[0]!.id, reason: "EDITED" } });
  });

  it("names the broken link after a record edited with its hash recomputed", async () => {
    const victim = (await server.stack.merchant("Rehashed")).secretKey;
    await makeKeys(victim, 4);
    await sealed(victim);
    const { rows } = await db.query<{ id: string; merchant_id: string; seq: string; actor: string; action: string; entity_type: string; entity_id: string; request_id: string; before: unknown; after: { name: string }; created_at: Date; prev_hash: string }>(
      `SELECT r.* FROM audit_record r JOIN api_key k ON k.merchant_id = r.merchant_id WHERE k.last4 = $1 AND r.seq IN (3, 4) ORDER BY r.seq`, [victim.slice(-4)]);
    const [third, fourth] = rows;
    // The attacker knows the hashing scheme (it is public): record 3 is edited and its own hash made consistent.
    const after = { ...third!.after, name: "renamed" };
    const hash = recordHash({
      id: third!.id, merchantId: third!.merchant_id, seq: BigInt(third!.seq), actor: third!.actor, action: third!.action, entityType: third!.entity_type,
      entityId: third!.entity_id, requestId: third!.request_id, before: null, after, createdAt: third!.created_at, prevHash: third!.prev_hash,
    });
    await asAttacker(`UPDATE audit_record SET after = $2, hash = $3 WHERE id = $1`, [third!.id, JSON.stringify(after), hash]);
    expect(await verify(victim)).toMatchObject({ ok: false, checked: 3, firstBroken: { seq: "4", id: fourth!.id, reason: "BROKEN_LINK" } });
  });

  it("names a deleted middle record MISSING at its seq", async () => {
    const victim = (await server.stack.merchant("Gap")).secretKey;
    await makeKeys(victim, 4);
    await sealed(victim);
    await asAttacker(`DELETE FROM audit_record r USING api_key k WHERE k.merchant_id = r.merchant_id AND k.last4 = $1 AND r.seq = 3`, [victim.slice(-4)]);
    expect(await verify(victim)).toMatchObject({ ok: false, checked: 2, firstBroken: { seq: "3", id: null, reason: "MISSING" } });
  });

  it("detects the newest records deleted, by the head", async () => {
    const victim = (await server.stack.merchant("Tail")).secretKey;
    await makeKeys(victim, 4);
    const before = await sealed(victim);
    const head = Number(before.headSeq);
    await asAttacker(`DELETE FROM audit_record r USING api_key k WHERE k.merchant_id = r.merchant_id AND k.last4 = $1 AND r.seq >= $2`, [victim.slice(-4), head - 1]);
    expect(await verify(victim)).toMatchObject({ ok: false, checked: head - 2, headSeq: String(head), firstBroken: { seq: String(head - 1), reason: "HEAD_MISMATCH" } });
  });
});

describe("reading the log", () => {
  it("shows a merchant none of another's records", async () => {
    const other = (await server.stack.merchant("Other")).secretKey;
    const mine = await log(key);
    const theirs = await log(other);
    expect(theirs.map((r) => r.action).sort()).toEqual(["api_key.created", "merchant.created"]);
    const ids = new Set(mine.map((r) => r.id));
    for (const r of theirs) expect(ids.has(r.id)).toBe(false);
    expect(await log(other, { entityId: mine[0]!.entityId })).toEqual([]);
    expect((await sealed(other)).headSeq).toBe("2");
  });

  it("pages newest first with stable cursors, and filters", async () => {
    const pager = (await server.stack.merchant("Pager")).secretKey;
    await makeKeys(pager, 7);
    const all = await log(pager); // 2 from creation + 7
    expect(all).toHaveLength(9);
    const times = all.map((r) => Date.parse(r.createdAt as string));
    expect(times).toEqual([...times].sort((a, b) => b - a));

    const seen: string[] = [];
    let after: string | null | undefined;
    for (;;) {
      const page = ok(await gql(url, AuditLogDocument, { first: 4, after }, { key: pager })).auditLog;
      seen.push(...page.edges.map((e) => e.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(all.map((r) => r.id));

    expect(await log(pager, { action: "api_key.created" })).toHaveLength(8);
    expect(await log(pager, { entityType: "merchant" })).toHaveLength(1);
    const middle = all[4]!;
    const from = await log(pager, { from: middle.createdAt });
    expect(from.every((r) => Date.parse(r.createdAt as string) >= Date.parse(middle.createdAt as string))).toBe(true);
    const to = await log(pager, { to: middle.createdAt });
    expect(from.length + to.length).toBe(9);

    expect(errorCode(await gql(url, AuditLogDocument, { after: "not-a-cursor" }, { key: pager }))).toBe("BAD_USER_INPUT");
    expect(errorCode(await gql(url, AuditLogDocument, { first: 0 }, { key: pager }))).toBe("BAD_USER_INPUT");
    expect(errorCode(await gql(url, AuditLogDocument, { filter: { from: middle.createdAt, to: middle.createdAt } }, { key: pager }))).toBe("BAD_USER_INPUT");
  });
});
