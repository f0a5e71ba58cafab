// Authentication and tenant isolation: every operation sees only its own merchant's data.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CancelPaymentDocument, CapturePaymentDocument, ConfirmPaymentDocument, CreatePaymentDocument, NodeDocument, PaymentDocument,
  PaymentUpdatedDocument, PaymentsDocument, RefundDocument, RefundPaymentDocument,
} from "../../client/src/generated/graphql.js";
import { TEST_CARDS, card, createStack, errorCode, eventually, gql, ok, subscribe, wsClient, type Stack } from "../support/stack.js";

let stack: Stack;
let url: string;
let alice: string;
let bob: string;
let alicePayment: string;
let aliceRefund: string;

beforeAll(async () => {
  stack = await createStack();
  url = (await stack.start(["start", "--role", "all", "--port", "0"])).url;
  alice = (await stack.merchant("Alice")).secretKey;
  bob = (await stack.merchant("Bob")).secretKey;
  alicePayment = ok(await gql(url, CreatePaymentDocument, { input: { amount: "10.00", currency: "USD" } }, { key: alice })).createPayment.payment.id;
  ok(await gql(url, ConfirmPaymentDocument, { input: { paymentId: alicePayment, card: card(TEST_CARDS.approve) } }, { key: alice }));
  await eventually(async () => ok(await gql(url, PaymentDocument, { id: alicePayment }, { key: alice })).payment, (p) => p.status === "CAPTURED");
  aliceRefund = ok(await gql(url, RefundPaymentDocument, { input: { paymentId: alicePayment, amount: "1.00" } }, { key: alice })).refundPayment.refund.id;
});
afterAll(async () => stack?.close());

describe("authentication", () => {
  it.each([
    ["no header", undefined, "Missing credentials"],
    ["a malformed key", "Bearer hello", "Malformed"],
    ["an unknown key", "Bearer sk_test_00000000000000000000000000000000", "Unknown"],
    ["a non-bearer scheme", "Basic dXNlcjpwYXNz", "Malformed"],
  ])("answers UNAUTHENTICATED to %s", async (_what, authorization, message) => {
    const result = await gql(url, PaymentsDocument, {}, { headers: authorization ? { authorization } : {} });
    expect(errorCode(result)).toBe("UNAUTHENTICATED");
    expect(result.errors?.[0]?.message).toContain(message);
    expect(result.data ?? null).toBeNull();
  });

  it("refuses mutations without a key and writes nothing", async () => {
    const result = await gql(url, CreatePaymentDocument, { input: { amount: "1.00", currency: "USD" } });
    expect(errorCode(result)).toBe("UNAUTHENTICATED");
  });

  it("refuses a subscription without a valid key", async () => {
    const client = wsClient(url, "sk_test_00000000000000000000000000000000");
    const live = subscribe(client, PaymentUpdatedDocument, {});
    await eventually(async () => live.errors.length, (n) => n > 0);
    expect(JSON.stringify(live.errors)).toContain("UNAUTHENTICATED");
    await client.dispose();
  });
});

describe("tenant isolation: another merchant's ids are NOT_FOUND, never data", () => {
  it("hides payments and refunds from reads", async () => {
    for (const result of [
      await gql(url, PaymentDocument, { id: alicePayment }, { key: bob }),
      await gql(url, RefundDocument, { id: aliceRefund }, { key: bob }),
    ]) {
      expect(errorCode(result)).toBe("NOT_FOUND");
      expect(result.data ?? null).toBeNull();
    }
    // node(id:) answers null, as for an id that does not exist.
    for (const id of [alicePayment, aliceRefund]) expect(ok(await gql(url, NodeDocument, { id }, { key: bob }))).toEqual({ node: null });
    expect(ok(await gql(url, PaymentsDocument, { first: 100 }, { key: bob })).payments.edges).toHaveLength(0);
  });

  it("refuses every mutation on them", async () => {
    const results = [
      await gql(url, ConfirmPaymentDocument, { input: { paymentId: alicePayment, card: card(TEST_CARDS.approve) } }, { key: bob }),
      await gql(url, CapturePaymentDocument, { input: { paymentId: alicePayment } }, { key: bob }),
      await gql(url, CancelPaymentDocument, { input: { paymentId: alicePayment } }, { key: bob }),
      await gql(url, RefundPaymentDocument, { input: { paymentId: alicePayment, amount: "1.00" } }, { key: bob }),
    ];
    expect(results.map(errorCode)).toEqual(["NOT_FOUND", "NOT_FOUND", "NOT_FOUND", "NOT_FOUND"]);
    const untouched = ok(await gql(url, PaymentDocument, { id: alicePayment }, { key: alice })).payment;
    expect(untouched.refunds.nodes).toHaveLength(1);
  });

  it("refuses a subscription to another merchant's payment, and a dashboard sees only its own", async () => {
    const bobClient = wsClient(url, bob);
    const spy = subscribe(bobClient, PaymentUpdatedDocument, { paymentId: alicePayment });
    await eventually(async () => spy.errors.length, (n) => n > 0);
    expect(JSON.stringify(spy.errors)).toContain("NOT_FOUND");

    const dashboard = subscribe(bobClient, PaymentUpdatedDocument, {});
    const mine = ok(await gql(url, CreatePaymentDocument, { input: { amount: "2.00", currency: "USD" } }, { key: bob })).createPayment.payment.id;
    // Alice's change is made before Bob's marker arrives, so had it leaked it would be seen.
    ok(await gql(url, CreatePaymentDocument, { input: { amount: "3.00", currency: "USD" } }, { key: alice }));
    const marker = ok(await gql(url, CancelPaymentDocument, { input: { paymentId: mine } }, { key: bob })).cancelPayment.payment;
    await dashboard.until((e) => e.paymentUpdated.id === mine && e.paymentUpdated.version === marker.version);
    expect(dashboard.events.every((e) => e.paymentUpdated.id === mine)).toBe(true);
    await bobClient.dispose();
  });
});
