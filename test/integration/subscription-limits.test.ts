// Subscriptions are bounded (issue 9 §4): per graphql-ws socket (SUBSCRIPTIONS_PER_SOCKET) and per
// credential across one api process's sockets (SUBSCRIPTIONS_PER_CREDENTIAL); past a limit the
// subscribe gets TOO_MANY_SUBSCRIPTIONS and the socket stays usable. A socket whose client stops
// reading is closed with 1013 (try again later) once its unsent data passes
// SUBSCRIPTION_SOCKET_BUFFER_BYTES, and the process serves everyone else.
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CreatePaymentDocument, PaymentUpdatedDocument } from "../../client/src/generated/graphql.js";
import { createStack, gql, ok, subscribe, wsClient, type Role, type Stack } from "../support/stack.js";

let stack: Stack;
let limited: Role;
let buffered: Role;
let key: string;
let otherKey: string;

beforeAll(async () => {
  stack = await createStack();
  const gateway = (await stack.start(["sandbox", "--port", "0"])).url;
  limited = await stack.start(["start", "--role", "api", "--port", "0"], { GATEWAY_URL: gateway, SUBSCRIPTIONS_PER_SOCKET: "3", SUBSCRIPTIONS_PER_CREDENTIAL: "5" });
  buffered = await stack.start(["start", "--role", "api", "--port", "0"], { GATEWAY_URL: gateway, SUBSCRIPTION_SOCKET_BUFFER_BYTES: "65536" });
  key = (await stack.merchant()).secretKey;
  otherKey = (await stack.merchant("Other merchant")).secretKey;
});
afterAll(async () => stack?.close());

type Live = ReturnType<typeof subscribe<unknown, unknown>>;
const codes = (subs: Live[]): unknown[][] =>
  subs.map((s) => s.errors.flatMap((e) => (Array.isArray(e) ? e : [e])).map((e) => (e as { extensions?: { code?: string; limit?: string } }).extensions));
const refusedOf = (subs: Live[], limit: string): Live[] =>
  subs.filter((_, i) => codes(subs)[i]!.some((x) => (x as { code?: string; limit?: string } | undefined)?.code === "TOO_MANY_SUBSCRIPTIONS" && (x as { limit?: string }).limit === limit));
const settled = async (subs: Live[], refusals: number): Promise<void> => {
  for (let i = 0; i < 200 && subs.filter((s) => s.errors.length > 0).length < refusals; i++) await new Promise((r) => setTimeout(r, 25));
};
const create = async (k: string, description?: string) =>
  ok(await gql(limited.url, CreatePaymentDocument, { input: { amount: "5.00", currency: "USD", ...(description ? { description } : {}) } }, { key: k })).createPayment.payment;
/**
 * graphql-ws does not acknowledge a subscribe: payments are made until every subscription has
 * received one (no timing asserted).
 */
const untilLive = async (k: string, subs: Live[]): Promise<void> => {
  while (subs.some((s) => s.events.length === 0)) {
    await create(k);
    await new Promise((r) => setTimeout(r, 100));
  }
};

describe("subscription limits", () => {
  it("refuses a socket's subscription past SUBSCRIPTIONS_PER_SOCKET and keeps the socket usable", async () => {
    const client = wsClient(limited.url, key);
    const subs = Array.from({ length: 4 }, () => subscribe(client, PaymentUpdatedDocument, {}) as Live);
    await settled(subs, 1);
    expect(refusedOf(subs, "socket")).toHaveLength(1);
    const admitted = subs.filter((s) => s.errors.length === 0);
    expect(admitted).toHaveLength(3);

    // Completing one frees its place; the new one and the others receive events.
    admitted[0]!.dispose();
    const another = subscribe(client, PaymentUpdatedDocument, {}) as Live;
    await untilLive(key, [another, admitted[1]!, admitted[2]!]);
    expect(another.errors).toEqual([]);
    await client.dispose();
  });

  it("refuses past SUBSCRIPTIONS_PER_CREDENTIAL across the process's sockets, and not another credential", async () => {
    const first = wsClient(limited.url, key);
    const second = wsClient(limited.url, key);
    const held = Array.from({ length: 3 }, () => subscribe(first, PaymentUpdatedDocument, {}) as Live);
    await untilLive(key, held);

    const more = Array.from({ length: 3 }, () => subscribe(second, PaymentUpdatedDocument, {}) as Live);
    await settled(more, 1);
    expect(refusedOf(more, "credential")).toHaveLength(1);
    expect(more.filter((s) => s.errors.length === 0)).toHaveLength(2);

    const stranger = wsClient(limited.url, otherKey);
    const theirs = subscribe(stranger, PaymentUpdatedDocument, {}) as Live;
    await untilLive(otherKey, [theirs]);
    expect(theirs.errors).toEqual([]);
    await Promise.all([first.dispose(), second.dispose(), stranger.dispose()]);
  });
});

/** A bare graphql-transport-ws client whose reading the test can pause. */
async function rawSocket(url: string, secret: string): Promise<WebSocket> {
  const socket = new WebSocket(`${url.replace(/^http/, "ws")}/graphql`, "graphql-transport-ws");
  await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
  socket.send(JSON.stringify({ type: "connection_init", payload: { Authorization: `Bearer ${secret}` } }));
  await new Promise<void>((resolve) => socket.on("message", (data) => JSON.parse(String(data)).type === "connection_ack" && resolve()));
  return socket;
}

describe("a socket whose client stops reading", () => {
  it("is closed with 1013 once its unsent data passes SUBSCRIPTION_SOCKET_BUFFER_BYTES; the process serves others", async () => {
    const socket = await rawSocket(buffered.url, key);
    // 20 aliases of a 1000-character description: about 20 KB per event per subscription.
    const fields = Array.from({ length: 20 }, (_, i) => `d${i}: description`).join(" ");
    for (let i = 0; i < 50; i++) socket.send(JSON.stringify({ id: `s${i}`, type: "subscribe", payload: { query: `subscription { paymentUpdated { id ${fields} } }` } }));
    let events = 0;
    socket.on("message", () => events++);
    // graphql-ws does not acknowledge a subscribe: payments are made until the subscriptions answer.
    while (events < 50) {
      await create(key, "x".repeat(1000));
      await new Promise((r) => setTimeout(r, 100));
    }

    const closed = new Promise<number>((resolve) => socket.once("close", (code) => resolve(code)));
    (socket as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
    for (let i = 0; i < 16; i++) await create(key, "y".repeat(1000)); // ~1 MB of events each
    (socket as unknown as { _socket: { resume(): void } })._socket.resume();
    expect(await closed).toBe(1013);

    // The process is up and serves another socket.
    const client = wsClient(buffered.url, key);
    const live = subscribe(client, PaymentUpdatedDocument, {}) as Live;
    await untilLive(key, [live]);
    expect(buffered.proc.exitCode).toBeNull();
    await client.dispose();
  });
});
