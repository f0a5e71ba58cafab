// paygraph.js on a merchant's page of another origin, in Debian's Chromium: the card form renders
// in an iframe of paygraph's origin, createToken() resolves to a tok_… the merchant's server pays
// with, and the merchant's page never holds the card number (its DOM, its requests, its reach into
// the frame). The form is framed only by the publishable key's allowed origins; a page elsewhere
// (even one naming an allowed origin) gets nothing.
import http from "node:http";
import { mkdirSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser } from "playwright-core";
import { AxeBuilder } from "@axe-core/playwright";
import { ConfirmPaymentDocument, CreatePaymentDocument, PaymentDocument } from "../../client/src/generated/graphql.js";
import { TEST_CARDS, errorCode, eventually, gql, ok, useServer } from "../support/stack.js";

const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];
const ARTIFACTS = new URL("../artifacts/", import.meta.url);

const server = useServer();
let browser: Browser;
/** The merchant's shop (allowed) and another site (not allowed): two origins besides paygraph's. */
const sites: http.Server[] = [];
let shop: string;
let elsewhere: string;
let publishableKey: string;

/** A page that loads paygraph.js from paygraph and mounts the card form, as README shows. */
const shopPage = (key: string, frameOrigin?: string): string => `<!doctype html><html lang="en"><head><title>Shop</title></head><body>
<main><h1>Your order</h1><form id="order"><div id="card"></div><button type="submit">Pay</button></form><p id="result"></p></main>
<script src="${server.url}/v1/paygraph.js"></script>
<script>
  const paygraph = Paygraph(${JSON.stringify(key)});
  ${frameOrigin ? `document.getElementById("card").innerHTML = '<iframe title="Card details" src="${server.url}/elements/card?key=${key}&origin=${encodeURIComponent(frameOrigin)}"></iframe>';` : `paygraph.mount("#card");`}
  window.tokenize = () => paygraph.createToken();
</script></body></html>`;

async function site(page: (path: string) => string): Promise<string> {
  const s = http.createServer((req, res) => res.writeHead(200, { "content-type": "text/html" }).end(page(req.url ?? "/")));
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  sites.push(s);
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  shop = await site(() => shopPage(publishableKey));
  elsewhere = await site((path) => shopPage(publishableKey, path.startsWith("/pretend") ? shop : undefined));
  const made = ok(await gql(server.url, `mutation($origins: [String!]) { createApiKey(input: { name: "shop", kind: PUBLISHABLE, allowedOrigins: $origins }) { secret apiKey { allowedOrigins } } }`, { origins: [shop] }, { key: server.key })) as {
    createApiKey: { secret: string; apiKey: { allowedOrigins: string[] } };
  };
  expect(made.createApiKey.apiKey.allowedOrigins).toEqual([shop]);
  publishableKey = made.createApiKey.secret;
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
});
afterAll(async () => {
  await browser?.close();
  await Promise.all(sites.map((s) => new Promise((resolve) => s.close(resolve))));
});

describe("paygraph.js", () => {
  it("tokenizes in paygraph's iframe on the shop's page, which never holds the number; the token pays", async () => {
    const context = await browser.newContext({ viewport: { width: 480, height: 700 } });
    const page = await context.newPage();
    const shopRequests: string[] = [];
    page.on("request", (r) => shopRequests.push(`${r.method()} ${r.url()} ${r.postData() ?? ""}`));
    await page.goto(shop);
    const form = page.frameLocator('iframe[title="Card details"]');
    await form.getByLabel("Card number").fill(TEST_CARDS.approve);
    await form.getByLabel("Expiry (MM/YY)").fill(`12/${String(new Date().getUTCFullYear() + 3).slice(2)}`);
    await form.getByLabel("Security code").fill("123");
    await page.screenshot({ path: new URL("paygraph-js.png", ARTIFACTS).pathname });

    const token = await page.evaluate(() => (window as unknown as { tokenize: () => Promise<{ id: string; card: { last4: string } }> }).tokenize());
    expect(token.id).toMatch(/^tok_/);
    expect(token.card.last4).toBe("4242");

    // Nothing of the number on the shop's side: not its DOM, not any request its page made, and it cannot reach into the frame.
    expect(await page.content()).not.toContain(TEST_CARDS.approve);
    expect(await page.evaluate(() => document.querySelector("iframe")!.contentDocument)).toBeNull();
    const fromShopFrame = shopRequests.filter((r) => r.includes(TEST_CARDS.approve));
    // The only request carrying it is the card form's own, to paygraph.
    expect(fromShopFrame.every((r) => r.startsWith(`POST ${server.url}/v1/tokens`))).toBe(true);
    expect(fromShopFrame).toHaveLength(1);
    const { violations } = await new AxeBuilder({ page }).analyze();
    expect(violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id)).toEqual([]);
    await context.close();

    // The merchant's server pays with the token.
    const payment = ok(await gql(server.url, CreatePaymentDocument, { input: { amount: "9.99", currency: "USD" } }, { key: server.key })).createPayment.payment;
    ok(await gql(server.url, ConfirmPaymentDocument, { input: { paymentId: payment.id, token: token.id } }, { key: server.key }));
    const paid = await eventually(async () => ok(await gql(server.url, PaymentDocument, { id: payment.id }, { key: server.key })).payment, (p) => p.status !== "PROCESSING");
    expect([paid.status, paid.card?.last4]).toEqual(["CAPTURED", "4242"]);
  });

  it("an invalid card is refused in the form (announced there), and createToken rejects with invalid_card", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(shop);
    const form = page.frameLocator('iframe[title="Card details"]');
    await form.getByLabel("Card number").fill("4242");
    const refused = await page.evaluate(() => (window as unknown as { tokenize: () => Promise<unknown> }).tokenize().then(() => "resolved", (err: { code: string }) => err.code));
    expect(refused).toBe("invalid_card");
    await expect.poll(() => form.getByRole("alert").textContent()).toBe("Check the highlighted fields.");
    expect(await form.getByLabel("Card number").getAttribute("aria-invalid")).toBe("true");
    await context.close();
  });

  it("is framed only by the key's allowed origins: another site gets no form, even naming an allowed origin", async () => {
    const asked = async (origin: string, key = publishableKey) => fetch(`${server.url}/elements/card?key=${encodeURIComponent(key)}&origin=${encodeURIComponent(origin)}`);
    const allowed = await asked(shop);
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get("content-security-policy")).toContain(`frame-ancestors ${shop}`);
    for (const refused of [await asked(elsewhere), await asked(shop, server.key), await asked(shop, "pk_test_unknown")]) {
      expect(refused.status).toBe(403);
      expect(refused.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    }
    // In the browser: the other site mounting the form, or framing it while naming the shop as its origin, shows no form.
    const context = await browser.newContext();
    for (const path of ["/", "/pretend"]) {
      const page = await context.newPage();
      await page.goto(`${elsewhere}${path}`);
      await page.waitForLoadState("load");
      const frame = page.frames().find((f) => f !== page.mainFrame());
      expect(await frame?.locator("#number").count().catch(() => 0) ?? 0, path).toBe(0);
      await page.close();
    }
    await context.close();
    // Keys other than publishable ones take no origins; origins are origins.
    for (const [input, field] of [
      ['{ name: "x", kind: SECRET, allowedOrigins: ["https://shop.example"] }', "allowedOrigins"],
      ['{ name: "x", kind: PUBLISHABLE, allowedOrigins: ["https://shop.example/pay"] }', "allowedOrigins"],
      ['{ name: "x", kind: PUBLISHABLE, allowedOrigins: ["http://shop.example"] }', "allowedOrigins"],
    ]) {
      const result = await gql(server.url, `mutation { createApiKey(input: ${input}) { secret } }`, {}, { key: server.key });
      expect([errorCode(result), result.errors?.[0]?.extensions?.field], input).toEqual(["BAD_USER_INPUT", field]);
    }
  });
});
