// Client-side tokenization in a real browser (Debian's Chromium via playwright-core): a checkout
// page served by a stand-in merchant server (another origin than paygraph) sends the card to
// POST /v1/tokens with a publishable key (CORS: the browser's preflight must pass), hands only the
// `tok_…` to its own server, which pays with it through GraphQL. The merchant server records every
// body it receives: none holds the card number.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser } from "playwright-core";
import { ConfirmPaymentDocument, CreateApiKeyDocument, CreatePaymentDocument, PaymentDocument } from "../../client/src/generated/graphql.js";
import { TEST_CARDS, createStack, eventually, gql, ok, type Stack } from "../support/stack.js";

const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
  "--disable-sync", "--no-first-run", "--disable-quic",
];

let stack: Stack;
let api: string;
let key: string;
let pk: string;
let browser: Browser;
let merchant: http.Server;
let shop: string;
const received: string[] = []; // every request body the merchant's server saw

const page = (apiUrl: string, publishableKey: string) => `<!doctype html><meta charset="utf-8"><title>Checkout</title>
<form id="pay"><input id="number"><input id="exp-month"><input id="exp-year"><input id="cvc"><button>Pay</button></form>
<pre id="result"></pre>
<script>
  document.getElementById("pay").addEventListener("submit", async (event) => {
    event.preventDefault();
    const value = (id) => document.getElementById(id).value;
    try {
      const tokenized = await fetch(${JSON.stringify(`${apiUrl}/v1/tokens`)}, {
        method: "POST",
        headers: { "Authorization": "Bearer ${publishableKey}", "Content-Type": "application/json" },
        body: JSON.stringify({ card: { number: value("number"), expMonth: Number(value("exp-month")), expYear: Number(value("exp-year")), cvc: value("cvc") } }),
      });
      const token = await tokenized.json();
      if (!tokenized.ok) throw new Error(token.error.code);
      const paid = await fetch("/pay", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ token: token.id }) });
      document.getElementById("result").textContent = JSON.stringify({ token, payment: await paid.json() });
    } catch (err) {
      document.getElementById("result").textContent = JSON.stringify({ error: String(err) });
    }
  });
</script>`;

/** The merchant's own server: serves the checkout page and pays with the token it is given. */
function merchantServer(): http.Server {
  return http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      void (async () => {
        received.push(`${req.method} ${req.url} ${body}`);
        if (req.method === "GET") {
          res.writeHead(200, { "content-type": "text/html" }).end(page(api, pk));
          return;
        }
        const { token } = JSON.parse(body) as { token: string };
        const id = ok(await gql(api, CreatePaymentDocument, { input: { amount: "42.00", currency: "EUR" } }, { key })).createPayment.payment.id;
        const confirmed = ok(await gql(api, ConfirmPaymentDocument, { input: { paymentId: id, token } }, { key })).confirmPayment.payment;
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ id, status: confirmed.status }));
      })().catch((err: unknown) => res.writeHead(500).end(String(err)));
    });
  });
}

beforeAll(async () => {
  stack = await createStack();
  api = (await stack.start(["start", "--role", "all", "--port", "0"])).url;
  key = (await stack.merchant()).secretKey;
  pk = ok(await gql(api, CreateApiKeyDocument, { input: { name: "checkout", kind: "PUBLISHABLE" } }, { key })).createApiKey.secret;
  merchant = merchantServer();
  await new Promise<void>((resolve) => merchant.listen(0, "localhost", resolve));
  shop = `http://localhost:${(merchant.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});
afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => merchant?.close(resolve));
  await stack?.close();
});

describe("checkout page on another origin", () => {
  it("tokenizes in the browser; the merchant's server only ever sees the token", async () => {
    expect(new URL(shop).origin).not.toBe(new URL(api).origin);
    const context = await browser.newContext();
    const tab = await context.newPage();
    const pageErrors: string[] = [];
    tab.on("pageerror", (err) => pageErrors.push(err.message));
    await tab.goto(shop);
    await tab.fill("#number", TEST_CARDS.approve);
    await tab.fill("#exp-month", "12");
    await tab.fill("#exp-year", String(new Date().getUTCFullYear() + 2));
    await tab.fill("#cvc", "314");
    await tab.click("button");
    await tab.waitForFunction(() => document.getElementById("result")?.textContent !== "", undefined, { timeout: 30_000 });
    const result = JSON.parse((await tab.textContent("#result")) ?? "{}") as { token?: { id: string; card: { last4: string } }; payment?: { id: string; status: string }; error?: string };
    expect(pageErrors).toEqual([]);
    expect(result.error).toBeUndefined();
    expect(result.token).toMatchObject({ card: { last4: "4242" } });
    expect(result.payment?.status).toBe("PROCESSING");

    const done = await eventually(async () => ok(await gql(api, PaymentDocument, { id: result.payment!.id }, { key })).payment, (p) => p.status !== "PROCESSING");
    expect(done).toMatchObject({ status: "CAPTURED", card: { last4: "4242" } });

    const seen = received.join("\n");
    expect(seen).toContain(result.token!.id);
    expect(seen).not.toContain(TEST_CARDS.approve);
    expect(seen).not.toContain("314");

    // CORS is for /v1/tokens only: the same page cannot read /graphql across origins.
    const graphql = await tab.evaluate(async (target) => {
      try {
        await fetch(`${target}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ __typename }" }) });
        return "readable";
      } catch {
        return "blocked";
      }
    }, api);
    expect(graphql).toBe("blocked");
    await context.close();
  });
});
