// Roles as separate processes on one PostgreSQL and Redis: two api processes, one worker, one
// sandbox gateway. Nothing crosses processes except through PostgreSQL and Redis.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfirmPaymentDocument, CreatePaymentDocument, PaymentUpdatedDocument } from "../support/generated/graphql.js";
import { TEST_CARDS, card, createStack, gql, ok, subscribe, wsClient, type Stack } from "../support/stack.js";

let stack: Stack;
let api1: string;
let api2: string;
let key: string;

beforeAll(async () => {
  stack = await createStack();
  const gateway = (await stack.start(["sandbox", "--port", "0"])).url;
  const env = { GATEWAY_URL: gateway };
  [api1, api2] = await Promise.all([
    stack.start(["start", "--role", "api", "--port", "0"], env).then((r) => r.url),
    stack.start(["start", "--role", "api", "--port", "0"], env).then((r) => r.url),
    stack.start(["start", "--role", "worker"], env),
  ]);
  key = (await stack.merchant()).secretKey;
});
afterAll(async () => stack?.close());

describe("scale-out", () => {
  it("streams, on api 1, a payment confirmed through api 2 reaching CAPTURED by the worker process", async () => {
    const client = wsClient(api1, key);
    const dashboard = subscribe(client, PaymentUpdatedDocument, {});
    const payment = ok(await gql(api2, CreatePaymentDocument, { input: { amount: "19.99", currency: "EUR" } }, { key })).createPayment.payment;
    const single = subscribe(client, PaymentUpdatedDocument, { paymentId: payment.id });
    await single.until((e) => e.paymentUpdated.version === payment.version);

    ok(await gql(api2, ConfirmPaymentDocument, { input: { paymentId: payment.id, card: card(TEST_CARDS.approve) } }, { key }));
    const captured = await single.until((e) => e.paymentUpdated.status === "CAPTURED");
    expect(captured.paymentUpdated.amountCaptured).toMatchObject({ amount: "19.99", currency: "EUR" });
    expect(single.events.map((e) => e.paymentUpdated.status)).toEqual(["REQUIRES_PAYMENT_METHOD", "PROCESSING", "CAPTURED"]);

    await dashboard.until((e) => e.paymentUpdated.id === payment.id && e.paymentUpdated.status === "CAPTURED");
    await client.dispose();
  });
});
