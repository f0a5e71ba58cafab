// Alerts through the real server and worker: a rule on a sandbox gateway account, the gateway
// degraded and recovered through its control port, and exactly one firing then one resolved notice
// on each channel — a signed webhook (verified by the reference library), a fake Slack on loopback
// (which answers its first post 429, so Retry-After is honoured) and an SMTP capture server.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Webhook as StandardWebhook } from "standardwebhooks";
import {
  AlertRulesDocument, AlertUpdatedDocument, AlertsDocument, ConfirmPaymentDocument, CreateAlertRuleDocument, CreateApiKeyDocument,
  CreateGatewayAccountDocument, CreatePaymentDocument, CreateWebhookEndpointDocument, DeleteAlertRuleDocument, GatewayAccountsDocument,
  SendTestWebhookEventDocument, UpdateWebhookEndpointDocument,
} from "../../client/src/generated/graphql.js";
import { TEST_CARDS, card, createStack, errorCode, eventually, gql, ok, subscribe, wsClient, type Stack } from "../support/stack.js";
import { startReceiver, type Receiver } from "../support/webhook-receiver.js";
import { startSmtpCapture, type SmtpCapture } from "../support/smtp-capture.js";
import { promtool } from "../support/promtool.js";

let stack: Stack;
let url: string;
let key: string;
let gateway: string;
let receiver: Receiver;
let smtp: SmtpCapture;

beforeAll(async () => {
  [receiver, smtp] = await Promise.all([startReceiver(), startSmtpCapture()]);
  stack = await createStack({
    SMTP_URL: smtp.url,
    ALERT_EVALUATE_EVERY_MS: "250",
    ALERT_RESOLVE_AFTER: "1s",
    // Success rates over a 5 s window in 1 s buckets; the breaker never opens, so the degraded
    // account keeps getting calls (the circuit has a rule kind of its own).
    ROUTING_WINDOW_MS: "5000",
    ROUTING_BUCKETS: "5",
    BREAKER_FAILURES: "1000",
  });
  gateway = (await stack.start(["sandbox", "--port", "0"])).url;
  url = (await stack.start(["start", "--role", "all", "--port", "0"])).url;
  key = (await stack.merchant()).secretKey;
});
afterAll(async () => {
  await stack?.close();
  await Promise.all([receiver?.close(), smtp?.close()]);
});

const control = (settings: Record<string, unknown>) =>
  fetch(`${gateway}/control`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(settings) });
const pay = async (number: string = TEST_CARDS.approve): Promise<void> => {
  const payment = ok(await gql(url, CreatePaymentDocument, { input: { amount: "5.00", currency: "USD" } }, { key })).createPayment.payment;
  ok(await gql(url, ConfirmPaymentDocument, { input: { paymentId: payment.id, card: card(number) } }, { key }));
};
const alerts = async (state?: "FIRING" | "RESOLVED") => ok(await gql(url, AlertsDocument, { first: 10, state }, { key })).alerts.edges.map((e) => e.node);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("alerts", () => {
  it("fire once when a gateway degrades and resolve once when it recovers, on every channel", async () => {
    const account = ok(await gql(url, CreateGatewayAccountDocument, { input: { name: "acquirer-a", kind: "SANDBOX", config: { url: gateway } } }, { key })).createGatewayAccount.gatewayAccount;
    // The endpoint takes only test pings: the alert events reach it because the rule names it.
    const endpoint = ok(await gql(url, CreateWebhookEndpointDocument, { input: { url: `${receiver.url}/alerts`, events: ["test.ping"] } }, { key })).createWebhookEndpoint;
    receiver.on("/slack", (n) => (n === 1 ? { status: 429, headers: { "retry-after": "1" }, body: "rate_limited" } : { status: 200, body: "ok" }));
    const rule = ok(await gql(url, CreateAlertRuleDocument, {
      input: {
        name: "Acquirer A approvals",
        condition: { kind: "GATEWAY_SUCCESS_RATE_BELOW", gatewayAccountId: account.id, threshold: 0.5, windowSeconds: 5, minVolume: 3 },
        channels: [
          { kind: "WEBHOOK", target: endpoint.webhookEndpoint.id },
          { kind: "SLACK", target: `${receiver.url}/slack` },
          { kind: "EMAIL", target: "oncall@merchant.example" },
        ],
      },
    }, { key })).createAlertRule.alertRule;
    expect(rule.condition).toMatchObject({ kind: "GATEWAY_SUCCESS_RATE_BELOW", threshold: 0.5, windowSeconds: 5, minVolume: 3, declineCode: null });
    expect(rule.channels[1]).toEqual({ kind: "SLACK", target: expect.stringMatching(/^127\.0\.0\.1:\d+\/…lack$/) }); // the URL is a credential
    const client = wsClient(url, key);
    const live = subscribe(client, AlertUpdatedDocument, { ruleId: rule.id });

    // Healthy: approvals only, nothing fires.
    for (let i = 0; i < 3; i++) await pay();
    await sleep(600);
    expect(await alerts()).toEqual([]);

    // Degraded: every authorization answered 503. One alert fires, and stays one while it lasts.
    await control({ failRate: 1 });
    for (let i = 0; i < 3; i++) await pay();
    const [fired] = await eventually(() => alerts("FIRING"), (list) => list.length === 1);
    expect(fired).toMatchObject({ ruleId: rule.id, kind: "GATEWAY_SUCCESS_RATE_BELOW", subject: account.id, dedupKey: `${rule.id}:${account.id}`, threshold: 0.5 });
    expect(fired!.value).toBeLessThan(0.5);
    expect(fired!.summary).toContain(`gateway account "acquirer-a" (${account.id})`);
    for (let i = 0; i < 2; i++) await pay();
    await sleep(600);

    // Recovered: approvals push the failures out of the window; after a second clear it resolves.
    await control({ failRate: 0 });
    const resolved = await eventually(async () => {
      await pay();
      return alerts();
    }, (list) => list[0]?.state === "RESOLVED", 45_000);
    await sleep(1500); // a few more evaluations: nothing else fires or is sent
    expect(await alerts()).toHaveLength(1);
    expect(resolved[0]).toMatchObject({ id: fired!.id, state: "RESOLVED" });

    // Exactly one firing and one resolved notice per channel, each sent.
    const [latest] = await eventually(() => alerts(), (list) => list[0]!.notifications.length === 6 && list[0]!.notifications.every((n) => n.status === "SENT"));
    expect(latest!.notifications.map((n) => `${n.transition}:${n.channelKind}`)).toEqual([
      "FIRING:WEBHOOK", "FIRING:SLACK", "FIRING:EMAIL", "RESOLVED:WEBHOOK", "RESOLVED:SLACK", "RESOLVED:EMAIL",
    ]);

    // The signed webhook: alert.firing then alert.resolved, verified by the reference library.
    const hooks = await receiver.until("/alerts", 2);
    const bodies = hooks.map((r) => new StandardWebhook(endpoint.secret).verify(r.body, {
      "webhook-id": r.headers["webhook-id"]!, "webhook-timestamp": r.headers["webhook-timestamp"]!, "webhook-signature": r.headers["webhook-signature"]!,
    }) as { type: string; data: { object: { id: string; state: string } } });
    expect(bodies.map((b) => [b.type, b.data.object.id, b.data.object.state])).toEqual([["alert.firing", fired!.id, "FIRING"], ["alert.resolved", fired!.id, "RESOLVED"]]);

    // Slack: the first post refused with 429 and Retry-After: 1, then the same notice a second later; then the resolution.
    const posts = receiver.at("/slack").map((r) => ({ at: r.at, text: (JSON.parse(r.body) as { text: string }).text }));
    expect(posts.map((p) => p.text.split(":")[0])).toEqual(["[FIRING] Acquirer A approvals", "[FIRING] Acquirer A approvals", "[RESOLVED] Acquirer A approvals"]);
    expect(posts[1]!.at - posts[0]!.at).toBeGreaterThanOrEqual(950); // Retry-After honoured
    expect(posts[0]!.text).not.toMatch(/[<>]/); // Slack's control characters escaped

    // Email: one of each, the resolution threaded under the firing one.
    expect(smtp.mails.map((m) => [m.to, m.subject])).toEqual([
      ["oncall@merchant.example", "[FIRING] Acquirer A approvals"], ["oncall@merchant.example", "[RESOLVED] Acquirer A approvals"],
    ]);
    expect(smtp.mails[1]!.inReplyTo).toBe(smtp.mails[0]!.messageId);

    // The subscription saw both transitions.
    await eventually(async () => live.events.length, (n) => n >= 2);
    expect(live.events.map((e) => (e as { alertUpdated: { state: string } }).alertUpdated.state)).toEqual(["FIRING", "RESOLVED"]);
    live.dispose();
    await client.dispose();

    // And /metrics counts them.
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain('paygraph_alert_transitions_total{kind="GATEWAY_SUCCESS_RATE_BELOW",state="firing"} 1');
    expect(metrics).toContain('paygraph_alert_transitions_total{kind="GATEWAY_SUCCESS_RATE_BELOW",state="resolved"} 1');
    expect(metrics).toContain('paygraph_alert_notifications_total{channel="slack",outcome="sent"} 2');
    expect(metrics).toContain('paygraph_alert_notifications_total{channel="email",outcome="sent"} 2');
    expect(metrics).toMatch(/^paygraph_alert_queue_jobs\{state="waiting"\} 0$/m);
    expect(await promtool(metrics)).toEqual({ code: 0, out: "" });
  });

  it("watch decline codes, p99 latency and endpoints paygraph disabled, each under its own key", async () => {
    const [account] = ok(await gql(url, GatewayAccountsDocument, {}, { key })).gatewayAccounts;
    // The first test's rule would see the declines below as a failing gateway: it has had its turn.
    for (const r of ok(await gql(url, AlertRulesDocument, {}, { key })).alertRules.nodes) ok(await gql(url, DeleteAlertRuleDocument, { input: { id: r.id } }, { key }));
    const endpoint = ok(await gql(url, CreateWebhookEndpointDocument, { input: { url: `${receiver.url}/gone`, events: ["test.ping"] } }, { key })).createWebhookEndpoint.webhookEndpoint;
    receiver.on("/gone", () => ({ status: 410 }));
    const rule = async (name: string, condition: Record<string, unknown>) =>
      ok(await gql(url, CreateAlertRuleDocument, { input: { name, condition: condition as never, channels: [] } }, { key })).createAlertRule.alertRule.id;
    // A window the first test's approvals have left (they would dilute the share).
    await sleep(3000);
    const declines = await rule("declines", { kind: "DECLINE_CODE_SHARE_ABOVE", declineCode: "generic_decline", threshold: 0.5, gatewayAccountId: account!.id, windowSeconds: 3, minVolume: 2 });
    const slow = await rule("slow", { kind: "GATEWAY_LATENCY_P99_ABOVE", threshold: 20, gatewayAccountId: account!.id, windowSeconds: 60, minVolume: 2 });
    const failing = await rule("endpoint", { kind: "WEBHOOK_ENDPOINT_FAILING", webhookEndpointId: endpoint.id });

    await control({ latencyMs: 40 });
    for (let i = 0; i < 3; i++) await pay(TEST_CARDS.hardDecline);
    await control({ latencyMs: 0 });
    ok(await gql(url, SendTestWebhookEventDocument, { input: { endpointId: endpoint.id } }, { key })); // answered 410: disabled at once
    const firing = await eventually(() => alerts("FIRING"), (list) => [declines, slow, failing].every((id) => list.some((a) => a.ruleId === id)));
    const of = (id: string) => firing.find((a) => a.ruleId === id)!;
    expect(of(declines)).toMatchObject({ subject: "generic_decline", value: 1 });
    expect(of(slow)).toMatchObject({ subject: account!.id });
    expect(of(slow).value).toBeGreaterThanOrEqual(40);
    expect(of(failing)).toMatchObject({ subject: endpoint.id });
    expect(of(failing).summary).toBe(`webhook endpoint ${receiver.url}/gone (${endpoint.id}): disabled by paygraph (the receiver answered 410 Gone)`);

    // Switched on again, the endpoint is healthy: its alert resolves.
    ok(await gql(url, UpdateWebhookEndpointDocument, { input: { id: endpoint.id, enabled: true } }, { key }));
    await eventually(() => alerts("RESOLVED"), (list) => list.some((a) => a.ruleId === failing));
    for (const id of [declines, slow, failing]) ok(await gql(url, DeleteAlertRuleDocument, { input: { id } }, { key }));
    expect(await alerts("FIRING")).toEqual([]); // a deleted rule's alerts resolve with it
  });

  it("refuses bad rules with BAD_USER_INPUT naming the field, keeps queue rules for platform admins, and deletes", async () => {
    const cases: [Record<string, unknown>, unknown[], string][] = [
      [{ kind: "GATEWAY_SUCCESS_RATE_BELOW", threshold: 80 }, [], "condition.threshold"],
      [{ kind: "GATEWAY_SUCCESS_RATE_BELOW" }, [], "condition.threshold"],
      [{ kind: "DECLINE_CODE_SHARE_ABOVE", threshold: 0.2 }, [], "condition.declineCode"],
      [{ kind: "CIRCUIT_OPEN", declineCode: "insufficient_funds" }, [], "condition.declineCode"],
      [{ kind: "GATEWAY_SUCCESS_RATE_BELOW", threshold: 0.5, windowSeconds: 3600 }, [], "condition.windowSeconds"], // past ROUTING_WINDOW_MS
      [{ kind: "GATEWAY_LATENCY_P99_ABOVE", threshold: 2000, gatewayAccountId: "gwa_0000000000000000000000" }, [], "condition.gatewayAccountId"],
      [{ kind: "CIRCUIT_OPEN" }, [{ kind: "WEBHOOK", target: "we_0000000000000000000000" }], "channels.0.target"],
      [{ kind: "CIRCUIT_OPEN" }, [{ kind: "SLACK", target: "ftp://hooks.example/x" }], "channels.0.target"],
      [{ kind: "CIRCUIT_OPEN" }, [{ kind: "EMAIL", target: "not an address" }], "channels.0.target"],
    ];
    for (const [condition, channels, field] of cases) {
      const result = await gql(url, CreateAlertRuleDocument, { input: { name: "bad", condition: condition as never, channels: channels as never } }, { key });
      expect(errorCode(result), JSON.stringify(condition)).toBe("BAD_USER_INPUT");
      expect(result.errors?.[0]?.extensions?.field, JSON.stringify(condition)).toBe(field);
    }

    const queueRule = { input: { name: "queues", condition: { kind: "QUEUE_AGE_ABOVE" as const, threshold: 60 }, channels: [] } };
    const merchantTry = await gql(url, CreateAlertRuleDocument, queueRule, { key });
    expect(errorCode(merchantTry)).toBe("FORBIDDEN");
    expect(merchantTry.errors?.[0]?.extensions?.requiredRoles).toEqual(["ADMIN"]);
    const admin = (await stack.merchant("Platform", { admin: true })).secretKey;
    const created = ok(await gql(url, CreateAlertRuleDocument, queueRule, { key: admin })).createAlertRule.alertRule;
    expect(created.condition).toMatchObject({ kind: "QUEUE_AGE_ABOVE", threshold: 60, windowSeconds: null, minVolume: null });

    const readOnly = ok(await gql(url, CreateApiKeyDocument, { input: { name: "alerts-read", kind: "RESTRICTED", scopes: ["alerts:read"] } }, { key })).createApiKey.secret;
    const write = await gql(url, CreateAlertRuleDocument, { input: { name: "x", condition: { kind: "CIRCUIT_OPEN" }, channels: [] } }, { key: readOnly });
    expect(write.errors?.[0]?.extensions?.missingScope).toBe("alerts:write");
    ok(await gql(url, CreateAlertRuleDocument, { input: { name: "circuits", condition: { kind: "CIRCUIT_OPEN" }, channels: [] } }, { key }));
    expect(ok(await gql(url, AlertRulesDocument, {}, { key: readOnly })).alertRules.nodes.map((r) => r.name)).toEqual(["circuits"]);

    ok(await gql(url, DeleteAlertRuleDocument, { input: { id: created.id } }, { key: admin }));
    expect(ok(await gql(url, AlertRulesDocument, {}, { key: admin })).alertRules.nodes).toEqual([]);
    expect(errorCode(await gql(url, DeleteAlertRuleDocument, { input: { id: created.id } }, { key: admin }))).toBe("NOT_FOUND");
  });
});
