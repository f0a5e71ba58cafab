// The hosted checkout, through the real server, worker, sandbox and Debian's Chromium: a session
// made through the API, its page paid with 4242…, with a declined card then another, and with the
// 3-D Secure card (the challenge and back); English and Arabic (right to left) at 320 px and
// 1280 px, by keyboard alone, audited by axe-core; a double click paying once; a session's secret
// opening nothing else; expiry. Screenshots go to test/artifacts/ (kept by CI as artifacts).
import http from "node:http";
import { mkdirSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser, type Page } from "playwright-core";
import { AxeBuilder } from "@axe-core/playwright";
import {
  CheckoutSessionDocument, CheckoutSessionWithPaymentDocument, CreateCheckoutSessionDocument, ExpireCheckoutSessionDocument,
  PaymentsDocument, WebhookEventsDocument, type CreateCheckoutSessionInput,
} from "../../client/src/generated/graphql.js";
import { TEST_CARDS, errorCode, eventually, gql, ok, useServer } from "../support/stack.js";

const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];
const ARTIFACTS = new URL("../artifacts/", import.meta.url);

const server = useServer();
let browser: Browser;
let shop: http.Server;
let shopUrl: string;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  shop = http.createServer((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>Shop</title><h1>Back at the shop</h1>"));
  await new Promise<void>((resolve) => shop.listen(0, "127.0.0.1", resolve));
  shopUrl = `http://127.0.0.1:${(shop.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
});
afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => shop?.close(resolve));
});

const createSession = async (input: Partial<CreateCheckoutSessionInput> = {}) =>
  ok(await gql(server.url, CreateCheckoutSessionDocument, {
    input: { amount: "12.50", currency: "EUR", successUrl: `${shopUrl}/thanks?session={CHECKOUT_SESSION_ID}`, cancelUrl: `${shopUrl}/cart`, ...input },
  }, { key: server.key })).createCheckoutSession.checkoutSession;
const readSession = async (id: string) => ok(await gql(server.url, CheckoutSessionWithPaymentDocument, { id }, { key: server.key })).checkoutSession;

/** A page at the given width, every request it makes recorded (none may leave paygraph's and the shop's origins). */
async function open(url: string, width: number): Promise<{ page: Page; requests: string[] }> {
  // A context of its own (axe-core needs one), closed with the page.
  const page = await (await browser.newContext({ viewport: { width, height: 900 } })).newPage();
  const requests: string[] = [];
  page.on("request", (r) => requests.push(r.url()));
  await page.goto(url);
  return { page, requests };
}

async function fillCard(page: Page, number: string, labels = { number: "Card number", expiry: "Expiry (MM/YY)", cvc: "Security code" }): Promise<void> {
  await page.getByLabel(labels.number).fill(number);
  await page.getByLabel(labels.expiry).fill(`12/${String(new Date().getUTCFullYear() + 3).slice(2)}`);
  await page.getByLabel(labels.cvc).fill("123");
}

async function noSeriousViolations(page: Page): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  expect(violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id}: ${v.help}`)).toEqual([]);
}

describe("checkout sessions through the API", () => {
  it("are made with their payment, checked, idempotent, and their secret opens that session only", async () => {
    for (const [input, field] of [
      [{ successUrl: "javascript:alert(1)" }, "successUrl"], [{ cancelUrl: "http://shop.example/cart" }, "cancelUrl"],
      [{ expiresInMinutes: 10 }, "expiresInMinutes"], [{ expiresInMinutes: 1441 }, "expiresInMinutes"], [{ locale: "fr" }, "locale"], [{ amount: "12.505" }, "amount"],
    ] as const) {
      const result = await gql(server.url, CreateCheckoutSessionDocument, { input: Object.assign({ amount: "12.50", currency: "EUR", successUrl: `${shopUrl}/thanks` }, input) }, { key: server.key });
      expect([errorCode(result), result.errors?.[0]?.extensions?.field], JSON.stringify(input)).toEqual(["BAD_USER_INPUT", field]);
    }
    const session = await createSession({ idempotencyKey: "order-77", expiresInMinutes: 30 });
    expect(session).toMatchObject({ status: "OPEN", locale: "en", paymentStatus: "REQUIRES_PAYMENT_METHOD", amount: { amount: "12.50", currency: "EUR" } });
    expect(session.successUrl).toBe(`${shopUrl}/thanks?session=${session.id}`);
    expect(session.payment.status).toBe("REQUIRES_PAYMENT_METHOD");
    const minutes = (Date.parse(session.expiresAt) - Date.now()) / 60_000;
    expect(minutes).toBeGreaterThan(28);
    expect(minutes).toBeLessThanOrEqual(30);
    expect(session.url).toMatch(new RegExp(`^${server.url}/checkout/${session.id}#${session.id}_secret_\\w{32}$`));
    expect((await createSession({ idempotencyKey: "order-77", expiresInMinutes: 30 })).id).toBe(session.id);

    const secret = new URL(session.url!).hash.slice(1);
    expect(ok(await gql(server.url, CheckoutSessionDocument, { id: session.id }, { key: secret })).checkoutSession.status).toBe("OPEN");
    expect(errorCode(await gql(server.url, PaymentsDocument, {}, { key: secret }))).toBe("FORBIDDEN");
    expect(errorCode(await gql(server.url, CheckoutSessionWithPaymentDocument, { id: session.id }, { key: secret }))).toBe("FORBIDDEN");
    // The URL holds a secret that can pay: a read-only credential does not get it.
    const reader = (ok(await gql(server.url, 'mutation { createApiKey(input: { name: "reader", kind: RESTRICTED, scopes: ["payments:read"] }) { secret } }', {}, { key: server.key })) as { createApiKey: { secret: string } }).createApiKey.secret;
    expect(errorCode(await gql(server.url, CheckoutSessionDocument, { id: session.id }, { key: reader }))).toBe("FORBIDDEN");
    expect((ok(await gql(server.url, "query($id: ID!) { checkoutSession(id: $id) { status } }", { id: session.id }, { key: reader })) as { checkoutSession: { status: string } }).checkoutSession.status).toBe("OPEN");
    const other = await createSession();
    expect(errorCode(await gql(server.url, CheckoutSessionDocument, { id: other.id }, { key: secret }))).toBe("FORBIDDEN");
    expect(errorCode(await gql(server.url, CheckoutSessionDocument, { id: session.id }, { key: `${session.id}_secret_${"x".repeat(32)}` }))).toBe("UNAUTHENTICATED");

    // Expired by the merchant: no page any more, its payment cancelled, an event for the webhooks.
    const expired = ok(await gql(server.url, ExpireCheckoutSessionDocument, { input: { id: other.id } }, { key: server.key })).expireCheckoutSession.checkoutSession;
    expect([expired.status, expired.url, expired.payment.status]).toEqual(["EXPIRED", null, "CANCELED"]);
    const events = ok(await gql(server.url, WebhookEventsDocument, { filter: { objectId: other.id } }, { key: server.key })).webhookEvents.edges.map((e) => e.node.type);
    expect(events).toEqual(["checkout_session.expired"]);
  });
});

describe("the hosted page in Chromium", () => {
  it("pays with 4242 at 1280 px: the amount formatted, no request elsewhere, on to successUrl; the session COMPLETE with its event", async () => {
    const session = await createSession();
    const { page, requests } = await open(session.url!, 1280);
    await expect.poll(() => page.locator("#amount").textContent()).toBe("€12.50");
    await page.getByRole("button", { name: "Pay €12.50" }).waitFor();
    await noSeriousViolations(page);
    await page.screenshot({ path: new URL("checkout-en-1280.png", ARTIFACTS).pathname, fullPage: true });
    // The secret leaves the address bar at once (it stays in this tab's storage).
    expect(page.url()).toBe(`${server.url}/checkout/${session.id}`);
    await fillCard(page, TEST_CARDS.approve);
    // A double click is one payment.
    await page.getByRole("button", { name: "Pay €12.50" }).dblclick();
    await page.getByRole("heading", { name: "Back at the shop" }).waitFor();
    expect(page.url()).toBe(`${shopUrl}/thanks?session=${session.id}`);
    expect(requests.filter((u) => !u.startsWith(server.url) && !u.startsWith(shopUrl) && !u.startsWith("data:"))).toEqual([]);
    await page.context().close();
    const paid = await eventually(() => readSession(session.id), (s) => s.status === "COMPLETE");
    expect(paid.payment.status).toBe("CAPTURED");
    expect(paid.payment.attempts.nodes).toHaveLength(1);
    const events = await eventually(
      async () => ok(await gql(server.url, WebhookEventsDocument, { filter: { objectId: session.id } }, { key: server.key })).webhookEvents.edges.map((e) => e.node.type),
      (types) => types.length > 0,
    );
    expect(events).toEqual(["checkout_session.completed"]);
  });

  it("a declined card: the reason announced, focus back on the number, and another card pays", async () => {
    const session = await createSession();
    const { page } = await open(session.url!, 1280);
    await fillCard(page, TEST_CARDS.hardDecline);
    await page.getByRole("button", { name: "Pay €12.50" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toBe("Your card was declined. Nothing was charged; try another card.");
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe("number");
    await page.screenshot({ path: new URL("checkout-declined.png", ARTIFACTS).pathname, fullPage: true });
    await fillCard(page, TEST_CARDS.approve);
    await page.getByRole("button", { name: "Pay €12.50" }).click();
    await page.getByRole("heading", { name: "Back at the shop" }).waitFor();
    await page.context().close();
    const paid = await eventually(() => readSession(session.id), (s) => s.status === "COMPLETE");
    expect(paid.payment.attempts.nodes.map((a) => a.status)).toEqual(["FAILED", "SUCCEEDED"]);
  });

  it("two tabs paying the same session at once make one payment, and both shoppers are sent on", async () => {
    const session = await createSession();
    const tabs = [await open(session.url!, 1280), await open(session.url!, 1280)];
    await fillCard(tabs[0]!.page, TEST_CARDS.approve);
    await fillCard(tabs[1]!.page, "5555555555554444");
    await Promise.all(tabs.map(({ page }) => page.getByRole("button", { name: "Pay €12.50" }).click()));
    for (const { page } of tabs) {
      await page.getByRole("heading", { name: "Back at the shop" }).waitFor();
      await page.context().close();
    }
    const paid = await eventually(() => readSession(session.id), (s) => s.status === "COMPLETE");
    expect(paid.payment.status).toBe("CAPTURED");
    expect(paid.payment.attempts.nodes).toHaveLength(1);
  });

  it("the 3-D Secure card: to the bank's challenge and back to the page, which sends the shopper on once paid", async () => {
    const session = await createSession({ captureMethod: "MANUAL" });
    const { page } = await open(session.url!, 1280);
    await fillCard(page, TEST_CARDS.threeDS);
    await page.getByRole("button", { name: "Pay €12.50" }).click();
    await page.getByLabel("Code sent to your phone").fill("123456");
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Back at the shop" }).waitFor();
    await page.context().close();
    const paid = await eventually(() => readSession(session.id), (s) => s.status === "COMPLETE");
    expect(paid.payment.status).toBe("AUTHORIZED");
  });

  it("in Arabic at 320 px, right to left, paid by keyboard alone; cancel goes back to the shop", async () => {
    const session = await createSession({ locale: "ar", amount: "1.250", currency: "KWD" });
    const { page } = await open(session.url!, 320);
    const labels = { number: "رقم البطاقة", expiry: "تاريخ الانتهاء (شهر/سنة)", cvc: "رمز الأمان" };
    await page.getByLabel(labels.number).waitFor();
    await expect.poll(() => page.evaluate(() => [document.documentElement.lang, document.documentElement.dir])).toEqual(["ar", "rtl"]);
    const amount = await page.locator("#amount").textContent();
    expect(amount).toMatch(/[١1][٫.][٢2][٥5][٠0]/); // three decimals, as KWD has
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await noSeriousViolations(page);
    await page.screenshot({ path: new URL("checkout-ar-320.png", ARTIFACTS).pathname, fullPage: true });
    // Keyboard only: Tab to each field in order, type, Enter.
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("number");
    await page.keyboard.type(TEST_CARDS.approve);
    await page.keyboard.press("Tab");
    await page.keyboard.type(`12/${String(new Date().getUTCFullYear() + 3).slice(2)}`);
    await page.keyboard.press("Tab");
    await page.keyboard.type("123");
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Back at the shop" }).waitFor();
    await page.context().close();
    expect((await eventually(() => readSession(session.id), (s) => s.status === "COMPLETE")).payment.status).toBe("CAPTURED");

    const leaving = await createSession();
    const other = await open(leaving.url!, 320);
    await other.page.getByRole("link", { name: "Cancel and return to the shop" }).click();
    await other.page.getByRole("heading", { name: "Back at the shop" }).waitFor();
    expect(other.page.url()).toBe(`${shopUrl}/cart`);
    await other.page.context().close();
  });
});
