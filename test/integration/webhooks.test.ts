// Signed webhooks through the real server and worker: endpoints over GraphQL, one event per change
// of a payment or refund, delivered to a receiver on loopback and verified by two independent
// Standard Webhooks verifiers (the reference `standardwebhooks` library and svix's).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Webhook as StandardWebhook } from "standardwebhooks";
import { Webhook as SvixWebhook } from "svix";
import {
  ConfirmPaymentDocument, CreateApiKeyDocument, CreatePaymentDocument, CreateWebhookEndpointDocument, DeleteWebhookEndpointDocument,
  RedeliverWebhookEventDocument, RefundPaymentDocument, ReplayWebhookEventsDocument, RollWebhookEndpointSecretDocument, SendTestWebhookEventDocument,
  UpdateWebhookEndpointDocument, WebhookDeliveriesDocument, WebhookDeliveryUpdatedDocument, WebhookEndpointDocument, WebhookEndpointsDocument,
  WebhookEventDocument, WebhookEventsDocument,
} from "../../client/src/generated/graphql.js";
import { TEST_CARDS, card, errorCode, eventually, gql, ok, subscribe, useServer, wsClient } from "../support/stack.js";
import { startReceiver, type Received, type Receiver } from "../support/webhook-receiver.js";
import { promtool } from "../support/promtool.js";

const server = useServer({
  WEBHOOK_RETRY_SCHEDULE: "1s,1s,1s,1s,1s,1s",
  WEBHOOK_DISABLE_AFTER: "3s",
  WEBHOOK_ENDPOINT_CONCURRENCY: "2",
  WEBHOOK_CONCURRENCY: "4", // so one endpoint may hold at most 2 (half) in flight
});
let url: string;
let key: string;
let receiver: Receiver;
beforeAll(async () => {
  ({ url, key } = server);
  receiver = await startReceiver();
});
afterAll(async () => receiver?.close());

const createEndpoint = async (path: string, events: string[] = [], as = key) =>
  ok(await gql(url, CreateWebhookEndpointDocument, { input: { url: `${receiver.url}${path}`, events, description: path } }, { key: as })).createWebhookEndpoint;
const deliveries = async (endpointId: string) =>
  ok(await gql(url, WebhookDeliveriesDocument, { endpointId, first: 100 }, { key })).webhookDeliveries.edges.map((e) => e.node).reverse();
const endpoint = async (id: string) => ok(await gql(url, WebhookEndpointDocument, { id }, { key })).webhookEndpoint;
const pay = async (amount = "10.00", captureMethod: "AUTOMATIC" | "MANUAL" = "AUTOMATIC") => {
  const payment = ok(await gql(url, CreatePaymentDocument, { input: { amount, currency: "USD", captureMethod } }, { key })).createPayment.payment;
  ok(await gql(url, ConfirmPaymentDocument, { input: { paymentId: payment.id, card: card(TEST_CARDS.approve) } }, { key }));
  return payment.id;
};
type Body = { id: string; type: string; createdAt: string; data: { object: { id: string; object: string; status: string; version?: number; paymentId?: string } } };
const parse = (r: Received): Body => JSON.parse(r.body) as Body;
const of = (paymentId: string) => (r: Received): boolean => parse(r).data.object.id === paymentId || parse(r).data.object.paymentId === paymentId;

/** Both verifiers accept it (they throw otherwise); the body as the reference library parses it. */
function verify(r: Received, secret: string): Body {
  const headers = { "webhook-id": r.headers["webhook-id"]!, "webhook-timestamp": r.headers["webhook-timestamp"]!, "webhook-signature": r.headers["webhook-signature"]! };
  new SvixWebhook(secret).verify(r.body, headers); // throws unless it verifies
  return new StandardWebhook(secret).verify(r.body, headers) as unknown as Body;
}

describe("endpoints", () => {
  it("are created with a secret shown once, listed without it, changed, audited and deleted", async () => {
    const created = await createEndpoint("/crud", ["payment.captured"]);
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(created.webhookEndpoint).toMatchObject({ url: `${receiver.url}/crud`, events: ["payment.captured"], enabled: true, disabledReason: null });
    const listed = ok(await gql(url, WebhookEndpointsDocument, {}, { key })).webhookEndpoints.nodes;
    expect(listed.map((e) => e.id)).toContain(created.webhookEndpoint.id);
    expect(JSON.stringify(listed)).not.toContain(created.secret);

    const updated = ok(await gql(url, UpdateWebhookEndpointDocument, { input: { id: created.webhookEndpoint.id, events: [], enabled: false } }, { key })).updateWebhookEndpoint;
    expect(updated.webhookEndpoint).toMatchObject({ events: [], enabled: false });
    ok(await gql(url, DeleteWebhookEndpointDocument, { input: { id: created.webhookEndpoint.id } }, { key }));
    expect(errorCode(await gql(url, WebhookEndpointDocument, { id: created.webhookEndpoint.id }, { key }))).toBe("NOT_FOUND");
  });

  it("refuses bad input with BAD_USER_INPUT naming the field", async () => {
    const cases: [{ url: string; events?: string[] }, string][] = [
      [{ url: "ftp://example.com/hook" }, "url"],
      [{ url: "not a url" }, "url"],
      [{ url: "https://user:pass@example.com/hook" }, "url"],
      [{ url: `${receiver.url}/x`, events: ["payment.exploded"] }, "events"],
    ];
    for (const [input, field] of cases) {
      const result = await gql(url, CreateWebhookEndpointDocument, { input }, { key });
      expect(errorCode(result), JSON.stringify(input)).toBe("BAD_USER_INPUT");
      expect(result.errors?.[0]?.extensions?.field).toBe(field);
    }
    const roll = await gql(url, RollWebhookEndpointSecretDocument, { input: { id: "we_doesnotexist0000", overlapHours: 2 } }, { key });
    expect(errorCode(roll)).toBe("NOT_FOUND");
  });

  it("need webhooks:read to read and webhooks:write to change", async () => {
    const readOnly = ok(await gql(url, CreateApiKeyDocument, { input: { name: "wh-read", kind: "RESTRICTED", scopes: ["webhooks:read", "payments:read"] } }, { key })).createApiKey.secret;
    const paymentsOnly = ok(await gql(url, CreateApiKeyDocument, { input: { name: "pay-only", kind: "RESTRICTED", scopes: ["payments:read"] } }, { key })).createApiKey.secret;
    expect(ok(await gql(url, WebhookEndpointsDocument, {}, { key: readOnly })).webhookEndpoints.nodes).toBeInstanceOf(Array);
    const write = await gql(url, CreateWebhookEndpointDocument, { input: { url: `${receiver.url}/nope` } }, { key: readOnly });
    expect(errorCode(write)).toBe("FORBIDDEN");
    expect(write.errors?.[0]?.extensions?.missingScope).toBe("webhooks:write");
    const read = await gql(url, WebhookEndpointsDocument, {}, { key: paymentsOnly });
    expect(read.errors?.[0]?.extensions?.missingScope).toBe("webhooks:read");
    // Events need their object's read scope: payment events yes, no refund events without refunds:read.
    const events = ok(await gql(url, WebhookEventsDocument, { first: 100 }, { key: paymentsOnly })).webhookEvents.edges;
    expect(events.every((e) => e.node.objectType === "payment")).toBe(true);
  });
});

describe("delivery", () => {
  it("sends one signed event per change, verified by both libraries, listed by webhookEvents", async () => {
    const { webhookEndpoint, secret } = await createEndpoint("/all");
    const paymentId = await pay();
    const got = await receiver.until("/all", 3, of(paymentId));
    const bodies = got.map((r) => verify(r, secret));
    expect(bodies.map((b) => b.type)).toEqual(["payment.created", "payment.processing", "payment.captured"]);
    expect(bodies.map((b) => b.data.object.version)).toEqual([1, 2, 3]);
    expect(bodies[2]!.data.object).toMatchObject({ object: "payment", id: paymentId, status: "CAPTURED", amountCaptured: { amount: "10.00", minorUnits: "1000", currency: "USD" } });
    for (const r of got) {
      expect(r.headers["webhook-id"]).toBe(parse(r).id);
      expect(r.headers["content-type"]).toBe("application/json");
    }

    // The API lists the same events, newest first, and shows each as it was delivered.
    const listed = ok(await gql(url, WebhookEventsDocument, { first: 10, filter: { objectId: paymentId } }, { key })).webhookEvents.edges.map((e) => e.node);
    expect(listed.map((e) => e.type)).toEqual(["payment.captured", "payment.processing", "payment.created"]);
    const one = ok(await gql(url, WebhookEventDocument, { id: bodies[2]!.id }, { key })).webhookEvent;
    expect(one.data).toEqual(bodies[2]!.data);
    const captured = ok(await gql(url, WebhookEventsDocument, { first: 10, filter: { type: "payment.captured", objectId: paymentId } }, { key })).webhookEvents.edges;
    expect(captured).toHaveLength(1);

    const log = await deliveries(webhookEndpoint.id);
    expect(log.filter((d) => bodies.some((b) => b.id === d.eventId)).every((d) => d.status === "SUCCEEDED" && d.attempt === 1 && d.responseStatus === 200)).toBe(true);
  });

  it("is rejected by the libraries when tampered with, signed with another secret, or stale", async () => {
    const { secret } = await createEndpoint("/tamper", ["payment.created"]);
    const paymentId = ok(await gql(url, CreatePaymentDocument, { input: { amount: "1.00", currency: "USD" } }, { key })).createPayment.payment.id;
    const [r] = await receiver.until("/tamper", 1, of(paymentId));
    verify(r!, secret);
    const headers = { "webhook-id": r!.headers["webhook-id"]!, "webhook-timestamp": r!.headers["webhook-timestamp"]!, "webhook-signature": r!.headers["webhook-signature"]! };
    const other = ok(await gql(url, CreateWebhookEndpointDocument, { input: { url: `${receiver.url}/other`, events: ["test.ping"] } }, { key })).createWebhookEndpoint.secret;
    for (const lib of [(s: string) => new StandardWebhook(s), (s: string) => new SvixWebhook(s)]) {
      expect(() => lib(secret).verify(r!.body.replace("1.00", "9.00"), headers)).toThrow();
      expect(() => lib(other).verify(r!.body, headers)).toThrow();
      expect(() => lib(secret).verify(r!.body, { ...headers, "webhook-timestamp": String(Number(headers["webhook-timestamp"]) - 3600) })).toThrow();
    }
  });

  it("sends only the types an endpoint takes", async () => {
    await createEndpoint("/captured-only", ["payment.captured"]);
    const paymentId = await pay();
    const [r] = await receiver.until("/captured-only", 1, of(paymentId));
    expect(parse(r!).type).toBe("payment.captured");
    await receiver.until("/all", 3, of(paymentId)); // the every-type endpoint has all three by now
    expect(receiver.at("/captured-only").filter(of(paymentId))).toHaveLength(1);
  });

  it("tells refunds: refund.created and refund.succeeded, payment.updated when the status stays", async () => {
    const { secret } = await createEndpoint("/refunds");
    const paymentId = await pay("20.00");
    await receiver.until("/refunds", 3, of(paymentId));
    ok(await gql(url, RefundPaymentDocument, { input: { paymentId, amount: "5.00" } }, { key }));
    const got = await receiver.until("/refunds", 7, of(paymentId));
    const types = got.map((r) => verify(r, secret).type);
    expect(types.slice(0, 3)).toEqual(["payment.created", "payment.processing", "payment.captured"]);
    // The request and its settlement: the payment keeps CAPTURED (payment.updated), then PARTIALLY_REFUNDED.
    expect(types.slice(3).sort()).toEqual(["payment.partially_refunded", "payment.updated", "refund.created", "refund.succeeded"].sort());
    const refund = got.map(parse).find((b) => b.type === "refund.succeeded")!;
    expect(refund.data.object).toMatchObject({ object: "refund", paymentId, status: "SUCCEEDED", amount: { amount: "5.00" } });
  });

  it("retries a receiver answering 500 twice, then 200: three tries, one webhook-id", async () => {
    receiver.on("/flaky", (n) => (n <= 2 ? { status: 500, body: "boom" } : { status: 200 }));
    const { webhookEndpoint } = await createEndpoint("/flaky", ["payment.created"]);
    const paymentId = ok(await gql(url, CreatePaymentDocument, { input: { amount: "3.00", currency: "USD" } }, { key })).createPayment.payment.id;
    const got = await receiver.until("/flaky", 3, of(paymentId));
    expect(new Set(got.map((r) => r.headers["webhook-id"])).size).toBe(1);
    const log = await eventually(() => deliveries(webhookEndpoint.id), (d) => d.length >= 3);
    expect(log.map((d) => [d.attempt, d.status, d.responseStatus])).toEqual([[1, "FAILED", 500], [2, "FAILED", 500], [3, "SUCCEEDED", 200]]);
    expect(log[0]!.responseBody).toBe("boom");
    expect(log[0]!.nextRetryAt).not.toBeNull();
    expect(log[2]!.nextRetryAt).toBeNull();
    expect((await endpoint(webhookEndpoint.id)).failingSince).toBeNull();
  });

  it("waits as long as Retry-After says on 429", async () => {
    receiver.on("/busy", (n) => (n === 1 ? { status: 429, headers: { "retry-after": "3" } } : { status: 200 }));
    const { webhookEndpoint } = await createEndpoint("/busy", ["payment.created"]);
    await gql(url, CreatePaymentDocument, { input: { amount: "3.00", currency: "USD" } }, { key });
    const log = await eventually(() => deliveries(webhookEndpoint.id), (d) => d.length >= 2, 20_000);
    const wait = Date.parse(log[0]!.nextRetryAt!) - Date.parse(log[0]!.createdAt);
    expect(wait).toBeGreaterThanOrEqual(3000); // the schedule alone would have waited about a second
    expect(log[1]!.status).toBe("SUCCEEDED");
  });

  it("disables an endpoint at once on 410, and one failing for WEBHOOK_DISABLE_AFTER", async () => {
    receiver.on("/gone", () => ({ status: 410 }));
    receiver.on("/down", () => ({ status: 502 }));
    const gone = (await createEndpoint("/gone", ["payment.created"])).webhookEndpoint;
    const down = (await createEndpoint("/down", ["payment.created"])).webhookEndpoint;
    await gql(url, CreatePaymentDocument, { input: { amount: "3.00", currency: "USD" } }, { key });
    expect(await eventually(() => endpoint(gone.id), (e) => !e.enabled)).toMatchObject({ enabled: false, disabledReason: "gone" });
    expect((await deliveries(gone.id)).map((d) => d.status)).toEqual(["GAVE_UP"]);
    const disabled = await eventually(() => endpoint(down.id), (e) => !e.enabled, 30_000);
    expect(disabled).toMatchObject({ disabledReason: "failing" });
    const log = await deliveries(down.id);
    expect(log.at(-1)!.status).toBe("GAVE_UP");
    expect(log.slice(0, -1).every((d) => d.status === "FAILED")).toBe(true);
    // Disabled: later events are not sent; a test ping is refused until it is enabled again.
    const before = receiver.at("/gone").length;
    const paymentId = ok(await gql(url, CreatePaymentDocument, { input: { amount: "4.00", currency: "USD" } }, { key })).createPayment.payment.id;
    await receiver.until("/all", 1, of(paymentId));
    expect(receiver.at("/gone")).toHaveLength(before);
    expect(errorCode(await gql(url, SendTestWebhookEventDocument, { input: { endpointId: gone.id } }, { key }))).toBe("BAD_USER_INPUT");
  });

  it("never lets a receiver that does not answer hold back a healthy one", async () => {
    receiver.on("/hang", () => "hang");
    await createEndpoint("/hang", ["payment.created"]);
    await createEndpoint("/healthy", ["payment.created"]);
    const ids = [];
    for (let i = 0; i < 12; i++) ids.push(ok(await gql(url, CreatePaymentDocument, { input: { amount: "1.00", currency: "USD" } }, { key })).createPayment.payment.id);
    // Every event reaches the healthy receiver while the hanging one still holds its first few.
    for (const id of ids) await receiver.until("/healthy", 1, of(id));
    expect(receiver.at("/hang").length).toBeLessThanOrEqual(2); // half of WEBHOOK_CONCURRENCY, and WEBHOOK_ENDPOINT_CONCURRENCY
  });
});

describe("operability", () => {
  it("sends a test ping at once, redelivers an event with its webhook-id, replays a range, all seen live", async () => {
    const { webhookEndpoint, secret } = await createEndpoint("/ops", ["payment.created"]);
    const client = wsClient(url, key);
    const live = subscribe(client, WebhookDeliveryUpdatedDocument, { endpointId: webhookEndpoint.id });
    await new Promise((r) => setTimeout(r, 300)); // let the subscription reach the server

    const ping = ok(await gql(url, SendTestWebhookEventDocument, { input: { endpointId: webhookEndpoint.id } }, { key })).sendTestWebhookEvent.webhookEvent;
    const [pinged] = await receiver.until("/ops", 1, (r) => parse(r).id === ping.id);
    expect(verify(pinged!, secret)).toMatchObject({ type: "test.ping", data: { object: { object: "webhook_endpoint", id: webhookEndpoint.id } } });
    await live.until((e) => e.webhookDeliveryUpdated.eventId === ping.id && e.webhookDeliveryUpdated.status === "SUCCEEDED");

    const from = new Date().toISOString();
    const paymentId = ok(await gql(url, CreatePaymentDocument, { input: { amount: "2.00", currency: "USD" } }, { key })).createPayment.payment.id;
    const [first] = await receiver.until("/ops", 1, of(paymentId));
    const eventId = parse(first!).id;
    ok(await gql(url, RedeliverWebhookEventDocument, { input: { eventId, endpointId: webhookEndpoint.id } }, { key }));
    const twice = await receiver.until("/ops", 2, of(paymentId));
    expect(twice.map((r) => r.headers["webhook-id"])).toEqual([eventId, eventId]);

    const replay = ok(await gql(url, ReplayWebhookEventsDocument, { input: { endpointId: webhookEndpoint.id, from, to: new Date(Date.now() + 1000).toISOString() } }, { key })).replayWebhookEvents;
    expect(replay.queued).toBeGreaterThanOrEqual(1);
    await receiver.until("/ops", 3, of(paymentId));
    live.dispose();
    await client.dispose();
  });

  it("signs with both secrets while a rolled one overlaps", async () => {
    const { webhookEndpoint, secret: old } = await createEndpoint("/roll", ["test.ping"]);
    const rolled = ok(await gql(url, RollWebhookEndpointSecretDocument, { input: { id: webhookEndpoint.id, overlapHours: 1 } }, { key })).rollWebhookEndpointSecret;
    expect(rolled.secret).not.toBe(old);
    expect(rolled.webhookEndpoint.previousSecretExpiresAt).not.toBeNull();
    ok(await gql(url, SendTestWebhookEventDocument, { input: { endpointId: webhookEndpoint.id } }, { key }));
    const [r] = await receiver.until("/roll", 1);
    expect(r!.headers["webhook-signature"]!.split(" ")).toHaveLength(2);
    verify(r!, rolled.secret);
    verify(r!, old);

    ok(await gql(url, RollWebhookEndpointSecretDocument, { input: { id: webhookEndpoint.id, overlapHours: 0 } }, { key }));
    ok(await gql(url, SendTestWebhookEventDocument, { input: { endpointId: webhookEndpoint.id } }, { key }));
    const [, second] = await receiver.until("/roll", 2);
    expect(second!.headers["webhook-signature"]!.split(" ")).toHaveLength(1);
  });
});

describe("metrics", () => {
  it("/metrics passes promtool's lint, with the webhook figures", async () => {
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toMatch(/^paygraph_webhook_deliveries_total\{outcome="delivered"\} [1-9]/m);
    expect(text).toMatch(/^paygraph_webhook_deliveries_total\{outcome="gave_up"\} [1-9]/m);
    expect(text).toMatch(/^paygraph_webhook_endpoints_disabled_total\{reason="gone"\} 1$/m);
    expect(text).toMatch(/^paygraph_webhook_delivery_duration_seconds_bucket/m);
    expect(text).toMatch(/^paygraph_webhook_queue_jobs\{state="waiting"\}/m);
    expect(await promtool(text)).toEqual({ code: 0, out: "" });
  });
});
