// @paygraph/client (client/) against the real server: typed calls, errors, idempotent retries, and
// subscriptions that survive a dropped socket or a dead network and end with the session that
// opened them.
import net from "node:net";
import WebSocket from "ws";
import { beforeAll, describe, expect, it, vi } from "vitest";
import {
  ConfirmPaymentDocument, CreatePaymentDocument, PaymentDocument, PaymentUpdatedDocument, PaymentsDocument, SignInDocument,
  SignOutDocument, createClient, isPaygraphError, type PaygraphClientOptions, type PaygraphError,
} from "../../client/src/index.js";
import { TEST_CARDS, card, eventually, useServer } from "../support/stack.js";
import { tcpProxy } from "../support/tcp-proxy.js";
import { merchantWithOwner, PASSWORD, type MerchantWithOwner } from "../support/users.js";

const server = useServer();
let endpoint: string;
// A merchant with an owner who can sign in: made by the CLI (seconds of scrypt and start-up), so
// started at once and awaited only by the test that needs it.
let ownerMade: Promise<MerchantWithOwner>;
beforeAll(() => {
  endpoint = `${server.url}/graphql`;
  ownerMade = merchantWithOwner(server.stack);
  ownerMade.catch(() => undefined); // reported by the test that awaits it
});

const client = (options: Partial<PaygraphClientOptions> = {}) =>
  createClient({ url: endpoint, apiKey: server.key, webSocketImpl: WebSocket, ...options });
const failure = (promise: Promise<unknown>): Promise<PaygraphError> =>
  promise.then(() => expect.fail("expected a PaygraphError"), (err: unknown) => (isPaygraphError(err) ? err : expect.fail(String(err))));
const idempotencyKeyOf = (init: RequestInit): string | null => new Headers(init.headers).get("idempotency-key");

describe("query and mutate", () => {
  it("takes a payment and watches it to CAPTURED, typed end to end", async () => {
    const pg = client();
    const { createPayment } = await pg.mutate(CreatePaymentDocument, { input: { amount: "12.50", currency: "USD" } });
    const paymentId = createPayment.payment.id;

    const updates = pg.iterate(PaymentUpdatedDocument, { paymentId });
    // The stream starts with the payment as it is; confirmed only then, so every step is seen.
    expect((await updates.next()).value?.paymentUpdated).toMatchObject({ status: "REQUIRES_PAYMENT_METHOD", version: 1 });
    await pg.mutate(ConfirmPaymentDocument, { input: { paymentId, card: card(TEST_CARDS.approve) } });
    const statuses: string[] = [];
    for await (const { paymentUpdated } of updates) {
      statuses.push(paymentUpdated.status);
      if (paymentUpdated.status === "CAPTURED") break; // leaving the loop unsubscribes
    }
    expect(statuses).toEqual(["PROCESSING", "CAPTURED"]);

    const { payment } = await pg.query(PaymentDocument, { id: paymentId });
    expect(payment).toMatchObject({ status: "CAPTURED", amountCaptured: { amount: "12.50", currency: "USD" } });
    expect(payment?.attempts.nodes).toHaveLength(1);
    await pg.dispose();
  });

  it("throws BAD_USER_INPUT as a PaygraphError with the request id, without retrying", async () => {
    const requestIds: (string | null)[] = [];
    const pg = client({ fetch: async (input, init) => {
      const response = await fetch(input, init);
      requestIds.push(response.headers.get("x-request-id"));
      return response;
    } });
    const err = await failure(pg.mutate(CreatePaymentDocument, { input: { amount: "12.505", currency: "USD" } }));
    expect(err).toMatchObject({ name: "PaygraphError", code: "BAD_USER_INPUT" });
    expect(err.extensions.code).toBe("BAD_USER_INPUT");
    expect(err.requestId).toBeTruthy();
    expect(requestIds).toEqual([err.requestId]); // one try
  });

  it("throws UNAUTHENTICATED for a bad key and tells onAuthError", async () => {
    const onAuthError = vi.fn();
    const pg = client({ apiKey: "sk_test_notarealkeynotarealkeynotareal", onAuthError });
    const err = await failure(pg.query(PaymentDocument, { id: "pay_missing" }));
    expect(err.code).toBe("UNAUTHENTICATED");
    expect(err.requestId).toBeTruthy();
    expect(onAuthError).toHaveBeenCalledWith(err);
  });
});

describe("idempotency", () => {
  it("retries a mutation whose answer was lost under the same key: one payment, the first answer", async () => {
    const keys: (string | null)[] = [];
    let madeByFirstTry: string | undefined;
    const pg = client({ retry: { baseDelayMs: 10 }, fetch: async (input, init) => {
      keys.push(idempotencyKeyOf(init));
      const response = await fetch(input, init);
      if (keys.length > 1) return response;
      // The server made the payment; its answer is "lost" on the way back.
      madeByFirstTry = ((await response.json()) as { data: { createPayment: { payment: { id: string } } } }).data.createPayment.payment.id;
      throw new TypeError("fetch failed: socket hang up");
    } });

    const { createPayment } = await pg.mutate(CreatePaymentDocument, { input: { amount: "5.00", currency: "SEK" } });
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[1]).toBe(keys[0]);
    expect(createPayment.payment.id).toBe(madeByFirstTry);

    // A new call is a new key, hence a new payment; a key of the caller's is kept as given.
    await pg.mutate(CreatePaymentDocument, { input: { amount: "5.00", currency: "SEK" } }, { idempotencyKey: "order-42" });
    expect(keys[2]).toBe("order-42");
    const again = await pg.mutate(CreatePaymentDocument, { input: { amount: "5.00", currency: "SEK" } }, { idempotencyKey: "order-42" });
    const reused = await failure(pg.mutate(CreatePaymentDocument, { input: { amount: "6.00", currency: "SEK" } }, { idempotencyKey: "order-42" }));
    expect(reused.code).toBe("IDEMPOTENCY_KEY_REUSED");
    expect(keys).toHaveLength(5); // no retry of a refusal

    // SEK: no other test of this file pays in it.
    const { payments } = await pg.query(PaymentsDocument, { first: 10, filter: { currency: "SEK" } });
    expect(payments.edges.map((e) => e.node.id).sort()).toEqual([createPayment.payment.id, again.createPayment.payment.id].sort());
  });
});

describe("subscriptions", () => {
  it("reconnects with back-off after the socket is cut, and resubscribes", async () => {
    const proxy = await tcpProxy("127.0.0.1", Number(new URL(server.url).port));
    const connected: boolean[] = [];
    const pg = client({
      wsUrl: `ws://127.0.0.1:${proxy.port}/graphql`,
      reconnect: { baseDelayMs: 50, maxDelayMs: 200 },
      on: { connected: ({ reconnected }) => connected.push(reconnected) },
    });
    try {
      const paymentId = (await pg.mutate(CreatePaymentDocument, { input: { amount: "1.00", currency: "USD" } })).createPayment.payment.id;
      const statuses: string[] = [];
      const errors: PaygraphError[] = [];
      pg.subscribe(PaymentUpdatedDocument, { paymentId }, { next: (e) => statuses.push(e.paymentUpdated.status), error: (e) => errors.push(e) });
      await eventually(async () => statuses.length, (n) => n === 1, 10_000);

      await proxy.cut(); // the socket drops, and reconnecting is refused for a while
      await new Promise((r) => setTimeout(r, 300));
      await proxy.restore();
      // Resubscribed: the stream starts again with the payment as it is.
      await eventually(async () => statuses.length, (n) => n === 2, 10_000);
      expect(connected).toEqual([false, true]);

      await pg.mutate(ConfirmPaymentDocument, { input: { paymentId, card: card(TEST_CARDS.approve) } });
      await eventually(async () => statuses, (s) => s.includes("CAPTURED"), 10_000);
      expect(errors).toEqual([]);
    } finally {
      await pg.dispose();
      await proxy.close();
    }
  });

  it("drops a socket whose pongs stop and retries connections that never open, then resubscribes", async () => {
    const network = await blackHoleProxy(Number(new URL(server.url).port));
    const closeCodes: (number | undefined)[] = [];
    const pg = client({
      wsUrl: `ws://127.0.0.1:${network.port}/graphql`, keepAliveMs: 100, connectTimeoutMs: 200,
      reconnect: { baseDelayMs: 20, maxDelayMs: 50 }, on: { closed: ({ code }) => closeCodes.push(code) },
    });
    try {
      const paymentId = (await pg.mutate(CreatePaymentDocument, { input: { amount: "1.00", currency: "USD" } })).createPayment.payment.id;
      let events = 0;
      pg.subscribe(PaymentUpdatedDocument, { paymentId }, { next: () => events++ });
      await eventually(async () => events, (n) => n === 1, 10_000);
      network.swallow = true; // packets vanish; nothing is closed
      await eventually(async () => closeCodes, (c) => c.includes(4499) && c.filter((code) => code === 1006).length >= 1, 10_000);
      network.swallow = false;
      await eventually(async () => events, (n) => n === 2, 10_000);
    } finally {
      await pg.dispose();
      network.close();
    }
  });

  it("ends with UNAUTHENTICATED, not a reconnection, when the session is signed out (close 4403)", async () => {
    const owner = await ownerMade;
    // No credential needed to sign in; the header of a mutation that takes no key is ignored.
    const { signIn } = await createClient({ url: endpoint }).mutate(SignInDocument, { input: { email: owner.ownerEmail, password: PASSWORD } });
    const onAuthError = vi.fn();
    let connecting = 0;
    const pg = createClient({
      url: endpoint, getToken: async () => signIn.token, webSocketImpl: WebSocket, onAuthError,
      reconnect: { baseDelayMs: 10, maxDelayMs: 20 }, on: { connecting: () => connecting++ },
    });
    const paymentId = (await pg.mutate(CreatePaymentDocument, { input: { amount: "1.00", currency: "USD" } })).createPayment.payment.id;
    const ended = new Promise<PaygraphError>((resolve) => {
      let first = true;
      pg.subscribe(PaymentUpdatedDocument, { paymentId }, {
        // The first event proves the server tracks the socket under the session.
        next: () => first && ((first = false), void pg.mutate(SignOutDocument)),
        error: resolve,
      });
    });
    const err = await ended;
    expect(err).toMatchObject({ code: "UNAUTHENTICATED", extensions: { closeCode: 4403 } });
    expect(onAuthError).toHaveBeenCalledWith(err);
    await new Promise((r) => setTimeout(r, 200));
    expect(connecting).toBe(1);
    await pg.dispose();
  });
});

/** A TCP proxy whose traffic can be made to vanish without any socket closing (a dead network path). */
async function blackHoleProxy(targetPort: number): Promise<{ port: number; swallow: boolean; close(): void }> {
  const sockets = new Set<net.Socket>();
  const proxy = { port: 0, swallow: false, close: () => { server.close(); sockets.forEach((s) => s.destroy()); } };
  const server = net.createServer((downstream) => {
    const upstream = net.connect(targetPort, "127.0.0.1");
    for (const [from, to] of [[downstream, upstream], [upstream, downstream]] as const) {
      sockets.add(from);
      from.on("data", (chunk) => proxy.swallow || to.write(chunk));
      from.on("error", () => undefined);
      from.on("close", () => to.destroy());
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  proxy.port = (server.address() as net.AddressInfo).port;
  return proxy;
}
