// Batches through the real api, worker and a sandbox gateway: validation of the whole input before
// anything runs, one batch per idempotency key, files posted to /v1/batches, cancellation, and
// 400 refunds run through a flaky gateway while the worker is killed: every item applied exactly
// once, the counts reconciled with the gateway's own ledger.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BatchDocument, BatchUpdatedDocument, CancelBatchDocument, ConfirmPaymentDocument, CreateApiKeyDocument, CreateBatchDocument, CreatePaymentDocument,
  PaymentDocument,
} from "../../client/src/generated/graphql.js";
import { TEST_CARDS, card, createStack, errorCode, eventually, gql, ledger, ok, subscribe, wsClient, type Role, type Stack } from "../support/stack.js";

let stack: Stack;
let gateway: string;
let api: string;
let key: string;
let worker: Role;
const WORKER_ENV = () => ({ GATEWAY_URL: gateway });

beforeAll(async () => {
  // Refunds the flaky gateway refused past their retries are picked up by the reconciler within seconds.
  stack = await createStack({ JOB_LOCK_MS: "2000", RETRY_BASE_MS: "20", GATEWAY_RETRIES: "6", RECONCILE_AFTER_MS: "2000", RECONCILE_EVERY_MS: "1000" });
  gateway = (await stack.start(["sandbox", "--port", "0"])).url;
  api = (await stack.start(["start", "--role", "api", "--port", "0"], { GATEWAY_URL: gateway })).url;
  worker = await stack.start(["start", "--role", "worker"], WORKER_ENV());
  key = (await stack.merchant()).secretKey;
});
afterAll(async () => stack?.close());

const control = (settings: Record<string, unknown>) =>
  fetch(`${gateway}/control`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(settings) });
const read = async (id: string) => ok(await gql(api, PaymentDocument, { id }, { key })).payment;
/** `n` payments of `amount` USD, confirmed with an approving card, settled in `status`. */
async function payments(n: number, amount: string, captureMethod: "AUTOMATIC" | "MANUAL"): Promise<string[]> {
  const ids = await Promise.all(Array.from({ length: n }, async () => {
    const id = ok(await gql(api, CreatePaymentDocument, { input: { amount, currency: "USD", captureMethod } }, { key })).createPayment.payment.id;
    ok(await gql(api, ConfirmPaymentDocument, { input: { paymentId: id, card: card(TEST_CARDS.approve) } }, { key }));
    return id;
  }));
  const want = captureMethod === "AUTOMATIC" ? "CAPTURED" : "AUTHORIZED";
  for (const id of ids) await eventually(() => read(id), (p) => p.status === want, 60_000);
  return ids;
}
const batchOf = async (id: string, first = 1000, after?: string) => ok(await gql(api, BatchDocument, { id, first, after }, { key })).batch;
const finished = (id: string, timeoutMs = 120_000) => eventually(() => batchOf(id, 1), (b) => b.status === "COMPLETED" || (b.status === "CANCELED" && b.succeeded + b.failed + b.canceled + b.invalid === b.total), timeoutMs);

describe("validation", () => {
  it("checks every line before anything runs, and runs only the valid ones with skipInvalid", async () => {
    const [authorized] = await payments(1, "10.00", "MANUAL");
    const items = [
      { paymentId: authorized! },
      { paymentId: "pay_doesnotexist000000000" },
      { paymentId: authorized! }, // twice: one capture per payment
      { paymentId: "not-an-id", amount: "1.00" },
    ];
    const refused = await gql(api, CreateBatchDocument, { input: { operation: "CAPTURE", items } }, { key });
    expect(errorCode(refused)).toBe("BAD_USER_INPUT");
    const ext = refused.errors?.[0]?.extensions as { invalid: number; lines: { line: number; code: string }[] };
    expect(ext.invalid).toBe(3);
    expect(ext.lines.map((l) => [l.line, l.code])).toEqual([[2, "payment_not_found"], [3, "duplicate_payment"], [4, "payment_not_found"]]);
    expect((await read(authorized!)).status).toBe("AUTHORIZED"); // nothing ran

    const tooMuch = await gql(api, CreateBatchDocument, { input: { operation: "CAPTURE", items: [{ paymentId: authorized!, amount: "10.01" }] } }, { key });
    expect((tooMuch.errors?.[0]?.extensions as { lines: { code: string }[] }).lines[0]?.code).toBe("amount_too_large");

    const batch = ok(await gql(api, CreateBatchDocument, { input: { operation: "CAPTURE", items, skipInvalid: true } }, { key })).createBatch.batch;
    expect(batch).toMatchObject({ total: 4, invalid: 3 });
    const done = await finished(batch.id);
    expect(done).toMatchObject({ status: "COMPLETED", succeeded: 1, failed: 0, invalid: 3 });
    expect((await batchOf(batch.id)).items.items.map((i) => i.status)).toEqual(["SUCCEEDED", "INVALID", "INVALID", "INVALID"]);
    expect((await read(authorized!)).status).toBe("CAPTURED");
  });

  it("is one batch per idempotency key; the same key with other items is IDEMPOTENCY_KEY_REUSED", async () => {
    const ids = await payments(2, "5.00", "MANUAL");
    const input = { operation: "CANCEL" as const, items: ids.map((paymentId) => ({ paymentId })), idempotencyKey: `cancel-${ids[0]}` };
    const [a, b] = await Promise.all([gql(api, CreateBatchDocument, { input }, { key }), gql(api, CreateBatchDocument, { input }, { key })]);
    expect(ok(a).createBatch.batch.id).toBe(ok(b).createBatch.batch.id);
    const other = await gql(api, CreateBatchDocument, { input: { ...input, items: input.items.slice(0, 1) } }, { key });
    expect(errorCode(other)).toBe("IDEMPOTENCY_KEY_REUSED");
    await finished(ok(a).createBatch.batch.id);
    for (const id of ids) expect((await read(id)).status).toBe("CANCELED");
  });

  it("needs the scope of its operation", async () => {
    const paymentsOnly = ok(await gql(api, CreateApiKeyDocument, { input: { name: "payments-only", kind: "RESTRICTED", scopes: ["payments:write", "payments:read"] } }, { key })).createApiKey.secret;
    const refused = await gql(api, CreateBatchDocument, { input: { operation: "REFUND", items: [{ paymentId: "pay_doesnotexist000000000" }] } }, { key: paymentsOnly });
    expect(errorCode(refused)).toBe("FORBIDDEN");
    expect(refused.errors?.[0]?.extensions?.missingScope).toBe("refunds:write");
  });
});

describe("files", () => {
  it("takes a CSV file on POST /v1/batches and gives the results as CSV", async () => {
    const ids = await payments(3, "8.00", "MANUAL");
    const csv = `paymentId,amount\n${ids[0]},8.00\n${ids[1]},3.00\n${ids[2]},\n`;
    const post = async () => {
      const form = new FormData();
      form.set("operation", "CAPTURE");
      form.set("file", new Blob([csv], { type: "text/csv" }), "captures.csv");
      return fetch(`${api}/v1/batches`, { method: "POST", headers: { authorization: `Bearer ${key}`, "idempotency-key": `file-${ids[0]}` }, body: form });
    };
    const first = await post();
    expect(first.status).toBe(201);
    const { batch } = (await first.json()) as { batch: { id: string; total: number } };
    expect(batch.total).toBe(3);
    expect(((await (await post()).json()) as { batch: { id: string } }).batch.id).toBe(batch.id);
    await finished(batch.id);
    expect((await read(ids[1]!)).amountCaptured.amount).toBe("3.00");
    const results = await fetch(`${api}/v1/batches/${batch.id}/results.csv`, { headers: { authorization: `Bearer ${key}` } });
    expect(results.headers.get("content-type")).toMatch(/^text\/csv/);
    const rows = (await results.text()).trim().split("\n");
    expect(rows[0]).toBe("line,paymentId,amount,status,errorCode,errorMessage,resultId");
    expect(rows.slice(1).map((r) => r.split(",")[3])).toEqual(["SUCCEEDED", "SUCCEEDED", "SUCCEEDED"]);

    // The largest file: 10,000 JSON Lines, all but one naming no payment; with skipInvalid the one runs.
    const [authorized] = await payments(1, "4.00", "MANUAL");
    const lines = Array.from({ length: 10_000 }, (_, i) => JSON.stringify({ paymentId: i === 9_999 ? authorized : `pay_missing${String(i).padStart(12, "0")}` }));
    const upload = async (text: string) => {
      const form = new FormData();
      form.set("operation", "CAPTURE");
      form.set("skipInvalid", "true");
      form.set("file", new Blob([text], { type: "application/x-ndjson" }), "captures.jsonl");
      return fetch(`${api}/v1/batches`, { method: "POST", headers: { authorization: `Bearer ${key}` }, body: form });
    };
    const big = await upload(lines.join("\n"));
    expect(big.status).toBe(201);
    const bigBatch = ((await big.json()) as { batch: { id: string } }).batch;
    expect(await finished(bigBatch.id)).toMatchObject({ total: 10_000, invalid: 9_999, succeeded: 1 });
    const tooBig = await upload([...lines, lines[0]].join("\n"));
    expect(tooBig.status).toBe(400);

    const bad = new FormData();
    bad.set("operation", "CAPTURE");
    bad.set("file", new Blob(["amount\n1.00\n"], { type: "text/csv" }), "bad.csv");
    const refused = await fetch(`${api}/v1/batches`, { method: "POST", headers: { authorization: `Bearer ${key}` }, body: bad });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { code: string; field: string } }).error).toMatchObject({ code: "BAD_USER_INPUT", field: "file" });
  });
});

describe("running", () => {
  it("hands an item stranded RUNNING back to the queue, where it converges on the refund it already made", async () => {
    const [id] = await payments(1, "6.00", "AUTOMATIC");
    const batch = ok(await gql(api, CreateBatchDocument, { input: { operation: "REFUND", items: [{ paymentId: id!, amount: "2.00" }] } }, { key })).createBatch.batch;
    await finished(batch.id);
    const before = (await batchOf(batch.id)).items.items[0]!;
    // As if its last try had died writing the outcome: RUNNING, no job left, the batch not completed.
    const db = new pg.Client({ connectionString: stack.databaseUrl });
    await db.connect();
    await db.query("UPDATE batch SET status = 'RUNNING', completed_at = NULL WHERE id = $1", [batch.id]);
    await db.query("UPDATE batch_item SET status = 'RUNNING', result_id = NULL, updated_at = now() - interval '1 hour' WHERE batch_id = $1", [batch.id]);
    await db.end();
    expect(await finished(batch.id, 30_000)).toMatchObject({ status: "COMPLETED", succeeded: 1 });
    expect((await batchOf(batch.id)).items.items[0]).toMatchObject({ status: "SUCCEEDED", resultId: before.resultId });
    expect((await read(id!)).amountRefunded.amount).toBe("2.00"); // one refund, not two
  });

  it("can be canceled: started items finish, the rest never run, and the counts add up", async () => {
    const ids = await payments(30, "2.00", "MANUAL");
    await control({ latencyMs: 200 }); // slow enough to cancel mid-way
    try {
      const batch = ok(await gql(api, CreateBatchDocument, { input: { operation: "CANCEL", items: ids.map((paymentId) => ({ paymentId })) } }, { key })).createBatch.batch;
      await eventually(() => batchOf(batch.id, 1), (b) => b.succeeded > 0);
      const canceled = ok(await gql(api, CancelBatchDocument, { input: { id: batch.id } }, { key })).cancelBatch.batch;
      expect(canceled.status).toBe("CANCELED");
      const done = await finished(batch.id);
      expect(done.succeeded + done.failed + done.canceled).toBe(30);
      expect(done.canceled).toBeGreaterThan(0);
      const items = (await batchOf(batch.id)).items.items;
      for (const item of items) {
        const status = (await read(item.paymentId)).status;
        expect([item.status, status]).toEqual(item.status === "SUCCEEDED" ? ["SUCCEEDED", "CANCELED"] : ["CANCELED", "AUTHORIZED"]);
      }
      expect(errorCode(await gql(api, CancelBatchDocument, { input: { id: batch.id } }, { key }))).toBe("INVALID_STATE_TRANSITION");
    } finally {
      await control({ latencyMs: 0 });
    }
  });

  it("applies 400 refunds exactly once through a flaky gateway and a killed worker, streaming its counts", async () => {
    // 400, not thousands: the property is the same at any size, and CI time is shared (the bench
    // measures batches at scale: bench/README.md).
    const PAYMENTS = 40;
    const PER_PAYMENT = 10; // 10 refunds of 2.00 refund each 20.00 payment in full
    const ids = await payments(PAYMENTS, "20.00", "AUTOMATIC");
    await control({ failRate: 0.3, failOperations: ["refund"] });
    // Round robin over the payments: items in flight at once touch different payments (their refunds of one payment queue on its row lock).
    const items = Array.from({ length: PER_PAYMENT }, () => ids.map((paymentId) => ({ paymentId, amount: "2.00", reason: "batch test" }))).flat();
    const batch = ok(await gql(api, CreateBatchDocument, { input: { operation: "REFUND", items, idempotencyKey: `refunds-${ids[0]}` } }, { key })).createBatch.batch;
    expect(batch.total).toBe(PAYMENTS * PER_PAYMENT);
    const client = wsClient(api, key);
    const live = subscribe(client, BatchUpdatedDocument, { id: batch.id });

    // Kill the worker mid-batch, then start another one.
    await eventually(() => batchOf(batch.id, 1), (b) => b.succeeded >= 100, 120_000);
    await worker.stop("SIGKILL");
    worker = await stack.start(["start", "--role", "worker"], WORKER_ENV());

    const done = await finished(batch.id, 180_000);
    expect(done).toMatchObject({ status: "COMPLETED", total: PAYMENTS * PER_PAYMENT, succeeded: PAYMENTS * PER_PAYMENT, failed: 0 });
    await live.until((e) => e.batchUpdated.status === "COMPLETED");
    live.dispose();
    await client.dispose();
    await control({ failRate: 0 });

    // Every refund settled; each payment refunded in full, once per line: the gateway agrees.
    const resultIds = new Set<string>();
    for (let after: string | undefined, page; (page = (await batchOf(batch.id, 1000, after)).items); after = page.endCursor ?? undefined) {
      for (const item of page.items) resultIds.add(item.resultId!);
      if (!page.hasNextPage) break;
    }
    expect(resultIds.size).toBe(PAYMENTS * PER_PAYMENT);
    for (const id of ids) {
      const p = await eventually(() => read(id), (x) => x.status === "REFUNDED" && x.amountRefundPending.amount === "0.00", 120_000);
      expect(p.amountRefunded.amount).toBe("20.00");
    }
    const charges = new Map((await ledger(gateway)).map((c) => [c.idempotencyKey, c]));
    for (const id of ids) {
      const charge = charges.get((await read(id)).attempts.nodes[0]!.id)!;
      expect(charge.refunds).toHaveLength(PER_PAYMENT);
      expect(charge.amountRefunded).toBe("2000");
    }
  }, 240_000);
});
