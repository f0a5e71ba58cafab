// The GraphiQL playground in a real browser (Debian's Chromium driven by playwright-core) against
// the real server: it loads with nothing from any other host and runs only its own two scripts (a
// CSP of their hashes, nothing blocked), a key pasted once in the Headers editor authenticates a
// mutation over HTTP, and, kept by the browser, a subscription over graphql-ws that then receives
// a payment created over plain HTTP.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser, type BrowserContext, type Page, type WebSocket } from "playwright-core";
import { CreatePaymentDocument, PaymentDocument } from "../../client/src/generated/graphql.js";
import { createStack, gql, ok, type Stack } from "../support/stack.js";

const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
  "--disable-sync", "--no-first-run", "--disable-quic",
];
// GraphiQL's Monaco editors, told apart by their model's file name.
const QUERY_EDITOR = "operation.graphql";
const HEADERS_EDITOR = "request-headers.json";
const RESPONSE_PANE = "response.json";
const WAIT = { timeout: 30_000, interval: 50 };

let stack: Stack;
let url: string;
let key: string;
let browser: Browser;

beforeAll(async () => {
  stack = await createStack();
  url = (await stack.start(["start", "--role", "all", "--port", "0"])).url;
  key = (await stack.merchant()).secretKey;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});
afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

/** One network request of the page (HTTP from the page or its workers, or a WebSocket). */
interface Recorded {
  method: string;
  url: string;
  kind: string;
  headers: Record<string, string>;
  body: string | null;
}

interface Session {
  context: BrowserContext;
  requests: Recorded[];
  sockets: { socket: WebSocket; sent: string[]; received: string[] }[];
  pageErrors: string[];
  /** Console messages about the Content-Security-Policy (a blocked script, worker or style). */
  cspReports: string[];
}

/** A fresh browser profile (its own localStorage) that records every request it makes. */
async function session(): Promise<Session> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: url });
  const s: Session = { context, requests: [], sockets: [], pageErrors: [], cspReports: [] };
  context.on("request", (r) => s.requests.push({ method: r.method(), url: r.url(), kind: r.resourceType(), headers: r.headers(), body: r.postData() }));
  context.on("page", (page) => {
    page.on("pageerror", (err) => s.pageErrors.push(err.message));
    page.on("console", (m) => m.text().includes("Content Security Policy") && s.cspReports.push(m.text()));
    page.on("websocket", (socket) => {
      const entry = { socket, sent: [] as string[], received: [] as string[] };
      s.sockets.push(entry);
      s.requests.push({ method: "GET", url: socket.url(), kind: "websocket", headers: {}, body: null });
      socket.on("framesent", (f) => entry.sent.push(String(f.payload)));
      socket.on("framereceived", (f) => entry.received.push(String(f.payload)));
    });
  });
  return s;
}

/** Requests to anything but the server itself (data: URLs never leave the page; blob: URLs carry their origin). */
function foreign(requests: Recorded[]): Recorded[] {
  const own = new URL(url).host;
  return requests.filter((r) => {
    if (r.url.startsWith("data:")) return false;
    const target = new URL(r.url.startsWith("blob:") ? r.url.slice("blob:".length) : r.url);
    return !["http:", "ws:"].includes(target.protocol) || target.host !== own;
  });
}

/** Opens the playground and waits until GraphiQL has rendered its editors and loaded the schema. */
async function openPlayground(s: Session, path: string): Promise<Page> {
  const page = await s.context.newPage();
  const introspection = page.waitForResponse((r) => r.url() === `${url}/graphql` && r.request().method() === "POST" && (r.request().postData() ?? "").includes("__schema"));
  const response = await page.goto(`${url}${path}`);
  expect(response?.status()).toBe(200);
  expect(response?.headers()["content-type"]).toContain("text/html");
  // Only its own two inline scripts may run: by hash, never 'unsafe-inline' (the origin also holds the dashboard's session).
  const csp = response?.headers()["content-security-policy"] ?? "";
  expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/]+=*' 'sha256-[A-Za-z0-9+/]+=*';/);
  expect(csp).toContain("default-src 'none'");
  expect((await response?.request().allHeaders())?.accept).toContain("text/html");
  await expect(page.title()).resolves.toBe("paygraph playground");
  await page.locator(".graphiql-container").first().waitFor();
  await editor(page, QUERY_EDITOR).waitFor();
  await editor(page, HEADERS_EDITOR).waitFor();
  const schema = (await (await introspection).json()) as { data?: { __schema?: { queryType?: { name: string } } } };
  expect(schema.data?.__schema?.queryType?.name).toBe("Query");
  return page;
}

/** Reads until `done` holds or `withinMs` has passed, and returns the last value read. */
async function poll<T>(read: () => Promise<T>, done: (value: T) => boolean, withinMs: number): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const editor = (page: Page, file: string) => page.locator(`.monaco-editor[data-uri$="${file}"]`);

/** An editor's text as rendered (Monaco draws spaces as no-break spaces). */
async function editorText(page: Page, file: string): Promise<string> {
  return (await editor(page, file).locator(".view-lines").innerText()).replaceAll("\u00a0", " ");
}

/** What a user does: click into the editor, select all, paste. */
async function paste(page: Page, file: string, text: string): Promise<void> {
  await page.evaluate((t) => navigator.clipboard.writeText(t), text);
  await editor(page, file).click();
  await page.keyboard.press("ControlOrMeta+A");
  await page.keyboard.press("ControlOrMeta+V");
  await expect.poll(() => editorText(page, file), WAIT).toBe(text);
  await page.keyboard.press("ControlOrMeta+Home");
}

/** Pastes an operation, and waits until GraphiQL has parsed it (it then mirrors it in `?query=`). */
async function pasteOperation(page: Page, operation: string): Promise<void> {
  await paste(page, QUERY_EDITOR, operation);
  await expect.poll(() => new URL(page.url()).searchParams.get("query"), WAIT).toBe(operation);
}

describe("the GraphiQL playground", () => {
  it.each(["/graphiql", "/graphql"])("opens at %s in a browser, with nothing from any other host", async (path) => {
    const s = await session();
    const page = await openPlayground(s, path);
    await expect(editorText(page, QUERY_EDITOR)).resolves.toContain("createPayment");
    await page.locator(".graphiql-execute-button").waitFor();
    // Editors drawn and the schema introspected: the page is in use. (Not "networkidle": the
    // blob: URLs of Monaco's workers keep it from ever settling in some runs.)

    expect(s.requests.map((r) => `${r.method} ${r.url}`)).toContain(`GET ${url}${path}`);
    expect(s.requests.filter((r) => r.method === "POST").map((r) => r.url)).toContain(`${url}/graphql`);
    expect(foreign(s.requests)).toEqual([]);
    expect(s.pageErrors).toEqual([]);
    expect(s.cspReports).toEqual([]);
    await s.context.close();
  });

  it("runs a mutation with the key pasted once, then a subscription with the same key that sees a new payment", async () => {
    const s = await session();
    const headers = `{"Authorization": "Bearer ${key}"}`;

    // (2) Paste the key into the Headers editor, run createPayment with Ctrl+Enter.
    const first = await openPlayground(s, "/graphiql");
    await paste(first, HEADERS_EDITOR, headers);
    await pasteOperation(first, ["mutation {", '  createPayment(input: { amount: "12.50", currency: "USD" }) {', "    payment { id status }", "  }", "}"].join("\n"));
    await editor(first, QUERY_EDITOR).click();
    await first.keyboard.press("ControlOrMeta+Enter");
    await expect.poll(() => editorText(first, RESPONSE_PANE), WAIT).toMatch(/"id": "pay_\w+"/);
    const result = JSON.parse(await editorText(first, RESPONSE_PANE)) as { data: { createPayment: { payment: { id: string; status: string } } } };
    const created = result.data.createPayment.payment;
    expect(created.status).toBe("REQUIRES_PAYMENT_METHOD");
    await first.screenshot({ path: "/tmp/playground.png" });

    const mutationRequest = s.requests.find((r) => r.method === "POST" && (r.body ?? "").includes("createPayment"));
    expect(mutationRequest?.headers.authorization).toBe(`Bearer ${key}`);
    expect(ok(await gql(url, PaymentDocument, { id: created.id }, { key })).payment).toMatchObject({ id: created.id, amount: { amount: "12.50", currency: "USD" } });

    // The browser keeps the headers: a new page of the same profile has them without retyping.
    await expect.poll(() => first.evaluate(() => localStorage.getItem("graphiql:tabState") ?? ""), WAIT).toContain(key);
    await first.close();
    const page = await openPlayground(s, "/graphiql");
    await expect.poll(() => editorText(page, HEADERS_EDITOR), WAIT).toContain(`Bearer ${key}`);

    // (3) Subscribe from GraphiQL (the run button), then create payments over plain HTTP until
    // one shows up: nothing tells the browser when the server's Redis subscription is in place.
    await pasteOperation(page, "subscription { paymentUpdated { id status version } }");
    await page.locator(".graphiql-execute-button").click();
    await expect.poll(() => s.sockets.flatMap((w) => w.sent).some((f) => f.includes('"type":"subscribe"')), WAIT).toBe(true);
    const sent: string[] = [];
    let shown: string | undefined;
    while (!shown) {
      if (sent.length === 10) throw new Error(`no event for ${sent.join(", ")}; the pane shows: ${await editorText(page, RESPONSE_PANE)}`);
      sent.push(ok(await gql(url, CreatePaymentDocument, { input: { amount: "7.25", currency: "USD" } }, { key })).createPayment.payment.id);
      const pane = await poll(() => editorText(page, RESPONSE_PANE), (text) => text.includes('"errors"') || sent.some((id) => text.includes(id)), 3_000);
      expect(pane).not.toContain('"errors"');
      shown = sent.find((id) => pane.includes(id));
    }
    const event = JSON.parse(await editorText(page, RESPONSE_PANE)) as { data: { paymentUpdated: { id: string; status: string; version: number } } };
    expect(event.data.paymentUpdated).toEqual({ id: shown, status: "REQUIRES_PAYMENT_METHOD", version: 1 });

    // The pasted headers reached the server as the graphql-ws connection_init payload.
    const [socket] = s.sockets;
    expect(s.sockets).toHaveLength(1);
    expect(socket?.socket.url()).toBe(`${url.replace(/^http/, "ws")}/graphql`);
    const init = socket?.sent.map((f) => JSON.parse(f) as { type: string; payload?: unknown }).find((m) => m.type === "connection_init");
    expect(init?.payload).toEqual({ Authorization: `Bearer ${key}` });

    // Stopping the subscription closes the socket.
    const closed = socket?.socket.isClosed() ? Promise.resolve() : socket?.socket.waitForEvent("close");
    await page.locator(".graphiql-execute-button").click();
    await closed;

    expect(foreign(s.requests)).toEqual([]);
    expect(s.pageErrors).toEqual([]);
    expect(s.cspReports).toEqual([]);
    await s.context.close();
  });
});
