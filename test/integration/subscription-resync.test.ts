// A subscriber receives every version of a payment, in order (issue 9 §4). Its api process loses
// Redis while payments change (pub/sub drops what is published meanwhile); once Redis is back a
// single-payment subscription re-reads its payment and fills the versions in between from the
// audit trail, and a merchant-wide one reads the versions recorded since it last heard an event.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CancelPaymentDocument, ConfirmPaymentDocument, CreatePaymentDocument, PaymentDocument, PaymentUpdatedDocument, type PaymentUpdatedSubscription } from "../../client/src/generated/graphql.js";
import { TEST_CARDS, card, createStack, eventually, gql, ok, subscribe, wsClient, type Stack } from "../support/stack.js";
import { tcpProxy, type TcpProxy } from "../support/tcp-proxy.js";

let stack: Stack;
let watcherProxy: TcpProxy;
let writer: string;
let watcher: string;
let key: string;

beforeAll(async () => {
  stack = await createStack();
  const redis = new URL(stack.env.REDIS_URL ?? "redis://127.0.0.1:6379");
  watcherProxy = await tcpProxy(redis.hostname, Number(redis.port || 6379));
  const gateway = (await stack.start(["sandbox", "--port", "0"])).url;
  // The writer makes every change (api and worker); the watcher serves the subscriptions and
  // reaches Redis through a proxy the test cuts. It never relays (it makes no changes).
  writer = (await stack.start(["start", "--role", "all", "--port", "0"], { GATEWAY_URL: gateway })).url;
  watcher = (await stack.start(["start", "--role", "api", "--port", "0"], { GATEWAY_URL: gateway, OUTBOX_POLL_MS: "3600000", REDIS_URL: `redis://127.0.0.1:${watcherProxy.port}` })).url;
  key = (await stack.merchant()).secretKey;
});
afterAll(async () => {
  await stack?.close();
  await watcherProxy?.close();
});

const pending = async (): Promise<number> => {
  const client = new pg.Client({ connectionString: stack.databaseUrl });
  await client.connect();
  const { rows } = await client.query<{ n: string }>("SELECT count(*) AS n FROM outbox_message");
  await client.end();
  return Number(rows[0]?.n);
};
const read = async (id: string) => ok(await gql(writer, PaymentDocument, { id }, { key })).payment!;
const settledPayment = (id: string) => eventually(() => read(id), (p) => p.status !== "PROCESSING");
const versionsOf = (events: PaymentUpdatedSubscription[], id: string): number[] =>
  events.filter((e) => e.paymentUpdated.id === id).map((e) => e.paymentUpdated.version);
const upTo = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

describe("every version, in order, across a Redis outage", () => {
  it("single payment: the versions published while away are filled in from the audit trail", async () => {
    const payment = ok(await gql(writer, CreatePaymentDocument, { input: { amount: "9.00", currency: "USD" } }, { key })).createPayment.payment;
    const client = wsClient(watcher, key);
    const live = subscribe(client, PaymentUpdatedDocument, { paymentId: payment.id });
    await live.until((e) => e.paymentUpdated.version === 1);

    await watcherProxy.cut();
    ok(await gql(writer, ConfirmPaymentDocument, { input: { paymentId: payment.id, card: card(TEST_CARDS.approve) } }, { key }));
    const final = await settledPayment(payment.id);
    expect(final.version).toBeGreaterThanOrEqual(3); // PROCESSING, then the outcome: at least two versions missed
    await eventually(pending, (n) => n === 0); // published while the watcher was away
    await watcherProxy.restore();

    await live.until((e) => e.paymentUpdated.version === final.version);
    expect(versionsOf(live.events, payment.id)).toEqual(upTo(final.version));
    expect(live.errors).toEqual([]);
    await client.dispose();
  });

  it("merchant-wide: payments changed and created while away arrive with every version", async () => {
    const client = wsClient(watcher, key);
    const live = subscribe(client, PaymentUpdatedDocument, {});
    // graphql-ws does not acknowledge a subscribe: payments are made until one arrives.
    let before = ok(await gql(writer, CreatePaymentDocument, { input: { amount: "1.00", currency: "USD" } }, { key })).createPayment.payment;
    while (versionsOf(live.events, before.id).length === 0) {
      await new Promise((r) => setTimeout(r, 100));
      if (versionsOf(live.events, before.id).length === 0) before = ok(await gql(writer, CreatePaymentDocument, { input: { amount: "1.00", currency: "USD" } }, { key })).createPayment.payment;
    }

    await watcherProxy.cut();
    const canceled = ok(await gql(writer, CancelPaymentDocument, { input: { paymentId: before.id } }, { key })).cancelPayment.payment;
    const created = ok(await gql(writer, CreatePaymentDocument, { input: { amount: "2.00", currency: "USD" } }, { key })).createPayment.payment;
    ok(await gql(writer, ConfirmPaymentDocument, { input: { paymentId: created.id, card: card(TEST_CARDS.approve) } }, { key }));
    const final = await settledPayment(created.id);
    await eventually(pending, (n) => n === 0);
    await watcherProxy.restore();

    await live.until((e) => e.paymentUpdated.id === created.id && e.paymentUpdated.version === final.version);
    await live.until((e) => e.paymentUpdated.id === before.id && e.paymentUpdated.version === canceled.version);
    expect(versionsOf(live.events, before.id)).toEqual(upTo(canceled.version));
    expect(versionsOf(live.events, created.id)).toEqual(upTo(final.version));
    expect(live.errors).toEqual([]);
    await client.dispose();
  });
});
