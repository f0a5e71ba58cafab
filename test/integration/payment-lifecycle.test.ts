// A card payment's whole life through the real server (api + worker + sandbox gateway), watched
// live over graphql-ws.
import { beforeAll, describe, expect, it } from "vitest";
import {
  CancelPaymentDocument, CapturePaymentDocument, ConfirmPaymentDocument, CreatePaymentDocument, NodeDocument,
  PaymentDocument, PaymentUpdatedDocument, RefundDocument, RefundPaymentDocument,
} from "../../client/src/generated/graphql.js";
import { TEST_CARDS, card, errorCode, eventually, gql, ok, subscribe, wsClient, useServer } from "../support/stack.js";

const server = useServer({ MAX_FAILED_ATTEMPTS: "3" });
let url: string;
let key: string;
beforeAll(() => void ({ url, key } = server));

const create = async (input: { amount: string; currency: string; captureMethod?: "AUTOMATIC" | "MANUAL" }) =>
  ok(await gql(url, CreatePaymentDocument, { input }, { key })).createPayment.payment;
const confirm = async (paymentId: string, number: string) =>
  ok(await gql(url, ConfirmPaymentDocument, { input: { paymentId, card: card(number) } }, { key })).confirmPayment.payment;
const read = async (id: string) => ok(await gql(url, PaymentDocument, { id }, { key })).payment;
const settled = (id: string) => eventually(() => read(id), (p) => p.status !== "PROCESSING");

describe("automatic capture", () => {
  it("goes REQUIRES_PAYMENT_METHOD → PROCESSING → CAPTURED, streamed live with growing versions", async () => {
    const payment = await create({ amount: "12.500", currency: "KWD" });
    expect(payment).toMatchObject({ status: "REQUIRES_PAYMENT_METHOD", version: 1, amount: { amount: "12.500", minorUnits: "12500", currency: "KWD" } });

    const client = wsClient(url, key);
    const live = subscribe(client, PaymentUpdatedDocument, { paymentId: payment.id });
    await live.until((e) => e.paymentUpdated.version === 1); // the stream starts with the current state

    const confirmed = await confirm(payment.id, TEST_CARDS.approve);
    expect(confirmed.status).toBe("PROCESSING");
    expect(confirmed.card).toMatchObject({ brand: "visa", last4: "4242" });

    const captured = await live.until((e) => e.paymentUpdated.status === "CAPTURED");
    expect(captured.paymentUpdated.amountCaptured.amount).toBe("12.500");
    const versions = live.events.map((e) => e.paymentUpdated.version);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(new Set(versions).size).toBe(versions.length);
    live.dispose();
    await client.dispose();

    const after = await read(payment.id);
    expect(after.attempts.nodes).toHaveLength(1);
    expect(after.attempts.nodes[0]).toMatchObject({ gateway: "sandbox", status: "SUCCEEDED", tries: 1 });
    expect(after.events.nodes.map((e) => e.toStatus)).toEqual(["REQUIRES_PAYMENT_METHOD", "PROCESSING", "CAPTURED"]);
    expect(after.events.nodes.map((e) => e.version)).toEqual([1, 2, 3]);
  });

  it("keeps zero- and three-decimal currencies exact", async () => {
    const yen = await create({ amount: "1000", currency: "JPY" });
    expect(yen.amount).toEqual({ amount: "1000", minorUnits: "1000", currency: "JPY" });
    await confirm(yen.id, TEST_CARDS.approve);
    expect((await settled(yen.id)).amountCaptured.amount).toBe("1000");
  });
});

describe("manual capture", () => {
  it("authorizes, captures part, and releases the rest", async () => {
    const payment = await create({ amount: "100.00", currency: "USD", captureMethod: "MANUAL" });
    await confirm(payment.id, TEST_CARDS.approve);
    const authorized = await settled(payment.id);
    expect(authorized.status).toBe("AUTHORIZED");
    expect(authorized.amountCapturable.amount).toBe("100.00");

    const tooMuch = await gql(url, CapturePaymentDocument, { input: { paymentId: payment.id, amount: "100.01" } }, { key });
    expect(errorCode(tooMuch)).toBe("BAD_USER_INPUT");

    const input = { paymentId: payment.id, amount: "60.00", idempotencyKey: `capture-${payment.id}` };
    const [captured, replay] = (await Promise.all([gql(url, CapturePaymentDocument, { input }, { key }), gql(url, CapturePaymentDocument, { input }, { key })]))
      .map((r) => ok(r).capturePayment.payment);
    expect(captured).toMatchObject({ status: "CAPTURED", amountCaptured: { amount: "60.00" }, amountCapturable: { amount: "0.00" } });
    expect(replay).toEqual(captured);

    const again = await gql(url, CapturePaymentDocument, { input: { paymentId: payment.id } }, { key });
    expect(errorCode(again)).toBe("INVALID_STATE_TRANSITION");
    expect(again.errors?.[0]?.extensions).toMatchObject({ from: "CAPTURED" });
  });

  it("voids an authorization on cancel", async () => {
    const payment = await create({ amount: "5.00", currency: "EUR", captureMethod: "MANUAL" });
    await confirm(payment.id, TEST_CARDS.approve);
    await settled(payment.id);
    const canceled = ok(await gql(url, CancelPaymentDocument, { input: { paymentId: payment.id } }, { key })).cancelPayment.payment;
    expect(canceled).toMatchObject({ status: "CANCELED", amountCapturable: { amount: "0.00" } });
  });
});

describe("cancel", () => {
  it("cancels an unpaid payment and refuses to cancel a captured one", async () => {
    const unpaid = await create({ amount: "1.00", currency: "USD" });
    expect(ok(await gql(url, CancelPaymentDocument, { input: { paymentId: unpaid.id } }, { key })).cancelPayment.payment.status).toBe("CANCELED");
    const confirmAfterCancel = await gql(url, ConfirmPaymentDocument, { input: { paymentId: unpaid.id, card: card(TEST_CARDS.approve) } }, { key });
    expect(errorCode(confirmAfterCancel)).toBe("INVALID_STATE_TRANSITION");

    const paid = await create({ amount: "1.00", currency: "USD" });
    await confirm(paid.id, TEST_CARDS.approve);
    await settled(paid.id);
    const refused = await gql(url, CancelPaymentDocument, { input: { paymentId: paid.id } }, { key });
    expect(errorCode(refused)).toBe("INVALID_STATE_TRANSITION");
    expect(refused.errors?.[0]?.extensions).toMatchObject({ from: "CAPTURED", to: "CANCELED" });
  });
});

describe("refunds", () => {
  it("refunds in parts through the gateway, never past the capture", async () => {
    const payment = await create({ amount: "30.00", currency: "USD" });
    await confirm(payment.id, TEST_CARDS.approve);
    await settled(payment.id);

    const first = ok(await gql(url, RefundPaymentDocument, { input: { paymentId: payment.id, amount: "10.00", reason: "damaged" } }, { key })).refundPayment;
    expect(first.refund).toMatchObject({ status: "PENDING", amount: { amount: "10.00" }, reason: "damaged" });
    expect(first.payment.amountRefundPending.amount).toBe("10.00");

    const partial = await eventually(() => read(payment.id), (p) => p.status === "PARTIALLY_REFUNDED");
    expect(partial.amountRefunded.amount).toBe("10.00");

    const over = await gql(url, RefundPaymentDocument, { input: { paymentId: payment.id, amount: "20.01" } }, { key });
    expect(errorCode(over)).toBe("BAD_USER_INPUT");

    const rest = ok(await gql(url, RefundPaymentDocument, { input: { paymentId: payment.id } }, { key })).refundPayment.refund;
    expect(rest.amount.amount).toBe("20.00");
    const refunded = await eventually(() => read(payment.id), (p) => p.status === "REFUNDED");
    expect(refunded.amountRefunded.amount).toBe("30.00");
    expect(refunded.refunds.nodes.map((r) => r.status)).toEqual(["SUCCEEDED", "SUCCEEDED"]);

    const viaQuery = ok(await gql(url, RefundDocument, { id: rest.id }, { key })).refund;
    expect(viaQuery).toMatchObject({ status: "SUCCEEDED", payment: { id: payment.id, status: "REFUNDED" } });
    const viaNode = ok(await gql(url, NodeDocument, { id: rest.id }, { key })).node;
    expect(viaNode?.__typename).toBe("Refund");
  });

  it("refuses a refund of a payment that was not captured", async () => {
    const payment = await create({ amount: "3.00", currency: "USD" });
    const refused = await gql(url, RefundPaymentDocument, { input: { paymentId: payment.id, amount: "1.00" } }, { key });
    expect(errorCode(refused)).toBe("INVALID_STATE_TRANSITION");
  });
});

describe("declines and gateway errors", () => {
  it("sends a hard decline back to REQUIRES_PAYMENT_METHOD, and a second card can pay", async () => {
    const payment = await create({ amount: "8.00", currency: "USD" });
    await confirm(payment.id, TEST_CARDS.hardDecline);
    const declined = await settled(payment.id);
    expect(declined.status).toBe("REQUIRES_PAYMENT_METHOD");
    expect(declined.lastPaymentError).toMatchObject({ code: "card_declined", declineCode: "generic_decline" });
    expect(declined.attempts.nodes[0]).toMatchObject({ status: "FAILED", declineCode: "generic_decline" });

    await confirm(payment.id, TEST_CARDS.approve);
    const paid = await settled(payment.id);
    expect(paid.status).toBe("CAPTURED");
    expect(paid.lastPaymentError).toBeNull();
    expect(paid.attempts.nodes.map((a) => a.status)).toEqual(["FAILED", "SUCCEEDED"]);
  });

  it("fails the payment for good after MAX_FAILED_ATTEMPTS declines", async () => {
    const payment = await create({ amount: "8.00", currency: "USD" });
    for (let i = 0; i < 3; i++) {
      await confirm(payment.id, TEST_CARDS.hardDecline);
      await settled(payment.id);
    }
    const failed = await read(payment.id);
    expect(failed.status).toBe("FAILED");
    expect(failed.attempts.nodes).toHaveLength(3);
    const again = await gql(url, ConfirmPaymentDocument, { input: { paymentId: payment.id, card: card(TEST_CARDS.approve) } }, { key });
    expect(errorCode(again)).toBe("INVALID_STATE_TRANSITION");
  });

  it("reports a soft decline", async () => {
    const payment = await create({ amount: "8.00", currency: "USD" });
    await confirm(payment.id, TEST_CARDS.softDecline);
    expect((await settled(payment.id)).lastPaymentError?.declineCode).toBe("insufficient_funds");
  });

  it("retries a transient processing error with backoff, then reports it", async () => {
    const payment = await create({ amount: "8.00", currency: "USD" });
    await confirm(payment.id, TEST_CARDS.processingError);
    const failed = await settled(payment.id);
    expect(failed.status).toBe("REQUIRES_PAYMENT_METHOD");
    expect(failed.lastPaymentError?.code).toBe("processing_error");
    expect(failed.attempts.nodes[0]?.tries).toBe(4); // 1 call + GATEWAY_RETRIES (3) retries
  });

  it("waits at REQUIRES_ACTION for the shopper when the card needs a 3-D Secure challenge (test/e2e/three-d-secure.test.ts goes on)", async () => {
    const payment = await create({ amount: "8.00", currency: "USD" });
    await confirm(payment.id, TEST_CARDS.threeDS);
    const waiting = await settled(payment.id);
    expect(waiting.status).toBe("REQUIRES_ACTION");
    expect(waiting.nextAction).toMatchObject({ type: "REDIRECT_TO_URL", redirectUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/3ds\/3ds_\w+\/challenge$/) });
  });
});
