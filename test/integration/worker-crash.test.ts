// A worker killed (SIGKILL) in the middle of a gateway call: a new worker finishes the payment,
// and the sandbox gateway's own ledger shows exactly one charge for it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfirmPaymentDocument, CreatePaymentDocument, PaymentDocument } from "../../client/src/generated/graphql.js";
import { TEST_CARDS, card, createStack, eventually, gql, ok, ledger, type Stack } from "../support/stack.js";


let stack: Stack;
let gateway: string;
let api: string;
let key: string;

beforeAll(async () => {
  stack = await createStack({ JOB_LOCK_MS: "2000" });
  // Every gateway call takes 2 s, so the worker can be killed while one is in flight.
  gateway = (await stack.start(["sandbox", "--port", "0", "--latency-ms", "2000"])).url;
  api = (await stack.start(["start", "--role", "api", "--port", "0"], { GATEWAY_URL: gateway })).url;
  key = (await stack.merchant()).secretKey;
});
afterAll(async () => stack?.close());


describe("worker crash mid-job", () => {
  it("finishes the payment after a new worker starts, charging the card exactly once", async () => {
    const first = await stack.start(["start", "--role", "worker"], { GATEWAY_URL: gateway });
    const payment = ok(await gql(api, CreatePaymentDocument, { input: { amount: "25.00", currency: "USD" } }, { key })).createPayment.payment;
    ok(await gql(api, ConfirmPaymentDocument, { input: { paymentId: payment.id, card: card(TEST_CARDS.approve) } }, { key }));
    const read = async () => ok(await gql(api, PaymentDocument, { id: payment.id }, { key })).payment;
    const attemptId = (await read()).attempts.nodes[0]?.id ?? "";

    // The gateway has received the charge and is still answering: kill the worker now.
    await eventually(() => ledger(gateway), (charges) => charges.some((c) => c.idempotencyKey === attemptId));
    await first.stop("SIGKILL");
    expect((await read()).status).toBe("PROCESSING");

    await stack.start(["start", "--role", "worker"], { GATEWAY_URL: gateway });
    const done = await eventually(read, (p) => p.status !== "PROCESSING", 45_000);
    expect(done.status).toBe("CAPTURED");
    expect(done.attempts.nodes).toHaveLength(1);
    expect(done.attempts.nodes[0]?.status).toBe("SUCCEEDED");
    const charges = (await ledger(gateway)).filter((c) => c.idempotencyKey === attemptId);
    expect(charges).toHaveLength(1);
  });
});
