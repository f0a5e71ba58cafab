// What the analytics triggers add to a write: 1000 single-row UPDATEs, each its own transaction
// (as in the lifecycle), timed with the triggers and again with them disabled. Run last: the
// writes without triggers leave the rollups out of step with the rows (the bench database is
// dropped afterwards).
import { round } from "./stats.mjs";

async function timed(db, ids, sql) {
  const t0 = performance.now();
  for (const id of ids) await db.query(sql, [id]);
  return performance.now() - t0;
}

async function compare(db, label, table, triggers, pick, update) {
  const ids = (await db.query(pick)).rows.map((r) => r.id);
  if (ids.length < 2000) throw new Error(`trigger cost: only ${ids.length} rows for ${label}`);
  const [a, b] = [ids.slice(0, 1000), ids.slice(1000, 2000)];
  await timed(db, ids.slice(2000, 2100), update); // warm-up
  const withMs = await timed(db, a, update);
  for (const t of triggers) await db.query(`ALTER TABLE ${table} DISABLE TRIGGER ${t}`);
  const withoutMs = await timed(db, b, update);
  for (const t of triggers) await db.query(`ALTER TABLE ${table} ENABLE TRIGGER ${t}`);
  return { label, withMs: round(withMs), withoutMs: round(withoutMs), extraPerUpdateMs: round((withMs - withoutMs) / 1000, 3) };
}

export async function triggerCost(db, merchantId) {
  return [
    // A payment's status change (two delta rows: minus the old group, plus the new).
    await compare(db, "payment CAPTURED → PARTIALLY_REFUNDED", "payment", ["analytics_payment_update"],
      `SELECT id FROM payment WHERE merchant_id = '${merchantId}' AND status = 'CAPTURED' LIMIT 2100`,
      "UPDATE payment SET status = 'PARTIALLY_REFUNDED', version = version + 1 WHERE id = $1"),
    // An attempt finishing with success (the heaviest: locks the payment, moves it to the gateway).
    await compare(db, "attempt PENDING → SUCCEEDED", "payment_attempt", ["analytics_attempt_update"],
      `INSERT INTO payment_attempt (id, merchant_id, payment_id, gateway, status, amount, currency, created_at, updated_at)
       SELECT 'att_cost' || p.id, p.merchant_id, p.id, 'sandbox', 'PENDING', p.amount, p.currency, p.created_at, p.created_at
       FROM payment p WHERE p.merchant_id = '${merchantId}' AND p.status = 'REQUIRES_PAYMENT_METHOD' LIMIT 2100 RETURNING id`,
      "UPDATE payment_attempt SET status = 'SUCCEEDED', latency_ms = 120 WHERE id = $1"),
  ];
}
