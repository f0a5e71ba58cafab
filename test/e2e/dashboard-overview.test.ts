// The dashboard's Overview (/dashboard/overview) in Debian's Chromium, through the real server,
// worker and a sandbox gateway account: the chart's figures (its text alternative, not pixels)
// follow a payment made through the API without a reload; a payment held for review appears in
// the queue live and Approve, confirmed on the page, reaches the API; an ANALYST is offered no
// Approve or Reject; no CSP violation, no request leaving the server, axe-core, 1280 and 375 px.
// One server and one browser for the file; screenshots go to test/artifacts/dashboard/.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import {
  ConfirmPaymentDocument, CreateGatewayAccountDocument, CreatePaymentDocument, CreateWebhookEndpointDocument, PaymentDocument,
} from "../../client/src/generated/graphql.js";
import * as dashboard from "../support/dashboard-browser.js";
import { noHorizontalOverflow, noSeriousViolations, recordRequests, shot, startDashboardServer, type DashboardServer, type Session } from "../support/dashboard-browser.js";
import { TEST_CARDS, card, eventually, gql, ok, type Stack } from "../support/stack.js";
import { userWithRole, type MerchantWithOwner } from "../support/users.js";

const REVIEW_CARD = "4000000000009235"; // held in REQUIRES_REVIEW outside production (README "Sandbox test cards")
const server = {} as { stack: Stack; url: string };
let browser: Browser;
let merchant: MerchantWithOwner;
let owner: Session;

let started: DashboardServer;

beforeAll(async () => {
  started = await startDashboardServer((stack) => [stack.start(["sandbox", "--port", "0", "--name", "gw-overview"])]);
  ({ stack: server.stack, url: server.url, browser, merchant, owner } = started);
  const gateway = started.alongside[0] as { url: string };
  // A gateway account for the health panel, and an endpoint (pinged only by test.ping, so no delivery is made) for the webhooks panel.
  ok(await gql(server.url, CreateGatewayAccountDocument, { input: { name: "gw-overview", kind: "SANDBOX", config: { url: gateway.url } } }, { key: merchant.secretKey }));
  ok(await gql(server.url, CreateWebhookEndpointDocument, { input: { url: `${server.url}/hooks/overview`, events: ["test.ping"], description: "Order system" } }, { key: merchant.secretKey }));
}, 60_000);
afterAll(async () => {
  await started?.close();
});

const signedIn = (session: Session, width = 1280): Promise<BrowserContext> => dashboard.signedIn(browser, session, server.url, width);

/** Creates and confirms a payment with `number`; returns its id and status after confirmation. */
async function pay(amount: string, number: string = TEST_CARDS.approve): Promise<{ id: string; status: string }> {
  const id = ok(await gql(server.url, CreatePaymentDocument, { input: { amount, currency: "EUR" } }, { key: merchant.secretKey })).createPayment.payment.id;
  const confirmed = ok(await gql(server.url, ConfirmPaymentDocument, { input: { paymentId: id, card: card(number) } }, { key: merchant.secretKey })).confirmPayment.payment;
  return { id, status: confirmed.status };
}
const readPayment = async (id: string) => ok(await gql(server.url, PaymentDocument, { id }, { key: merchant.secretKey })).payment;
const volumeCaption = (page: Page) => page.locator("#ov-volume-caption").textContent();
const held = (page: Page, id: string) => page.locator(`.review li[data-id="${id}"]`);

describe("the dashboard's Overview in Chromium", () => {
  it("is where /dashboard lands; the volume chart's text alternative follows a payment made through the API, without a reload", async () => {
    const first = await pay("12.50");
    await eventually(() => readPayment(first.id), (p) => p.status === "CAPTURED");
    const context = await signedIn(owner);
    const page = await context.newPage();
    const seen = recordRequests(page);
    let loads = 0;
    page.on("load", () => loads++);
    await page.goto(`${server.url}/dashboard`);
    await page.getByRole("heading", { name: "Overview", level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/dashboard/overview");
    await page.getByRole("status").filter({ hasText: "Live" }).waitFor();
    await expect.poll(() => volumeCaption(page), { timeout: 15_000 }).toContain("€12.50");
    expect(await volumeCaption(page)).toContain("gw-overview €12.50");

    const second = await pay("7.50");
    await eventually(() => readPayment(second.id), (p) => p.status === "CAPTURED");
    await expect.poll(() => volumeCaption(page), { timeout: 15_000 }).toContain("€20.00");
    // The figures as a table (folded under its summary): this hour's row holds the sum, exactly.
    await page.getByText("Captured volume in EUR as a table").click();
    const table = page.getByRole("region", { name: "Captured volume in EUR table" });
    expect(await table.textContent()).toContain("€20.00");
    expect(await page.locator("#ov-rate-caption").textContent()).toMatch(/100 % of 2 finished attempts/);
    // The other panels, each from its own query.
    expect(await page.getByRole("region", { name: "Gateway health" }).textContent()).toMatch(/gw-overview.*Closed/);
    expect(await page.getByRole("region", { name: "Webhook endpoints" }).textContent()).toContain("Healthy");
    await page.getByRole("region", { name: "Open alerts" }).getByText("Nothing is firing.").waitFor();
    expect(loads).toBe(1);

    // The range and split are in the URL: a shared link opens the same view.
    await page.getByLabel("Split by").selectOption("currency");
    await expect.poll(() => page.url()).toBe(`${server.url}/dashboard/overview?by=currency`);
    await expect.poll(() => volumeCaption(page)).toMatch(/by currency: €20\.00 \(EUR €20\.00\)/);
    await page.getByLabel("Range").selectOption("7d");
    await expect.poll(() => page.url()).toBe(`${server.url}/dashboard/overview?range=7d&by=currency`);
    await expect.poll(() => volumeCaption(page)).toContain("€20.00");

    await noSeriousViolations(page);
    await shot(page, "overview-1280");
    expect(seen.requests.filter((u) => !u.startsWith(server.url) && !u.startsWith("data:"))).toEqual([]);
    expect(seen.blocked).toEqual([]);
    await context.close();
  });

  it("a payment held for review appears in the queue live; Approve, confirmed on the page, reaches the API", async () => {
    const context = await signedIn(owner);
    const page = await context.newPage();
    const seen = recordRequests(page);
    await page.goto(`${server.url}/dashboard/overview`);
    await page.getByRole("status").filter({ hasText: "Live" }).waitFor();
    const hold = await pay("42.00", REVIEW_CARD);
    expect(hold.status).toBe("REQUIRES_REVIEW");
    await held(page, hold.id).waitFor({ timeout: 15_000 });
    expect(await held(page, hold.id).textContent()).toMatch(/€42\.00.*Risk score 72 of 100 \(Elevated\)/);

    await held(page, hold.id).getByRole("button", { name: `Approve ${hold.id}` }).click();
    const dialog = page.getByRole("dialog", { name: `Approve ${hold.id}?` });
    await dialog.waitFor();
    await noSeriousViolations(page, "dialog");
    await dialog.getByRole("button", { name: "Approve" }).click();
    await page.getByRole("status").filter({ hasText: `Approved ${hold.id}` }).waitFor();
    await eventually(() => readPayment(hold.id), (p) => p.status === "CAPTURED");
    await held(page, hold.id).waitFor({ state: "detached" });
    expect(seen.blocked).toEqual([]);
    await context.close();
  });

  it("an ANALYST sees the queue but is offered no Approve or Reject", async () => {
    const hold = await pay("9.00", REVIEW_CARD);
    const analyst = await userWithRole(server.url, owner.token, "ANALYST");
    // The invitation's session with no role stored: the page reads the user (`me`) itself.
    const stored: Session = { token: analyst.token, expiresAt: new Date(Date.now() + 3_600_000).toISOString(), user: { role: "ANALYST", scopes: [] } };
    const context = await signedIn(stored);
    const page = await context.newPage();
    await page.goto(`${server.url}/dashboard/overview`);
    await held(page, hold.id).waitFor();
    await page.locator("#ov-volume-caption").waitFor();
    expect(await page.getByRole("button", { name: /Approve|Reject/ }).count()).toBe(0);
    await context.close();
  });

  it("at 375 px the Overview fits the width", async () => {
    const context = await signedIn(owner, 375);
    const page = await context.newPage();
    await page.goto(`${server.url}/dashboard/overview`);
    await expect.poll(() => volumeCaption(page)).toMatch(/gw-overview €\d/);
    await page.locator(".review li").first().waitFor();
    await page.locator(".chart canvas").first().waitFor();
    expect(await noHorizontalOverflow(page)).toBe(true);
    await noSeriousViolations(page);
    await shot(page, "overview-375");
    await context.close();
  });
});
