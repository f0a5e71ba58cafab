import { afterAll, beforeAll, it } from "vitest";
import { chromium, type Browser } from "playwright-core";
import { createStack, gql, type Stack } from "../support/stack.js";

let stack: Stack; let url: string; let key: string; let browser: Browser;
beforeAll(async () => {
  stack = await createStack();
  url = (await stack.start(["start", "--role", "all", "--port", "0"])).url;
  key = (await stack.merchant()).secretKey;
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless","--no-sandbox","--disable-gpu","--disable-background-networking","--disable-component-update","--disable-sync","--no-first-run","--disable-quic"] });
});
afterAll(async () => { await browser?.close(); await stack?.close(); });

it("explores", async () => {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const reqs: string[] = [];
  context.on("request", (r) => reqs.push(`${r.method()} ${r.url().slice(0, 120)} ${r.resourceType()}`));
  const page = await context.newPage();
  page.on("console", (m) => console.log("console", m.type(), m.text().slice(0, 300)));
  page.on("pageerror", (e) => console.log("pageerror", e.message));
  page.on("websocket", (ws) => { reqs.push(`WS ${ws.url()}`); ws.on("framesent", (f) => console.log("sent", String(f.payload).slice(0, 400))); ws.on("framereceived", (f) => console.log("recv", String(f.payload).slice(0, 400))); });
  await page.goto(`${url}/graphiql`);
  await page.locator(".graphiql-query-editor .monaco-editor").waitFor();
  await page.waitForLoadState("networkidle");
  await new Promise((r) => setTimeout(r, 3000));
  console.log(reqs);
  const html = await page.locator(".graphiql-editors").evaluate((e) => e.outerHTML);
  console.log(html.replace(/<div class="view-line[\s\S]*?<\/div>/g, "").slice(0, 6000));
  console.log("HEADERS:", await page.locator(".graphiql-editor-tool .view-lines").allInnerTexts());
  // set headers
  await page.locator(".graphiql-editor-tool .monaco-editor").last().click();
  await page.keyboard.press("ControlOrMeta+A");
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: url });
  await page.evaluate((t) => navigator.clipboard.writeText(t), JSON.stringify({ Authorization: `Bearer ${key}` }));
  await page.keyboard.press("ControlOrMeta+V");
  console.log("HEADERS2:", await page.locator(".graphiql-editor-tool .view-lines").allInnerTexts());
  await page.locator(".graphiql-query-editor .monaco-editor").click();
  await page.keyboard.press("ControlOrMeta+A");
  await page.keyboard.insertText(`subscription { paymentUpdated { id status version } }`);
  console.log("QUERY:", await page.locator(".graphiql-query-editor .view-lines").allInnerTexts());
  await page.locator(".graphiql-execute-button").click();
  await new Promise((r) => setTimeout(r, 2000));
  const created = await gql(url, `mutation { createPayment(input: { amount: "1.00", currency: "USD" }) { payment { id } } }`, {}, { key });
  console.log(JSON.stringify(created.data));
  await new Promise((r) => setTimeout(r, 2000));
  console.log("RESP:", await page.locator(".graphiql-response .view-lines").allInnerTexts());
  console.log(await page.evaluate(() => JSON.stringify(Object.fromEntries(Object.entries(localStorage)))));
  await page.screenshot({ path: "/tmp/explore.png" });
});
