// The sandbox's 3-D Secure (directory server and ACS) over real HTTP and, for challenges, in
// Debian's Chromium: frictionless outcomes by card number with consistent ECIs and authentication
// values; a challenge passed, failed, cancelled and timed out on the ACS's own page, each handed
// back to the requestor's notification URL as a CRes; and the sandbox's authorize accepting only
// an authentication that proves the same card and amount.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser } from "playwright-core";
import { startSandboxGateway, type SandboxGatewayHandle } from "../../src/gateways/sandbox/server.js";
import { CHALLENGE_CODE, THREE_DS_CARDS, decodeMessage } from "../../src/gateways/sandbox/three-ds.js";

const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];
const CHALLENGE_TIMEOUT_MS = 3000;

let sandbox: SandboxGatewayHandle;
let browser: Browser;
let requestor: http.Server;
let notificationUrl: string;
const cresReceived: Record<string, string>[] = [];

beforeAll(async () => {
  sandbox = await startSandboxGateway({ port: 0 });
  // The requestor's side: a page that posts the CReq to the ACS (what paygraph's redirect will
  // serve), and the notification URL the CRes comes back to.
  requestor = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (req.method === "GET" && url.pathname === "/start") {
      const acsUrl = url.searchParams.get("acsUrl") ?? "";
      const creq = url.searchParams.get("creq") ?? "";
      res.writeHead(200, { "content-type": "text/html" }).end(`<!doctype html><form id="f" method="post" action="${acsUrl}"><input type="hidden" name="creq" value="${creq}"></form><script>document.getElementById("f").submit()</script>`);
      return;
    }
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      const cres = decodeMessage(new URLSearchParams(body).get("cres"));
      if (cres) cresReceived.push(cres);
      res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>Back at the merchant</title><h1>Back at the merchant</h1>");
    });
  });
  await new Promise<void>((resolve) => requestor.listen(0, "127.0.0.1", resolve));
  notificationUrl = `http://127.0.0.1:${(requestor.address() as AddressInfo).port}/3ds/return`;
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
});
afterAll(async () => {
  await browser?.close();
  await sandbox?.close();
  await new Promise((resolve) => requestor?.close(resolve));
});

type Json = Record<string, unknown> & { transStatus?: string; eci?: string | null; authenticationValue?: string | null; dsTransId?: string; challenge?: { acsUrl: string; creq: string } };
let ids = 0;
async function post(path: string, body: unknown): Promise<{ status: number; json: Json }> {
  const res = await fetch(`${sandbox.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Json };
}
const authenticate = (number: string, transactionId = `att_${++ids}`, amount = "1250") =>
  post("/v1/3ds/authenticate", { transactionId, amount, currency: "EUR", card: { number }, notificationUrl });
const result = async (transactionId: string): Promise<Json> => (await (await fetch(`${sandbox.url}/v1/3ds/${transactionId}`)).json()) as Json;
const authorize = (number: string, authentication?: { dsTransId: string; authenticationValue: string }, amount = "1250") =>
  post("/v1/authorize", { idempotencyKey: `key_${++ids}`, amount, currency: "EUR", capture: true, card: { number, expMonth: 12, expYear: 2031 }, ...(authentication ? { authentication } : {}) });

describe("frictionless 3-D Secure", () => {
  it("answers each card's outcome with a consistent ECI and an authentication value only when authenticated or attempted", async () => {
    const expected: Record<string, [string, string, boolean]> = {
      "4000000000003055": ["Y", "05", true], "4000000000003063": ["A", "06", true], "4000000000003071": ["N", "07", false],
      "4000000000003089": ["U", "07", false], "4000000000003097": ["R", "07", false], "5222222222223050": ["Y", "02", true],
      "4242424242424242": ["Y", "05", true], // any other card: supported, nothing asked
    };
    for (const [number, [status, eci, valued]] of Object.entries(expected)) {
      const { json } = await authenticate(number);
      expect([json.transStatus, json.eci, typeof json.authenticationValue === "string", json.flow], number).toEqual([status, eci, valued, "FRICTIONLESS"]);
      expect(json.transStatusReason, number).toBe(THREE_DS_CARDS[number]?.transStatusReason ?? null);
    }
  });

  it("is idempotent on the transaction id, and refuses it for another payment", async () => {
    const first = await authenticate("4000000000003055", "att_same");
    const again = await authenticate("4000000000003055", "att_same");
    expect(again.json.dsTransId).toBe(first.json.dsTransId);
    const other = await authenticate("4000000000003055", "att_same", "999");
    expect([other.status, other.json.code]).toEqual([400, "idempotency_mismatch"]);
    expect((await post("/v1/3ds/authenticate", { transactionId: "x", amount: "12.50", currency: "EUR", card: { number: "4000000000003055" }, notificationUrl })).status).toBe(400);
  });

  it("lets authorize through only with an authentication of the same card and amount", async () => {
    const { json } = await authenticate("4000000000003055");
    const proof = { dsTransId: json.dsTransId!, authenticationValue: json.authenticationValue! };
    expect((await authorize("4000000000003055", proof)).json.status).toBe("approved");
    expect((await authorize("4000000000003055", proof, "1300")).json).toMatchObject({ status: "declined", declineCode: "authentication_failed" });
    expect((await authorize("4000000000003055", { ...proof, authenticationValue: "AAAAAAAAAAAAAAAAAAAAAAAAAAA=" })).json).toMatchObject({ status: "declined", declineCode: "authentication_failed" });
    // The challenge card without an authentication: the issuer asks for one.
    expect((await authorize("4000000000003220")).json.status).toBe("requires_action");
  });
});

describe("challenges in Chromium", () => {
  /** Authenticates the challenge card, opens the ACS page from the requestor's page, and runs `act` on it. */
  async function challenge(act: (page: import("playwright-core").Page) => Promise<void>, number = "4000000000003220") {
    const transactionId = `att_${++ids}`;
    const { json } = await authenticate(number, transactionId);
    expect([json.transStatus, json.flow, json.eci, json.authenticationValue]).toEqual(["C", "CHALLENGE", null, null]);
    const page = await browser.newPage();
    try {
      const start = new URL(notificationUrl.replace("/3ds/return", "/start"));
      start.searchParams.set("acsUrl", json.challenge!.acsUrl);
      start.searchParams.set("creq", json.challenge!.creq);
      await page.goto(start.href);
      await page.getByLabel("Code sent to your phone").waitFor();
      expect(await page.locator("#amount").textContent()).toBe("12.50 EUR");
      const before = cresReceived.length;
      await act(page);
      await page.getByRole("heading", { name: "Back at the merchant" }).waitFor();
      const cres = cresReceived.slice(before);
      expect(cres).toHaveLength(1);
      expect(cres[0]).toMatchObject({ messageType: "CRes", threeDSServerTransID: transactionId });
      return { cres: cres[0]!, final: await result(transactionId) };
    } finally {
      await page.close();
    }
  }

  it("passed with the code: Y, ECI 05, and an authentication value authorize accepts", async () => {
    const { cres, final } = await challenge(async (page) => {
      await page.getByLabel("Code sent to your phone").fill(CHALLENGE_CODE);
      await page.keyboard.press("Enter");
    });
    expect(cres.transStatus).toBe("Y");
    expect(final).toMatchObject({ transStatus: "Y", eci: "05", flow: "CHALLENGE", transStatusReason: null });
    expect((await authorize("4000000000003220", { dsTransId: final.dsTransId!, authenticationValue: final.authenticationValue! })).json).toMatchObject({ status: "approved", captured: true });
  });

  it("failed with a wrong code, cancelled, or timed out: N with the EMV reason, and no authentication value", async () => {
    const wrong = await challenge(async (page) => {
      await page.getByLabel("Code sent to your phone").fill("000000");
      await page.getByRole("button", { name: "Submit" }).click();
    });
    expect(wrong.final).toMatchObject({ transStatus: "N", transStatusReason: "01", eci: "07", authenticationValue: null, challengeCancel: null });

    const cancelled = await challenge((page) => page.getByRole("button", { name: "Cancel" }).click());
    expect(cancelled.final).toMatchObject({ transStatus: "N", challengeCancel: "01", authenticationValue: null });

    // Challenges started from now time out quickly (the knob the sandbox's PUT /control offers).
    await fetch(`${sandbox.url}/control`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ challengeTimeoutMs: CHALLENGE_TIMEOUT_MS }) });
    const started = Date.now();
    const late = await challenge(async (page) => {
      await page.waitForTimeout(Math.max(0, started + CHALLENGE_TIMEOUT_MS + 200 - Date.now())); // the code comes too late
      await page.getByLabel("Code sent to your phone").fill(CHALLENGE_CODE);
      await page.getByRole("button", { name: "Submit" }).click();
    }, "5222222222223225");
    expect(late.final).toMatchObject({ transStatus: "N", transStatusReason: "14", eci: "00", authenticationValue: null });
    expect(late.cres.transStatus).toBe("N");
  });
});
