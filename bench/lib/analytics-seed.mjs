// Seeds one merchant's history for the analytics bench with SQL (generate_series), in chunks, so
// that every row goes through the analytics triggers and the worker's fold like real traffic.
// Per 20 payments: 15 CAPTURED, 1 PARTIALLY_REFUNDED, 1 REFUNDED, 1 FAILED, 1 REQUIRES_PAYMENT_METHOD
// (no card), 1 CANCELED; USD/EUR/JPY; visa/mastercard/amex; two gateway accounts and the default
// gateway; one attempt per payment with a card (+1 failed attempt for every 10th), a succeeded
// refund for each refunded one. created_at spread evenly over `days` days up to now.
const STATUS = `(CASE WHEN i % 20 < 15 THEN 'CAPTURED' WHEN i % 20 = 15 THEN 'PARTIALLY_REFUNDED' WHEN i % 20 = 16 THEN 'REFUNDED'
  WHEN i % 20 = 17 THEN 'FAILED' WHEN i % 20 = 18 THEN 'REQUIRES_PAYMENT_METHOD' ELSE 'CANCELED' END)`;

export async function seedAnalytics(db, { merchantId, payments, days, chunk = 50_000, log }) {
  const cards = [];
  for (const brand of ["visa", "mastercard", "amex"]) {
    const id = `pm_bench_${brand}`;
    await db.query("INSERT INTO payment_method (id, merchant_id, brand, last4, exp_month, exp_year, fingerprint, ciphertext, key_id) VALUES ($1, $2, $3, '4242', 12, 2030, $1, '\\x00', 'k')", [id, merchantId, brand]);
    cards.push(id);
  }
  const accounts = [];
  for (const name of ["acquirer-a", "acquirer-b"]) {
    const id = `gwa_bench_${name.slice(-1)}`;
    await db.query("INSERT INTO gateway_account (id, merchant_id, name, kind, config_ciphertext, currencies, card_brands) VALUES ($1, $2, $3, 'SANDBOX', '\\x00', '{}', '{}')", [id, merchantId, name]);
    accounts.push(id);
  }
  const end = Date.now();
  const start = new Date(end - days * 86_400_000).toISOString();
  const spanMs = days * 86_400_000;
  const started = Date.now();
  for (let a = 1; a <= payments; a += chunk) {
    const b = Math.min(payments, a + chunk - 1);
    await db.query(`
      INSERT INTO payment (id, merchant_id, status, currency, amount, amount_captured, amount_refunded, capture_method, payment_method_id, created_at, updated_at)
      SELECT 'pay_bench' || i, $1, ${STATUS}::"PaymentStatus", (ARRAY['USD', 'EUR', 'JPY'])[i % 3 + 1], amt,
        CASE WHEN i % 20 <= 16 THEN amt ELSE 0 END,
        CASE WHEN i % 20 = 15 THEN amt / 2 WHEN i % 20 = 16 THEN amt ELSE 0 END,
        'AUTOMATIC', CASE WHEN i % 20 = 18 THEN NULL ELSE (ARRAY['${cards.join("','")}'])[i % 7 % 3 + 1] END, at, at
      FROM generate_series($2::int, $3::int) AS i,
        LATERAL (SELECT 100 + (i::bigint * 7919) % 99000 AS amt, $4::timestamptz + ((i::bigint * $5::bigint) / $6::bigint) * interval '1 millisecond' AS at) AS v`,
      [merchantId, a, b, start, spanMs, payments]);
    // Every 10th payment was declined once (soft) before its successful attempt.
    await db.query(`
      INSERT INTO payment_attempt (id, merchant_id, payment_id, gateway, gateway_account_id, status, amount, currency, latency_ms, created_at, updated_at)
      SELECT 'att_bench' || i || '_' || n, $1, p.id, COALESCE(g.name, 'sandbox'), g.id,
        (CASE WHEN n = 0 OR i % 20 IN (17, 19) THEN 'FAILED' ELSE 'SUCCEEDED' END)::"AttemptStatus",
        p.amount, p.currency, 20 + (i * 131 + n * 17) % 1500, p.created_at, p.created_at
      FROM generate_series($2::int, $3::int) AS i
      JOIN payment p ON p.id = 'pay_bench' || i
      CROSS JOIN LATERAL (SELECT unnest(CASE WHEN i % 10 = 0 THEN ARRAY[0, 1] ELSE ARRAY[1] END) AS n) AS tries
      LEFT JOIN gateway_account g ON g.id = (ARRAY['${accounts.join("','")}', NULL])[i % 3 + 1]
      WHERE p.payment_method_id IS NOT NULL`, [merchantId, a, b]);
    await db.query(`
      INSERT INTO refund (id, merchant_id, payment_id, amount, currency, status, created_at, updated_at)
      SELECT 're_bench' || i, $1, p.id, p.amount_refunded, p.currency, 'SUCCEEDED', p.created_at + interval '1 hour', p.created_at + interval '1 hour'
      FROM generate_series($2::int, $3::int) AS i JOIN payment p ON p.id = 'pay_bench' || i
      WHERE i % 20 IN (15, 16)`, [merchantId, a, b]);
    log(`  seeded ${b} / ${payments} payments (${Math.round((Date.now() - started) / 1000)} s)`);
  }
  return { start, end: new Date(end).toISOString(), seedS: Math.round((Date.now() - started) / 1000) };
}
