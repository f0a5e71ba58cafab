// Idempotency keys and money invariants under concurrency, against the real database.
import pg from "pg";
import { beforeAll, describe, expect, it } from "vitest";
import { ConfirmPaymentDocument, CreatePaymentDocument, PaymentDocument, PaymentsDocument, RefundPaymentDocument } from "../../client/src/generated/graphql.js";
import { TEST_CARDS, card, errorCode, eventually, gql, ok, useServer } from "../support/stack.js";

const server = useServer();
let url: string;
let key: string;
beforeAll(() => void ({ url, key } = server));

describe("idempotency", () => {
  it("turns 20 concurrent createPayment with one key into one payment and 20 identical answers", async () => {
    const input = { amount: "42.00", currency: "USD", idempotencyKey: "order-1001" };
    const results = await Promise.all(Array.from({ length: 20 }, () => gql(url, CreatePaymentDocument, { input }, { key })));
    const answers = results.map((r) => JSON.stringify(ok(r)));
    expect(new Set(answers).size).toBe(1);
    const listed = ok(await gql(url, PaymentsDocument, { first: 100 }, { key })).payments.edges;
    expect(listed.filter((e) => e.node.amount.amount === "42.00")).toHaveLength(1);
  });

  it("refuses the same key with a different request", async () => {
    ok(await gql(url, CreatePaymentDocument, { input: { amount: "1.00", currency: "USD", idempotencyKey: "order-1002" } }, { key }));
    const reused = await gql(url, CreatePaymentDocument, { input: { amount: "2.00", currency: "USD", idempotencyKey: "order-1002" } }, { key });
    expect(errorCode(reused)).toBe("IDEMPOTENCY_KEY_REUSED");
  });

  it("treats the same amount spelled differently as the same request", async () => {
    const a = ok(await gql(url, CreatePaymentDocument, { input: { amount: "12.5", currency: "usd", idempotencyKey: "order-1004" } }, { key }));
    const b = ok(await gql(url, CreatePaymentDocument, { input: { amount: "12.50", currency: "USD", idempotencyKey: "order-1004" } }, { key }));
    expect(b.createPayment.payment.id).toBe(a.createPayment.payment.id);
  });

  it("answers IDEMPOTENCY_IN_PROGRESS while the first request with the key is still running", async () => {
    // Stand in for a first request stuck mid-flight: hold its idempotency record uncommitted.
    const first = new pg.Client({ connectionString: server.stack.databaseUrl });
    await first.connect();
    await first.query("BEGIN");
    await first.query(
      `INSERT INTO idempotency_record (merchant_id, key, operation, request_hash, state) VALUES ($1, 'order-1005', 'createPayment', 'x', 'IN_PROGRESS')`,
      [server.merchantId],
    );
    const second = await gql(url, CreatePaymentDocument, { input: { amount: "5.00", currency: "USD", idempotencyKey: "order-1005" } }, { key });
    await first.query("ROLLBACK");
    await first.end();
    expect(errorCode(second)).toBe("IDEMPOTENCY_IN_PROGRESS");
  });

  it("accepts the key as an Idempotency-Key header too", async () => {
    const headers = { "Idempotency-Key": "order-1003" };
    const a = ok(await gql(url, CreatePaymentDocument, { input: { amount: "3.00", currency: "USD" } }, { key, headers }));
    const b = ok(await gql(url, CreatePaymentDocument, { input: { amount: "3.00", currency: "USD" } }, { key, headers }));
    expect(b.createPayment.payment.id).toBe(a.createPayment.payment.id);
  });

  it("refuses one Idempotency-Key header for several mutations", async () => {
    const two = `mutation { a: createPayment(input: { amount: "1.00", currency: "USD" }) { payment { id } } b: createPayment(input: { amount: "2.00", currency: "USD" }) { payment { id } } }`;
    const result = await gql(url, two, undefined, { key, headers: { "Idempotency-Key": "order-1006" } });
    expect(errorCode(result)).toBe("BAD_USER_INPUT");
    expect(result.data ?? null).toBeNull();
  });

  it("scopes keys per merchant", async () => {
    const other = (await server.stack.merchant("Other")).secretKey;
    const input = { amount: "4.00", currency: "USD", idempotencyKey: "shared-key" };
    const a = ok(await gql(url, CreatePaymentDocument, { input }, { key }));
    const b = ok(await gql(url, CreatePaymentDocument, { input }, { key: other }));
    expect(a.createPayment.payment.id).not.toBe(b.createPayment.payment.id);
  });

  it("confirms once for concurrent confirmations with one key: one attempt, one charge", async () => {
    const payment = ok(await gql(url, CreatePaymentDocument, { input: { amount: "5.00", currency: "USD" } }, { key })).createPayment.payment;
    const input = { paymentId: payment.id, card: card(TEST_CARDS.approve), idempotencyKey: `confirm-${payment.id}` };
    const results = await Promise.all(Array.from({ length: 10 }, () => gql(url, ConfirmPaymentDocument, { input }, { key })));
    expect(results.every((r) => !r.errors)).toBe(true);
    const done = await eventually(async () => ok(await gql(url, PaymentDocument, { id: payment.id }, { key })).payment, (p) => p.status === "CAPTURED");
    expect(done.attempts.nodes).toHaveLength(1);
  });
});

describe("concurrent confirmations without a key", () => {
  // The commonest confirmation (an inline card, no key) is one statement with no transaction: the
  // version guard alone must let exactly one through, and a refused one must leave nothing behind.
  it("lets one through, refuses the others as INVALID_STATE_TRANSITION, and writes one card and one attempt", async () => {
    const payment = ok(await gql(url, CreatePaymentDocument, { input: { amount: "6.00", currency: "USD" } }, { key })).createPayment.payment;
    const input = { paymentId: payment.id, card: card(TEST_CARDS.approve) };
    const results = await Promise.all(Array.from({ length: 10 }, () => gql(url, ConfirmPaymentDocument, { input }, { key })));
    const codes = results.map((r) => errorCode(r) ?? "ok");
    expect(codes.filter((c) => c === "ok")).toHaveLength(1);
    expect(codes.filter((c) => c !== "ok").every((c) => c === "INVALID_STATE_TRANSITION")).toBe(true);
    const done = await eventually(async () => ok(await gql(url, PaymentDocument, { id: payment.id }, { key })).payment, (p) => p.status === "CAPTURED");
    expect(done.attempts.nodes).toHaveLength(1);
    const db = new pg.Client({ connectionString: server.stack.databaseUrl });
    await db.connect();
    try {
      const { rows } = await db.query<{ cards: number; created: number }>(
        `SELECT (SELECT count(*)::int FROM payment_method WHERE id = p.payment_method_id) AS cards,
                (SELECT count(*)::int FROM audit_record WHERE entity_type = 'payment_method' AND entity_id = p.payment_method_id) AS created
         FROM payment p WHERE p.id = $1`, [payment.id]);
      expect(rows[0]).toEqual({ cards: 1, created: 1 });
      // Nine refused confirmations vaulted nothing: every card row of the merchant's last minute belongs to a payment.
      const orphans = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM payment_method m WHERE m.created_at > now() - interval '1 minute'
           AND NOT EXISTS (SELECT 1 FROM payment p WHERE p.payment_method_id = m.id)
           AND NOT EXISTS (SELECT 1 FROM saved_payment_method s WHERE s.payment_method_id = m.id)
           AND NOT EXISTS (SELECT 1 FROM card_token t WHERE t.payment_method_id = m.id)`);
      expect(orphans.rows[0]!.n).toBe(0);
    } finally {
      await db.end();
    }
  });
});

describe("concurrent refunds", () => {
  it("never refund more than was captured, whatever the interleaving", async () => {
    const payment = ok(await gql(url, CreatePaymentDocument, { input: { amount: "100.00", currency: "USD" } }, { key })).createPayment.payment;
    ok(await gql(url, ConfirmPaymentDocument, { input: { paymentId: payment.id, card: card(TEST_CARDS.approve) } }, { key }));
    await eventually(async () => ok(await gql(url, PaymentDocument, { id: payment.id }, { key })).payment, (p) => p.status === "CAPTURED");

    // 20 refunds of 7.00 = 140.00 against 100.00 captured: exactly 14 fit.
    const results = await Promise.all(
      Array.from({ length: 20 }, () => gql(url, RefundPaymentDocument, { input: { paymentId: payment.id, amount: "7.00" } }, { key })),
    );
    const accepted = results.filter((r) => !r.errors);
    expect(accepted).toHaveLength(14);
    expect(results.filter((r) => r.errors).every((r) => errorCode(r) === "BAD_USER_INPUT")).toBe(true);

    const final = await eventually(
      async () => ok(await gql(url, PaymentDocument, { id: payment.id }, { key })).payment,
      (p) => p.amountRefundPending.minorUnits === "0",
    );
    expect(final.amountRefunded.amount).toBe("98.00");
    expect(BigInt(final.amountRefunded.minorUnits)).toBeLessThanOrEqual(BigInt(final.amountCaptured.minorUnits));
    expect(final.refunds.nodes.filter((r) => r.status === "SUCCEEDED")).toHaveLength(14);
    expect(final.status).toBe("PARTIALLY_REFUNDED");
  });
});
