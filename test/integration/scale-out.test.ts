// Roles as separate processes on one PostgreSQL and Redis: two api processes, two workers, one
// sandbox gateway. Nothing crosses processes except through PostgreSQL and Redis. And the plain
// `paygraph start`, which runs its roles as processes of their own under one supervisor.
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfirmPaymentDocument, CreatePaymentDocument, PaymentDocument, PaymentUpdatedDocument } from "../../client/src/generated/graphql.js";
import { TEST_CARDS, card, createStack, eventually, gql, ok, subscribe, wsClient, type Stack } from "../support/stack.js";

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

  it("settles many payments confirmed on both apis, whichever of the two workers takes each", async () => {
    const ids = await Promise.all(Array.from({ length: 12 }, async (_, i) => {
      const api = i % 2 ? api1 : api2;
      const id = ok(await gql(api, CreatePaymentDocument, { input: { amount: "3.00", currency: "USD" } }, { key })).createPayment.payment.id;
      ok(await gql(api, ConfirmPaymentDocument, { input: { paymentId: id, card: card(TEST_CARDS.approve) } }, { key }));
      return id;
    }));
    for (const id of ids) {
      const done = await eventually(async () => ok(await gql(api1, PaymentDocument, { id }, { key })).payment, (p) => p.status !== "PROCESSING");
      expect(done).toMatchObject({ status: "CAPTURED", version: 3 });
      expect(done.attempts.nodes).toHaveLength(1);
    }
  });
});

describe("paygraph start without --role", () => {
  it("runs api and worker processes under one supervisor, prints one set of URLs, and stops them all on SIGINT", async () => {
    const own = await createStack({ SEED_DEMO_MERCHANT: "true", API_PROCESSES: "2" });
    try {
      const group = await own.start(["start", "--port", "0"]);
      const children = execFileSync("ps", ["-o", "pid=,args=", "--ppid", String(group.proc.pid)]).toString().trim().split("\n");
      expect(children.filter((c) => c.includes("--role api"))).toHaveLength(2);
      expect(children.filter((c) => c.includes("--role worker"))).toHaveLength(1);
      const printed = group.output.join("\n");
      expect(printed.match(/listening on/g)).toHaveLength(1);
      const demoKey = /Secret key\s+(sk_test_\w+)/.exec(printed)?.[1] ?? "";

      const id = ok(await gql(group.url, CreatePaymentDocument, { input: { amount: "4.00", currency: "USD" } }, { key: demoKey })).createPayment.payment.id;
      ok(await gql(group.url, ConfirmPaymentDocument, { input: { paymentId: id, card: card(TEST_CARDS.approve) } }, { key: demoKey }));
      await eventually(async () => ok(await gql(group.url, PaymentDocument, { id }, { key: demoKey })).payment, (p) => p.status === "CAPTURED");

      // /metrics, whichever api process answers, holds every process's figures: the gateway call
      // was the worker's; rows counted in the database are counted once, not once per process.
      for (let i = 0; i < 3; i++) {
        const text = await (await fetch(`${group.url}/metrics`)).text();
        expect(text).toMatch(/^paygraph_gateway_request_duration_seconds_count\{[^}]*\} 1$/m);
        expect(text).toContain('paygraph_payments{status="CAPTURED"} 1\n');
      }

      const exited = new Promise<number | null>((resolve) => group.proc.once("exit", (code) => resolve(code)));
      group.proc.kill("SIGINT");
      expect(await exited).toBe(0);
      const pids = children.map((c) => Number(c.trim().split(/\s+/)[0]));
      expect(pids.filter((pid) => { try { process.kill(pid, 0); return true; } catch { return false; } })).toEqual([]);
    } finally {
      await own.close();
    }
  });
});
