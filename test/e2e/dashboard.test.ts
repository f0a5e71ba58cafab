// The merchant dashboard (/dashboard), through the real server, worker, sandbox gateway and
// Debian's Chromium: sign-in, the live payments list (a payment made through the API appears at the
// top and reaches CAPTURED without a reload; a dropped socket's gap is filled), a payment's page
// opened from its URL, a refund from the page seen by the API, what a read-only role is not
// offered, a revoked session sent back to sign-in with ?next=, filters in the URL and the CSV
// export, axe-core and 375 px. One browser for the file; screenshots go to test/artifacts/dashboard/.
import { readFileSync } from "node:fs";
import { get } from "node:http";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { ConfirmPaymentDocument, CreatePaymentDocument, PaymentDocument } from "../../client/src/generated/graphql.js";
import * as dashboard from "../support/dashboard-browser.js";
import { noHorizontalOverflow, noSeriousViolations, recordRequests, shot, startDashboardServer, type DashboardServer, type Session } from "../support/dashboard-browser.js";
import { TEST_CARDS, card, eventually, gql, ok, type Stack } from "../support/stack.js";
import { tcpProxy, type TcpProxy } from "../support/tcp-proxy.js";
import { PASSWORD, userWithRole, type MerchantWithOwner } from "../support/users.js";

const server = {} as { stack: Stack; url: string };
let browser: Browser;
let merchant: MerchantWithOwner;
let owner: Session;
let proxy: TcpProxy;

let started: DashboardServer;

beforeAll(async () => {
  started = await startDashboardServer();
  ({ stack: server.stack, url: server.url, browser, merchant, owner } = started);
  proxy = await tcpProxy("127.0.0.1", Number(new URL(server.url).port));
});
afterAll(async () => {
  await proxy?.close();
  await started?.close();
});

const apiSignIn = (email: string): Promise<Session> => dashboard.apiSignIn(server.url, email);
const signedIn = (session: Session, width = 1280, origin = server.url): Promise<BrowserContext> => dashboard.signedIn(browser, session, origin, width);

async function createPayment(input: { amount: string; currency: string; description?: string }): Promise<string> {
  return ok(await gql(server.url, CreatePaymentDocument, { input }, { key: merchant.secretKey })).createPayment.payment.id;
}
async function confirm(id: string): Promise<void> {
  ok(await gql(server.url, ConfirmPaymentDocument, { input: { paymentId: id, card: card(TEST_CARDS.approve) } }, { key: merchant.secretKey }));
}
/** GET with only the given Accept-Encoding: the answer's Content-Encoding, Vary and raw body. */
const fetchRaw = (url: string, acceptEncoding: string) => new Promise<{ encoding: string; vary: string | undefined; body: Buffer }>((resolve, reject) => {
  get(url, { headers: acceptEncoding ? { "accept-encoding": acceptEncoding } : {} }, (res) => {
    const chunks: Buffer[] = [];
    res.on("data", (c: Buffer) => chunks.push(c)).on("end", () => resolve({ encoding: res.headers["content-encoding"] ?? "identity", vary: res.headers.vary, body: Buffer.concat(chunks) }));
  }).on("error", reject);
});
const readPayment = async (id: string) => ok(await gql(server.url, PaymentDocument, { id }, { key: merchant.secretKey })).payment;
const row = (page: Page, id: string) => page.locator(`tbody tr[data-id="${id}"]`);

describe("the dashboard in Chromium", () => {
  let captured: string;

  it("sign-in: an unsigned visit goes to sign-in keeping ?next=, a wrong password is announced, the owner lands on the list", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const seen = recordRequests(page);
    const response = await page.goto(`${server.url}/dashboard/payments?status=CAPTURED`);
    const csp = response!.headers()["content-security-policy"];
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    await page.getByRole("heading", { name: "Sign in to the dashboard" }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/dashboard/sign-in");
    expect(new URL(page.url()).searchParams.get("next")).toBe("/dashboard/payments?status=CAPTURED");
    await noSeriousViolations(page);
    await shot(page, "sign-in-1280");
    // Keyboard: Tab goes email → password → Sign in.
    const focused = async () => { await page.keyboard.press("Tab"); return page.evaluate(() => document.activeElement?.id || document.activeElement?.textContent); };
    expect([await focused(), await focused(), await focused()]).toEqual(["email", "password", "Sign in"]);
    await page.getByLabel("Email").fill(merchant.ownerEmail);
    await page.getByLabel("Password").fill("not the password at all");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.getByRole("alert").first().textContent()).toMatch(/Wrong email or password/);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByLabel("Password").press("Enter");
    await page.getByRole("heading", { name: "Payments" }).waitFor();
    expect(page.url()).toBe(`${server.url}/dashboard/payments?status=CAPTURED`);
    expect(await page.getByLabel("Status").inputValue()).toBe("CAPTURED");
    await page.getByRole("status").filter({ hasText: "Live" }).waitFor();
    expect(seen.requests.filter((u) => !u.startsWith(server.url) && !u.startsWith("data:"))).toEqual([]);
    expect(seen.blocked).toEqual([]);
    await context.close();
  });

  it("its script is sent brotli- or gzip-compressed as the browser accepts (the same bytes once decoded), and whole to a client that accepts neither", async () => {
    const html = (await fetchRaw(`${server.url}/dashboard`, "")).body.toString();
    const script = new URL(/src="([^"]+\.js)"/.exec(html)![1]!, server.url).href;
    const plain = await fetchRaw(script, "");
    expect(plain.encoding).toBe("identity");
    const chromiumLike = await fetchRaw(script, "gzip, deflate, br, zstd");
    expect([chromiumLike.encoding, chromiumLike.vary]).toEqual(["br", "accept-encoding"]);
    expect(brotliDecompressSync(chromiumLike.body).equals(plain.body)).toBe(true);
    const gzipOnly = await fetchRaw(script, "br;q=0, gzip");
    expect(gzipOnly.encoding).toBe("gzip");
    expect(gunzipSync(gzipOnly.body).equals(plain.body)).toBe(true);
    expect(chromiumLike.body.length).toBeLessThan(plain.body.length / 2);
  });

  it("a payment made through the API appears at the top and reaches CAPTURED on the open page, without a reload", async () => {
    const context = await signedIn(owner);
    const page = await context.newPage();
    let loads = 0;
    page.on("load", () => loads++);
    await page.goto(`${server.url}/dashboard/payments`);
    await page.getByRole("status").filter({ hasText: "Live" }).waitFor();
    const older = await createPayment({ amount: "3.00", currency: "EUR" });
    await row(page, older).waitFor();
    captured = await createPayment({ amount: "12.50", currency: "EUR", description: "Order 1042" });
    await expect.poll(() => page.locator("tbody tr").first().getAttribute("data-id")).toBe(captured);
    expect(await row(page, captured).locator(".badge").textContent()).toBe("Requires payment method");
    await confirm(captured);
    await expect.poll(() => row(page, captured).locator(".badge").textContent(), { timeout: 15_000 }).toBe("Captured");
    expect(await row(page, captured).textContent()).toContain("€12.50");
    expect(loads).toBe(1);
    await noSeriousViolations(page);
    await shot(page, "payments-1280");
    await context.close();
  });

  it("a payment's page opens from its URL; a refund with its confirmation reaches the API and shows on the page", async () => {
    const context = await signedIn(owner);
    const page = await context.newPage();
    const seen = recordRequests(page);
    await page.goto(`${server.url}/dashboard/payments/${captured}`);
    await page.getByRole("heading", { name: captured }).waitFor();
    await expect.poll(() => page.locator(".headline .badge").textContent()).toBe("Captured");
    const attempts = page.getByRole("region", { name: "Attempts", exact: true });
    expect(await attempts.textContent()).toContain("sandbox");
    expect(await page.getByRole("region", { name: "History", exact: true }).textContent()).toContain("Captured");
    await noSeriousViolations(page);
    await shot(page, "payment-1280");

    await page.getByRole("button", { name: "Refund" }).click();
    const dialog = page.getByRole("dialog", { name: `Refund ${captured}?` });
    await dialog.waitFor();
    expect(await dialog.getByLabel(/^Amount/).inputValue()).toBe("12.50");
    await dialog.getByLabel(/^Amount/).fill("5.00");
    await dialog.getByLabel("Reason (optional)").fill("requested_by_customer");
    await noSeriousViolations(page, "dialog");
    await shot(page, "refund-dialog-1280");
    await dialog.getByRole("button", { name: "Refund" }).click();
    await expect.poll(() => page.getByRole("status").filter({ hasText: "Refund of" }).textContent()).toBe("Refund of €5.00 requested.");
    const refunded = await eventually(() => readPayment(captured), (p) => p.status === "PARTIALLY_REFUNDED");
    expect(refunded.amountRefunded.amount).toBe("5.00");
    await expect.poll(() => page.locator(".headline .badge").textContent(), { timeout: 15_000 }).toBe("Partially refunded");
    await page.getByRole("region", { name: "Refunds", exact: true }).getByText("€5.00").waitFor();
    // The dialog closed and gave focus back to the button that opened it.
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Refund");
    expect(seen.blocked).toEqual([]);
    await context.close();
  });

  it("a shared payment link opened signed out goes through sign-in and back to the payment", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${server.url}/dashboard/payments/${captured}`);
    await page.getByLabel("Email").fill(merchant.ownerEmail);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: captured }).waitFor();
    expect(page.url()).toBe(`${server.url}/dashboard/payments/${captured}`);
    await context.close();
  });

  it("an ANALYST (no refunds:write, no payments:write) is offered no refund, capture or cancel; SUPPORT is offered the refund only", async () => {
    const analyst = await userWithRole(server.url, owner.token, "ANALYST");
    const support = await userWithRole(server.url, owner.token, "SUPPORT");
    // Their invitation's session, with no role stored: the page reads the user (`me`) itself.
    const asStored = (token: string): Session => ({ token, expiresAt: new Date(Date.now() + 3_600_000).toISOString(), user: { role: "ANALYST", scopes: [] } as Session["user"] });
    const context = await signedIn(asStored(analyst.token));
    const page = await context.newPage();
    await page.goto(`${server.url}/dashboard/payments/${captured}`);
    await expect.poll(() => page.locator(".headline .badge").textContent()).toBe("Partially refunded");
    expect(await page.getByRole("button", { name: /Refund|Capture|Cancel/ }).count()).toBe(0);
    await shot(page, "payment-analyst");
    await context.close();
    const supportContext = await signedIn(asStored(support.token));
    const supportPage = await supportContext.newPage();
    await supportPage.goto(`${server.url}/dashboard/payments/${captured}`);
    // On a timeout, say what the page showed instead (a flake seen once in CI, not reproduced).
    await supportPage.getByRole("button", { name: "Refund" }).waitFor().catch(async (err: Error) => {
      throw new Error(`${err.message}\npage: ${(await supportPage.locator("body").innerText()).slice(0, 1500)}`);
    });
    expect(await supportPage.getByRole("button", { name: /Capture|Cancel/ }).count()).toBe(0);
    await supportContext.close();
  });

  it("after the socket drops, the list fills the gap from its last cursor and goes on live", async () => {
    const proxied = `http://127.0.0.1:${proxy.port}`;
    const context = await signedIn(owner, 1280, proxied);
    const page = await context.newPage();
    await page.goto(`${proxied}/dashboard/payments`);
    await page.getByRole("status").filter({ hasText: "Live" }).waitFor();
    await proxy.cut();
    await page.getByRole("status").filter({ hasText: /Offline|Connecting/ }).waitFor();
    // Made while the page cannot hear: only the gap fill can bring it.
    const missed = await createPayment({ amount: "7.00", currency: "EUR", description: "made while offline" });
    await proxy.restore();
    await row(page, missed).waitFor({ timeout: 20_000 });
    expect(await page.locator("tbody tr").first().getAttribute("data-id")).toBe(missed);
    const after = await createPayment({ amount: "8.00", currency: "EUR" });
    await expect.poll(() => page.locator("tbody tr").first().getAttribute("data-id")).toBe(after);
    await context.close();
  });

  it("filters live in the URL (currency, gateway, id); the CSV export escapes commas, quotes and formulas", async () => {
    const usd = await createPayment({ amount: "9.99", currency: "USD", description: '=HYPERLINK("x"), "quoted"' });
    const context = await signedIn(owner);
    const page = await context.newPage();
    await page.goto(`${server.url}/dashboard/payments`);
    await page.getByLabel("Currency").fill("usd");
    await page.getByRole("button", { name: "Apply filters" }).click();
    await expect.poll(() => page.url()).toBe(`${server.url}/dashboard/payments?currency=USD`);
    await expect.poll(() => page.locator("tbody tr").count()).toBe(1);
    expect(await page.locator("tbody tr").first().getAttribute("data-id")).toBe(usd);
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export CSV" }).click()]);
    const csv = readFileSync((await download.path())!, "utf8");
    expect(csv.split("\r\n")[0]).toBe("id,created_at,status,amount,currency,captured,refunded,gateway,card_brand,card_last4,description");
    expect(csv).toContain(`${usd},`);
    expect(csv).toContain(`,9.99,USD,0.00,0.00,,,,"'=HYPERLINK(""x""), ""quoted"""\r\n`);
    expect(csv.trim().split("\r\n")).toHaveLength(2);
    // By gateway (payments with an attempt there): the confirmed one, not those never confirmed.
    await page.goto(`${server.url}/dashboard/payments?gateway=sandbox`);
    await row(page, captured).waitFor();
    expect(await page.locator("tbody tr").count()).toBe(1);
    // Search by id: the URL says which payment.
    await page.goto(`${server.url}/dashboard/payments?id=${captured}`);
    await expect.poll(() => page.locator("tbody tr").count()).toBe(1);
    expect(await page.locator("tbody tr").first().getAttribute("data-id")).toBe(captured);
    await context.close();
  });

  it("at 375 px the list and a payment fit the width", async () => {
    const context = await signedIn(owner, 375);
    const page = await context.newPage();
    await page.goto(`${server.url}/dashboard/payments`);
    await row(page, captured).waitFor();
    expect(await noHorizontalOverflow(page)).toBe(true);
    await shot(page, "payments-375");
    await page.getByRole("link", { name: captured }).click();
    await page.getByRole("heading", { name: captured }).waitFor();
    await page.getByRole("region", { name: "Attempts", exact: true }).waitFor();
    expect(await noHorizontalOverflow(page)).toBe(true);
    await shot(page, "payment-375");
    await context.close();
  });

  it("a revoked session (signOut through the API) sends the open page to sign-in, keeping where it was", async () => {
    const session = await apiSignIn(merchant.ownerEmail);
    const context = await signedIn(session);
    const page = await context.newPage();
    await page.goto(`${server.url}/dashboard/payments/${captured}`);
    await page.getByRole("status").filter({ hasText: "Live" }).waitFor();
    ok(await gql(server.url, "mutation { signOut { revoked } }", {}, { key: session.token }));
    await page.getByRole("heading", { name: "Sign in to the dashboard" }).waitFor({ timeout: 10_000 });
    expect(new URL(page.url()).searchParams.get("next")).toBe(`/dashboard/payments/${captured}`);
    expect(await page.locator(".notice").textContent()).toContain("Your session ended");
    await shot(page, "session-ended");
    await context.close();
  });
});
