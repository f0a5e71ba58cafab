// The audit bench: what the hash chain costs.
//   1. sealing throughput: N records (default 100,000) of one merchant, inserted unsealed with
//      payment-sized `after` views, then sealed by the chainer's own sealAll (records/s);
//   2. verifyAuditChain's work (verifyChain) over those N records: time and peak heap growth
//      (it streams pages of 2,000, so memory must not grow with N);
//   3. the added cost of recordAudit on a payment write: 1,000 transactions shaped like a payment
//      create + a transition (payment row, outbox message) with and without the audit insert; and
//      transitions whose record has only the `after` view (what payment_event, which the audit
//      record replaced, stored), so the difference main → this branch is visible.
//
//   npm run build && node bench/audit.mjs [--records 100000] [--writes 1000]
//
// Runs in-process against a scratch database (dropped at the end); prints JSON to stdout.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { randomBytes } from "node:crypto";
import { createDatabase, dbUrl, dropDatabase } from "./lib/db.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dist = (p) => import(path.join(ROOT, "dist", p));
const { values: flags } = parseArgs({ options: { records: { type: "string", default: "100000" }, writes: { type: "string", default: "1000" } } });
const N = Number(flags.records);
const WRITES = Number(flags.writes);
const log = (line) => process.stderr.write(`[audit ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const round = (x, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

const { applyMigrations } = await dist("platform/migrate.js");
const { createDb } = await dist("platform/db.js");
const { createMerchant } = await dist("merchants/merchants.js");
const { sealAll } = await dist("audit/chainer.js");
const { verifyChain } = await dist("audit/verify.js");
const { recordAudit } = await dist("audit/audit.js");
const { paymentToJson } = await dist("payments/payment.snapshot.js");
const { writeOutbox } = await dist("platform/outbox.js");
const { newId } = await dist("platform/ids.js");

const name = `paygraph_bench_audit_${randomBytes(4).toString("hex")}`;
await createDatabase(name);
const url = dbUrl(name);
const { db, pool } = createDb(url, 4, false);
try {
  await applyMigrations(url, path.join(ROOT, "prisma/migrations"));
  const { merchantId } = await createMerchant(db, "bench");

  // 1. Sealing. The `after` view is a payment snapshot's size and shape (≈ 600 bytes of JSON).
  log(`inserting ${N} unsealed records`);
  await db.$executeRawUnsafe(`
    INSERT INTO audit_record (id, merchant_id, actor, action, entity_type, entity_id, request_id, before, after, created_at)
    SELECT 'aud_b' || g, $1, 'key:key_bench', 'payment.captured', 'payment', 'pay_' || g, 'req-' || g,
      jsonb_build_object('status', 'PROCESSING', 'version', 2),
      jsonb_build_object('id', 'pay_' || g, 'merchantId', $1::text, 'status', 'CAPTURED', 'version', 3, 'amount', (g * 7 % 100000)::text,
        'amountCapturable', '0', 'amountCaptured', (g * 7 % 100000)::text, 'amountRefunded', '0', 'amountRefundPending', '0', 'currency', 'EUR',
        'captureMethod', 'AUTOMATIC', 'description', 'Order #' || g, 'metadata', jsonb_build_object('order', g::text), 'paymentMethodId', 'pm_' || g,
        'failedAttempts', 0, 'lastPaymentError', null, 'settlementCurrency', null, 'settlementAmount', null, 'fxRate', null,
        'createdAt', '2026-11-25T12:00:00.000Z', 'updatedAt', '2026-11-25T12:00:01.000Z'),
      now() + g * interval '1 millisecond'
    FROM generate_series(1, ${N}) g`, merchantId);
  let t0 = performance.now();
  const sealed = await sealAll({ db });
  const sealMs = performance.now() - t0;
  log(`sealed ${sealed.sealed} in ${round(sealMs)} ms`);

  // 2. Verifying, with the heap sampled every 20 ms.
  global.gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  let peak = heap0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 20);
  t0 = performance.now();
  const verdict = await verifyChain(db, merchantId);
  const verifyMs = performance.now() - t0;
  clearInterval(sampler);
  log(`verified ${verdict.checked} in ${round(verifyMs)} ms (ok: ${verdict.ok})`);
  if (!verdict.ok) throw new Error(`chain did not verify: ${JSON.stringify(verdict, (_k, v) => (typeof v === "bigint" ? String(v) : v))}`);

  // 3. A payment write with and without its audit record, alternating blocks of 100 (so drift
  // over the run, autovacuum and the like, falls on both sides alike).
  const ctx = { merchantId, requestId: "req-bench", actor: "key:key_bench" };
  const write = async (audit) => {
    await db.$transaction(async (tx) => {
      const created = await tx.payment.create({ data: { id: newId("pay"), merchantId, status: "REQUIRES_PAYMENT_METHOD", amount: 1000n, currency: "EUR", captureMethod: "AUTOMATIC", description: "bench", metadata: { order: "1" } } });
      if (audit) await recordAudit(tx, ctx, { action: "payment.created", entityType: "payment", entityId: created.id, after: paymentToJson(created) });
      await writeOutbox(tx, [{ topic: "bench", payload: { id: created.id } }]);
    });
  };
  const transition = async (id, audit, withBefore = true) => {
    await db.$transaction(async (tx) => {
      const before = await tx.payment.findFirstOrThrow({ where: { id, merchantId } });
      const after = await tx.payment.update({ where: { id, version: before.version }, data: { version: before.version + 1, updatedAt: new Date() } });
      if (audit) await recordAudit(tx, ctx, { action: "payment.updated", entityType: "payment", entityId: id, before: withBefore ? paymentToJson(before) : null, after: paymentToJson(after) });
      await writeOutbox(tx, [{ topic: "bench", payload: { id } }]);
    });
  };
  const ids = (await db.payment.findMany({ select: { id: true }, take: 1 })).map((p) => p.id);
  if (!ids.length) { await write(false); ids.push((await db.payment.findFirstOrThrow({ select: { id: true } })).id); }
  for (let i = 0; i < 100; i++) await write(i % 2 === 0); // warm-up
  const ms = { create: { with: 0, without: 0 }, transition: { with: 0, without: 0 } };
  let afterOnlyMs = 0;
  for (let block = 0; block < WRITES / 50; block++) {
    const audit = block % 2 === 0;
    let s = performance.now();
    for (let i = 0; i < 50; i++) await write(audit);
    ms.create[audit ? "with" : "without"] += performance.now() - s;
    s = performance.now();
    for (let i = 0; i < 50; i++) await transition(ids[0], audit);
    ms.transition[audit ? "with" : "without"] += performance.now() - s;
    if (audit) continue;
    s = performance.now();
    for (let i = 0; i < 50; i++) await transition(ids[0], true, false);
    afterOnlyMs += performance.now() - s;
  }
  const per = (x) => round(x / (WRITES / 2), 3);
  const cost = Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, {
    withAuditMs: per(v.with), withoutAuditMs: per(v.without), addedMs: round(per(v.with) - per(v.without), 3), addedPct: round(((v.with - v.without) / v.without) * 100),
  }]));

  // The chain after the writes above still verifies (they were sealed on top).
  const more = await sealAll({ db });
  const after = await verifyChain(db, merchantId);
  const result = {
    records: N,
    sealing: { sealed: sealed.sealed, ms: round(sealMs), recordsPerSecond: Math.round((sealed.sealed / sealMs) * 1000) },
    verify: { checked: verdict.checked, ms: round(verifyMs), recordsPerSecond: Math.round((verdict.checked / verifyMs) * 1000), peakHeapGrowthMB: round((peak - heap0) / 2 ** 20) },
    paymentWrite: { transactions: WRITES, ...cost, transitionAfterViewOnlyMs: per(afterOnlyMs) },
    afterWrites: { sealed: more.sealed, ok: after.ok, checked: after.checked },
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} finally {
  await db.$disconnect();
  await pool.end().catch(() => undefined);
  await dropDatabase(name);
}
