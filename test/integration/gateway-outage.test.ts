// Gateway outages and lost answers never turn into a second charge: an attempt or refund whose
// outcome is unknown stays PENDING (the payment PROCESSING) and is finished by the reconciler once
// the gateway answers again. The sandbox's own ledger is the witness.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CancelPaymentDocument, CapturePaymentDocument, ConfirmPaymentDocument, CreatePaymentDocument, PaymentDocument, RefundPaymentDocument } from "../../client/src/generated/graphql.js";
import { TEST_CARDS, card, createStack, eventually, gql, ok, ledger, type Stack } from "../support/stack.js";


let stack: Stack;
let gateway: string;
let url: string;
let key: string;

beforeAll(async () => {
  stack = await createStack({ GATEWAY_TIMEOUT_MS: "400", RECONCILE_AFTER_MS: "1000", RECONCILE_EVERY_MS: "300" });
  gateway = (await stack.start(["sandbox", "--port", "0"])).url;
  url = (await stack.start(["start", "--role", "all", "--port", "0"], { GATEWAY_URL: gateway })).url;
  key = (await stack.merchant()).secretKey;
});
afterAll(async () => stack?.close());

const control = async (settings: Record<string, unknown>) =>
  fetch(`${gateway}/control`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(settings) });
const read = async (id: string) => ok(await gql(url, PaymentDocument, { id }, { key })).payment;

async function confirmedPayment(captureMethod: "AUTOMATIC" | "MANUAL" = "AUTOMATIC"): Promise<string> {
  const id = ok(await gql(url, CreatePaymentDocument, { input: { amount: "9.00", currency: "USD", captureMethod } }, { key })).createPayment.payment.id;
  ok(await gql(url, ConfirmPaymentDocument, { input: { paymentId: id, card: card(TEST_CARDS.approve) } }, { key }));
  return id;
}

describe("gateway outages", () => {
  it("keeps a payment PROCESSING while the gateway is down, and settles it consistently once it is back", async () => {
    await control({ down: true });
    const id = await confirmedPayment();
    const waiting = await eventually(() => read(id), (p) => (p.attempts.nodes[0]?.tries ?? 0) >= 4); // 1 call + 3 retries, all refused
    expect(waiting.status).toBe("PROCESSING"); // an outage is not the shopper's decline while its outcome is unknown
    expect(waiting.attempts.nodes[0]).toMatchObject({ status: "PENDING", errorCode: "gateway_unavailable" });

    await control({ down: false });
    const done = await eventually(() => read(id), (p) => p.status !== "PROCESSING");
    const charges = (await ledger(gateway)).filter((c) => c.idempotencyKey === done.attempts.nodes[0]?.id);
    // Once the gateway answers, either the re-run authorization charges (once), or the gateway's
    // record shows nothing was charged and the shopper is told; which one depends on which call
    // reaches the recovered gateway first. Never both, never twice.
    if (done.status === "CAPTURED") {
      expect(charges).toHaveLength(1);
    } else {
      expect(done).toMatchObject({ status: "REQUIRES_PAYMENT_METHOD", lastPaymentError: { code: "gateway_unavailable" } });
      expect(charges).toHaveLength(0);
    }
  });

  it("never charges twice when the gateway charged but its answer was lost", async () => {
    // Far longer than GATEWAY_TIMEOUT_MS and than all retries together: a retry arriving while the
    // first call is still in flight waits for it at the sandbox, so every answer is lost.
    await control({ latencyMs: 6000 });
    const id = await confirmedPayment();
    const lost = await eventually(() => read(id), (p) => (p.attempts.nodes[0]?.tries ?? 0) >= 4);
    const attemptId = lost.attempts.nodes[0]?.id ?? "";
    expect(lost.status).toBe("PROCESSING"); // not a decline: the card may have been charged
    expect((await ledger(gateway)).filter((c) => c.idempotencyKey === attemptId)).toHaveLength(1);

    await control({ latencyMs: 0 });
    const done = await eventually(() => read(id), (p) => p.status === "CAPTURED");
    expect(done.attempts.nodes).toHaveLength(1);
    expect((await ledger(gateway)).filter((c) => c.idempotencyKey === attemptId)).toHaveLength(1);
  });

  it("keeps a refund PENDING while the gateway is down, never FAILED, then settles it", async () => {
    const id = await confirmedPayment();
    await eventually(() => read(id), (p) => p.status === "CAPTURED");
    await control({ down: true });
    ok(await gql(url, RefundPaymentDocument, { input: { paymentId: id, amount: "4.00" } }, { key }));
    await new Promise((r) => setTimeout(r, 1500)); // retries exhausted (RETRY_BASE_MS 50) and one reconcile round
    const during = await read(id);
    expect(during.refunds.nodes[0]?.status).toBe("PENDING");
    expect(during.amountRefundPending.amount).toBe("4.00");

    await control({ down: false });
    const done = await eventually(() => read(id), (p) => p.status === "PARTIALLY_REFUNDED");
    expect(done.amountRefunded.amount).toBe("4.00");
    expect(done.amountRefundPending.amount).toBe("0.00");
  });

  // Captures and voids are staged before the gateway call and settled after it: an answer lost
  // after the gateway acted leaves the operation PENDING, never "done at the gateway, AUTHORIZED here".
  async function authorized(): Promise<{ id: string; attemptId: string }> {
    await control({ latencyMs: 0 });
    const id = await confirmedPayment("MANUAL");
    const p = await eventually(() => read(id), (x) => x.status === "AUTHORIZED");
    return { id, attemptId: p.attempts.nodes[0]?.id ?? "" };
  }
  const chargeOf = async (attemptId: string) => (await ledger(gateway)).find((c) => c.idempotencyKey === attemptId);

  it("answers a capture whose answer was lost with a retryable error, and a retry with the same key converges on the one capture", async () => {
    const { id, attemptId } = await authorized();
    await control({ latencyMs: 2000 }); // the sandbox captures at once, then answers after GATEWAY_TIMEOUT_MS
    const lost = await gql(url, CapturePaymentDocument, { input: { paymentId: id, amount: "5.00", idempotencyKey: `cap-${id}` } }, { key });
    expect(lost.errors?.[0]?.extensions).toMatchObject({ code: "GATEWAY_UNAVAILABLE", retryable: true });
    expect(await chargeOf(attemptId)).toMatchObject({ status: "captured", amountCaptured: "500" });

    await control({ latencyMs: 0 });
    // A retry meeting the first call still in flight (at the sandbox: GATEWAY_UNAVAILABLE; or still
    // holding its key here: IDEMPOTENCY_IN_PROGRESS) is told to retry again, and does, as a client
    // would with any error marked retryable.
    const capture = () => gql(url, CapturePaymentDocument, { input: { paymentId: id, amount: "5.00", idempotencyKey: `cap-${id}` } }, { key });
    const retried = ok(await eventually(capture, (r) => r.errors?.[0]?.extensions?.retryable !== true)).capturePayment.payment;
    expect(retried).toMatchObject({ status: "CAPTURED", amountCaptured: { amount: "5.00" }, amountCapturable: { amount: "0.00" } });
    const again = ok(await gql(url, CapturePaymentDocument, { input: { paymentId: id, amount: "5.00", idempotencyKey: `cap-${id}` } }, { key })).capturePayment.payment;
    expect(again).toEqual(retried);
    expect(await chargeOf(attemptId)).toMatchObject({ status: "captured", amountCaptured: "500" });
  });

  it("finishes a lost capture and a lost void in the background when nobody retries (the reconciler)", async () => {
    const capture = await authorized();
    const voided = await authorized();
    await control({ latencyMs: 2000 });
    const [c, v] = await Promise.all([
      gql(url, CapturePaymentDocument, { input: { paymentId: capture.id } }, { key }),
      gql(url, CancelPaymentDocument, { input: { paymentId: voided.id } }, { key }),
    ]);
    expect(c.errors?.[0]?.extensions?.code).toBe("GATEWAY_UNAVAILABLE");
    expect(v.errors?.[0]?.extensions?.code).toBe("GATEWAY_UNAVAILABLE");
    await control({ latencyMs: 0 });
    expect(await eventually(() => read(capture.id), (p) => p.status !== "AUTHORIZED")).toMatchObject({ status: "CAPTURED", amountCaptured: { amount: "9.00" } });
    expect(await eventually(() => read(voided.id), (p) => p.status !== "AUTHORIZED")).toMatchObject({ status: "CANCELED" });
    expect(await chargeOf(capture.attemptId)).toMatchObject({ status: "captured", amountCaptured: "900" });
    expect(await chargeOf(voided.attemptId)).toMatchObject({ status: "voided" });
  });

  it("finishes a pending capture before a later cancel, which then finds the payment captured", async () => {
    const { id, attemptId } = await authorized();
    await control({ latencyMs: 2000 });
    expect((await gql(url, CapturePaymentDocument, { input: { paymentId: id } }, { key })).errors?.[0]?.extensions?.code).toBe("GATEWAY_UNAVAILABLE");
    await control({ latencyMs: 0 });
    const cancel = await eventually(() => gql(url, CancelPaymentDocument, { input: { paymentId: id } }, { key }), (r) => r.errors?.[0]?.extensions?.code !== "GATEWAY_UNAVAILABLE");
    expect(cancel.errors?.[0]?.extensions).toMatchObject({ code: "INVALID_STATE_TRANSITION", from: "CAPTURED" });
    expect(await chargeOf(attemptId)).toMatchObject({ status: "captured" });
  });
});
