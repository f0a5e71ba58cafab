// What the orchestration bench reads back after its load: from PostgreSQL, how each merchant's
// payments were routed (retried on one gateway, failed over to another, attempts per gateway);
// from each sandbox's GET /ledger, the charges the gateways made, matched to attempts by their
// idempotency key (= the attempt id) to prove no payment was charged twice.
import { sleep } from "./stats.mjs";

const pct = (n, of) => (of > 0 ? Math.round((10_000 * n) / of) / 100 : null);

/** Waits until none of the merchant's payments is PROCESSING (or `maxMs` passed); resolves with how many still are. */
export async function settle(db, merchantId, maxMs = 60_000) {
  const until = Date.now() + maxMs;
  for (;;) {
    const { rows } = await db.query("SELECT count(*)::int AS n FROM payment WHERE merchant_id = $1 AND status = 'PROCESSING'", [merchantId]);
    if (rows[0].n === 0 || Date.now() > until) return rows[0].n;
    await sleep(1000);
  }
}

/**
 * Payments of one merchant: how many needed a retry (an attempt with tries > 1), a failover (more
 * than one attempt), either; by final status; over all of them and over those created at or after
 * `measuredFrom` (the measured window, warm-up excluded).
 */
export async function routingFigures(db, merchantId, measuredFrom) {
  const { rows } = await db.query(
    `WITH per AS (
       SELECT p.id, p.status::text AS status, p.created_at >= $2 AS measured, count(a.id)::int AS attempts, coalesce(max(a.tries), 0) AS max_tries
       FROM payment p LEFT JOIN payment_attempt a ON a.payment_id = p.id
       WHERE p.merchant_id = $1 GROUP BY p.id)
     SELECT measured, count(*)::int AS payments,
       count(*) FILTER (WHERE status = 'CAPTURED')::int AS captured,
       count(*) FILTER (WHERE max_tries > 1)::int AS retried,
       count(*) FILTER (WHERE attempts > 1)::int AS failed_over,
       count(*) FILTER (WHERE max_tries > 1 OR attempts > 1)::int AS retried_or_failed_over,
       max(attempts)::int AS max_attempts, max(max_tries)::int AS max_tries
     FROM per GROUP BY ROLLUP (measured)`,
    [merchantId, measuredFrom],
  );
  const shape = (r) => r && {
    payments: r.payments, captured: r.captured, retried: r.retried, failedOver: r.failed_over, retriedOrFailedOver: r.retried_or_failed_over,
    retriedPct: pct(r.retried, r.payments), failedOverPct: pct(r.failed_over, r.payments), retriedOrFailedOverPct: pct(r.retried_or_failed_over, r.payments),
    maxAttempts: r.max_attempts, maxTries: r.max_tries,
  };
  const byStatus = (await db.query("SELECT status::text, count(*)::int AS n FROM payment WHERE merchant_id = $1 GROUP BY 1 ORDER BY 1", [merchantId])).rows;
  return {
    all: shape(rows.find((r) => r.measured === null)),
    measured: shape(rows.find((r) => r.measured === true)),
    byStatus: Object.fromEntries(byStatus.map((r) => [r.status, r.n])),
    perGateway: await perGateway(db, merchantId),
    notCaptured: await notCaptured(db, merchantId),
  };
}

/** Attempts per gateway: first attempts (the planner's pick), failover targets, outcomes, calls made, skips for an open circuit. */
async function perGateway(db, merchantId) {
  const { rows } = await db.query(
    `SELECT gateway, count(*)::int AS attempts,
       count(*) FILTER (WHERE previous_attempt_id IS NULL)::int AS first,
       count(*) FILTER (WHERE previous_attempt_id IS NULL AND routing_reason LIKE 'Exploration%')::int AS explored,
       count(*) FILTER (WHERE previous_attempt_id IS NOT NULL)::int AS failover_in,
       count(*) FILTER (WHERE status = 'SUCCEEDED')::int AS succeeded,
       count(*) FILTER (WHERE status = 'FAILED')::int AS failed,
       count(*) FILTER (WHERE status = 'PENDING')::int AS pending,
       coalesce(sum(tries), 0)::int AS calls,
       count(*) FILTER (WHERE tries > 1)::int AS retried,
       count(*) FILTER (WHERE error_code = 'circuit_open')::int AS skipped_open,
       (SELECT json_object_agg(k, n) FROM (SELECT coalesce(error_code, '-') || '/' || coalesce(decision::text, '-') AS k, count(*)::int AS n
          FROM payment_attempt b WHERE b.merchant_id = $1 AND b.gateway = a.gateway AND b.status = 'FAILED' GROUP BY 1) f) AS failures
     FROM payment_attempt a WHERE merchant_id = $1 GROUP BY gateway ORDER BY gateway`,
    [merchantId],
  );
  return rows;
}

/** Payments that did not end CAPTURED (at most 20), each with its attempts: what to report if any. */
async function notCaptured(db, merchantId) {
  const { rows } = await db.query(
    `SELECT p.id, p.status::text, p.created_at, p.updated_at,
       (SELECT json_agg(json_build_object('id', a.id, 'gateway', a.gateway, 'status', a.status, 'tries', a.tries, 'errorCode', a.error_code,
          'decision', a.decision, 'previous', a.previous_attempt_id, 'createdAt', a.created_at, 'updatedAt', a.updated_at) ORDER BY a.created_at)
        FROM payment_attempt a WHERE a.payment_id = p.id) AS attempts
     FROM payment p WHERE p.merchant_id = $1 AND p.status <> 'CAPTURED' ORDER BY p.created_at LIMIT 20`,
    [merchantId],
  );
  return rows;
}

/** Every charge of every sandbox (GET /ledger), tagged with the sandbox's name. */
export async function readLedgers(sandboxes) {
  const out = [];
  for (const [name, url] of Object.entries(sandboxes)) {
    const res = await fetch(`${url}/ledger`);
    if (!res.ok) throw new Error(`GET ${url}/ledger: HTTP ${res.status}`);
    for (const charge of (await res.json()).charges) out.push({ ...charge, sandbox: name });
  }
  return out;
}

/** A charge that still holds money: authorized, or captured and not refunded in full. */
const holdsMoney = (c) => c.status === "authorized" || (c.status === "captured" && BigInt(c.amountCaptured) > BigInt(c.amountRefunded));

/**
 * Charges vs. payments for one merchant: each charge is matched to its attempt by key. A payment
 * with more than one charge holding money was charged twice; a CAPTURED payment with none was
 * recorded without a charge; a charge on an attempt that did not succeed is an orphan (the
 * product releases those, so it should hold no money).
 */
export async function ledgerCheck(db, merchantId, charges) {
  const { rows } = await db.query(
    "SELECT a.id, a.payment_id, a.status::text AS attempt_status, p.status::text AS payment_status FROM payment_attempt a JOIN payment p ON p.id = a.payment_id WHERE a.merchant_id = $1",
    [merchantId],
  );
  const attempts = new Map(rows.map((r) => [r.id, r]));
  const mine = charges.filter((c) => attempts.has(c.idempotencyKey));
  const keys = new Map();
  const perPayment = new Map();
  for (const c of mine) {
    keys.set(c.idempotencyKey, (keys.get(c.idempotencyKey) ?? 0) + 1);
    if (!holdsMoney(c)) continue;
    const paymentId = attempts.get(c.idempotencyKey).payment_id;
    perPayment.set(paymentId, [...(perPayment.get(paymentId) ?? []), `${c.sandbox}:${c.idempotencyKey}`]);
  }
  const captured = rows.filter((r) => r.payment_status === "CAPTURED");
  const capturedIds = new Set(captured.map((r) => r.payment_id));
  const orphans = mine.filter((c) => attempts.get(c.idempotencyKey).attempt_status !== "SUCCEEDED");
  return {
    charges: mine.length,
    chargesBySandbox: mine.reduce((m, c) => ({ ...m, [c.sandbox]: (m[c.sandbox] ?? 0) + 1 }), {}),
    keysSeenTwice: [...keys].filter(([, n]) => n > 1).map(([k]) => k),
    capturedPayments: capturedIds.size,
    capturedWithOneCharge: [...capturedIds].filter((id) => perPayment.get(id)?.length === 1).length,
    capturedWithoutCharge: [...capturedIds].filter((id) => !perPayment.has(id)),
    chargedTwice: [...perPayment].filter(([, list]) => list.length > 1).map(([paymentId, list]) => ({ paymentId, charges: list })),
    chargedButNotCaptured: [...perPayment.keys()].filter((id) => !capturedIds.has(id)),
    orphanCharges: orphans.length,
    orphansHoldingMoney: orphans.filter(holdsMoney).map((c) => `${c.sandbox}:${c.idempotencyKey}`),
  };
}

/** Where the planner sent first attempts, per `stepS` seconds since `since`: how fast routing moved off a bad gateway. */
export async function firstAttemptTimeline(db, merchantId, since, stepS = 5) {
  const { rows } = await db.query(
    `SELECT floor(extract(epoch FROM created_at - $2::timestamptz) / $3)::int AS step, gateway, count(*)::int AS n
     FROM payment_attempt WHERE merchant_id = $1 AND previous_attempt_id IS NULL GROUP BY 1, 2 ORDER BY 1, 2`,
    [merchantId, since, stepS],
  );
  const steps = new Map();
  for (const r of rows) steps.set(r.step, { ...steps.get(r.step), [r.gateway]: r.n });
  const last = Math.max(-1, ...steps.keys());
  // Every step, empty ones too: a gap (no payment started) is a finding of its own.
  return Array.from({ length: last + 1 }, (_, step) => ({ fromS: step * stepS, toS: (step + 1) * stepS, byGateway: steps.get(step) ?? {} }));
}
