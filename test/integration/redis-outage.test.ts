// Redis outages. The transactional outbox: a change committed while the writer cannot reach Redis
// is not lost; it is delivered once Redis answers again. And a subscriber whose api process lost
// Redis for a while re-reads the payment it follows, so it misses no final state.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CancelPaymentDocument, CreatePaymentDocument, PaymentUpdatedDocument } from "../../client/src/generated/graphql.js";
import { createStack, eventually, gql, ok, subscribe, wsClient, type Stack } from "../support/stack.js";
import { tcpProxy, type TcpProxy } from "../support/tcp-proxy.js";

let stack: Stack;
let proxy: TcpProxy;
let watcherProxy: TcpProxy;
let writer: string;
let watcher: string;
let key: string;

beforeAll(async () => {
  stack = await createStack();
  const redis = new URL(stack.env.REDIS_URL ?? "redis://127.0.0.1:6379");
  proxy = await tcpProxy(redis.hostname, Number(redis.port || 6379));
  watcherProxy = await tcpProxy(redis.hostname, Number(redis.port || 6379));
  const gateway = (await stack.start(["sandbox", "--port", "0"])).url;
  // The writer reaches Redis only through the proxy. The watcher never relays on its own (it
  // makes no changes and polls once an hour), so only the writer's relay can deliver.
  writer = (await stack.start(["start", "--role", "api", "--port", "0"], { GATEWAY_URL: gateway, REDIS_URL: `redis://127.0.0.1:${proxy.port}` })).url;
  watcher = (await stack.start(["start", "--role", "api", "--port", "0"], { GATEWAY_URL: gateway, OUTBOX_POLL_MS: "3600000", REDIS_URL: `redis://127.0.0.1:${watcherProxy.port}` })).url;
  key = (await stack.merchant()).secretKey;
});
afterAll(async () => {
  await stack?.close();
  await proxy?.close();
  await watcherProxy?.close();
});

const pending = async (): Promise<number> => {
  const client = new pg.Client({ connectionString: stack.databaseUrl });
  await client.connect();
  const { rows } = await client.query<{ n: string }>("SELECT count(*) AS n FROM outbox_message");
  await client.end();
  return Number(rows[0]?.n);
};

describe("outbox", () => {
  it("delivers an event committed during a Redis outage once Redis is back", async () => {
    const payment = ok(await gql(writer, CreatePaymentDocument, { input: { amount: "7.00", currency: "USD" } }, { key })).createPayment.payment;
    const client = wsClient(watcher, key);
    const live = subscribe(client, PaymentUpdatedDocument, { paymentId: payment.id });
    await live.until((e) => e.paymentUpdated.version === 1);

    await proxy.cut();
    const canceled = ok(await gql(writer, CancelPaymentDocument, { input: { paymentId: payment.id } }, { key })).cancelPayment.payment;
    expect(canceled.status).toBe("CANCELED");
    await eventually(pending, (n) => n > 0); // committed, kept in the outbox, not yet in Redis
    expect(live.events.some((e) => e.paymentUpdated.status === "CANCELED")).toBe(false);

    await proxy.restore();
    const delivered = await live.until((e) => e.paymentUpdated.status === "CANCELED");
    expect(delivered.paymentUpdated.version).toBe(canceled.version);
    await eventually(pending, (n) => n === 0);
    await client.dispose();
  });

  it("resyncs a subscriber whose process lost Redis while the payment changed", async () => {
    const payment = ok(await gql(writer, CreatePaymentDocument, { input: { amount: "8.00", currency: "USD" } }, { key })).createPayment.payment;
    const client = wsClient(watcher, key);
    const live = subscribe(client, PaymentUpdatedDocument, { paymentId: payment.id });
    await live.until((e) => e.paymentUpdated.version === 1);

    await watcherProxy.cut();
    const canceled = ok(await gql(writer, CancelPaymentDocument, { input: { paymentId: payment.id } }, { key })).cancelPayment.payment;
    await eventually(pending, (n) => n === 0); // published while the watcher was away: pub/sub drops it
    await watcherProxy.restore();

    const caughtUp = await live.until((e) => e.paymentUpdated.status === "CANCELED");
    expect(caughtUp.paymentUpdated.version).toBe(canceled.version);
    await client.dispose();
  });

  it("keeps a message it has no handler for (a newer release's) without blocking the others", async () => {
    const db = new pg.Client({ connectionString: stack.databaseUrl });
    await db.connect();
    await db.query(`INSERT INTO outbox_message (topic, payload) VALUES ('from.a.newer.release', '{}')`);
    const payment = ok(await gql(writer, CreatePaymentDocument, { input: { amount: "6.00", currency: "USD" } }, { key })).createPayment.payment;
    const client = wsClient(watcher, key);
    const live = subscribe(client, PaymentUpdatedDocument, { paymentId: payment.id });
    await live.until((e) => e.paymentUpdated.version === 1);
    ok(await gql(writer, CancelPaymentDocument, { input: { paymentId: payment.id } }, { key }));
    await live.until((e) => e.paymentUpdated.status === "CANCELED");
    const { rows } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM outbox_message WHERE topic = 'from.a.newer.release'`);
    expect(Number(rows[0]?.n)).toBe(1);
    await db.query(`DELETE FROM outbox_message WHERE topic = 'from.a.newer.release'`);
    await db.end();
    await client.dispose();
  });
});
