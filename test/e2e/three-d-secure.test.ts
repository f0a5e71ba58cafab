// 3-D Secure through paygraph: the real server, worker and sandbox directory server, and for
// challenges Debian's Chromium on the real pages (paygraph's hand-off, the sandbox ACS, the way
// back). Frictionless outcomes through the API; a challenge passed, failed, cancelled and
// abandoned, each seen as transitions on the payment, its subscription and its history; a second
// confirmation during a challenge refused; nothing charged twice.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser, type Page } from "playwright-core";
import { ConfirmPaymentDocument, CreatePaymentDocument, PaymentDocument, PaymentUpdatedDocument, type ConfirmPaymentInput } from "../../client/src/generated/graphql.js";
import { TEST_CARDS, card, errorCode, eventually, gql, ok, subscribe, useServer, wsClient } from "../support/stack.js";

const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];
const CHALLENGE_CODE = "123456";
const CODE_FIELD = "Code sent to your phone";

const server = useServer();
// A second instance whose challenges are abandoned after 8 s (swept every 250 ms): long enough for
// a loaded CI box to open the challenge page before it is abandoned.
const hurried = useServer({ THREEDS_TIMEOUT_SECONDS: "8", RECONCILE_EVERY_MS: "250" });

let browser: Browser;
let merchantSite: http.Server;
let returnUrl: string;
/** payment_id of each shopper who came back to the merchant's returnUrl. */
const returned: string[] = [];

beforeAll(async () => {
  merchantSite = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    returned.push(url.searchParams.get("payment_id") ?? "");
    res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>Order</title><h1>Back at the merchant</h1>");
  });
  await new Promise<void>((resolve) => merchantSite.listen(0, "127.0.0.1", resolve));
  returnUrl = `http://127.0.0.1:${(merchantSite.address() as AddressInfo).port}/order/42?step=paid`;
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
});
afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => merchantSite?.close(resolve));
});

type At = { url: string; key: string };
const create = async (at: At, captureMethod: "AUTOMATIC" | "MANUAL" = "AUTOMATIC") =>
  ok(await gql(at.url, CreatePaymentDocument, { input: { amount: "12.50", currency: "EUR", captureMethod } }, { key: at.key })).createPayment.payment;
const confirm = (at: At, input: Omit<ConfirmPaymentInput, "card"> & { number: string }) => {
  const { number, ...rest } = input;
  return gql(at.url, ConfirmPaymentDocument, { input: { ...rest, card: card(number) } }, { key: at.key });
};
const read = async (at: At, id: string) => ok(await gql(at.url, PaymentDocument, { id }, { key: at.key })).payment;
const settled = (at: At, id: string) => eventually(() => read(at, id), (p) => p.status !== "PROCESSING");

/** Confirms `number` and waits for the payment to settle (frictionless) or to await its challenge. */
async function pay(at: At, number: string, extra: Partial<ConfirmPaymentInput> = {}, captureMethod: "AUTOMATIC" | "MANUAL" = "AUTOMATIC") {
  const payment = await create(at, captureMethod);
  ok(await confirm(at, { paymentId: payment.id, number, ...extra }));
  return settled(at, payment.id);
}

/** Opens the payment's nextAction in Chromium, and runs `act` on the ACS's challenge page. */
async function inChallenge<T>(redirectUrl: string, act: (page: Page) => Promise<T>): Promise<T> {
  const page = await browser.newPage();
  try {
    await page.goto(redirectUrl);
    await page.getByLabel(CODE_FIELD).waitFor();
    return await act(page);
  } finally {
    await page.close();
  }
}

describe("frictionless 3-D Secure, through the API", () => {
  it("authenticates when the merchant asks (ANY), then authorizes with the result: Y and A shift liability, U goes on without, N and R decline", async () => {
    const y = await pay(server, "4000000000003055", { requestThreeDSecure: "ANY" });
    expect(y.status).toBe("CAPTURED");
    expect(y.threeDSecure).toEqual({ version: "2.2.0", flow: "FRICTIONLESS", transStatus: "Y", transStatusReason: null, eci: "05", liabilityShifted: true });
    expect(y.nextAction).toBeNull();
    expect(y.events.nodes.map((e) => [e.type, e.toStatus])).toEqual([
      ["payment.created", "REQUIRES_PAYMENT_METHOD"], ["payment.processing", "PROCESSING"], ["payment.authenticated", "PROCESSING"], ["payment.captured", "CAPTURED"],
    ]);
    expect(y.attempts.nodes).toMatchObject([{ status: "SUCCEEDED", tries: 1 }]);

    const a = await pay(server, "4000000000003063", { requestThreeDSecure: "ANY" }, "MANUAL");
    expect([a.status, a.threeDSecure?.transStatus, a.threeDSecure?.eci, a.threeDSecure?.liabilityShifted]).toEqual(["AUTHORIZED", "A", "06", true]);

    const u = await pay(server, "4000000000003089", { requestThreeDSecure: "ANY" });
    expect([u.status, u.threeDSecure?.transStatus, u.threeDSecure?.transStatusReason, u.threeDSecure?.liabilityShifted]).toEqual(["CAPTURED", "U", "08", false]);

    for (const [number, status, reason] of [["4000000000003071", "N", "01"], ["4000000000003097", "R", "11"]] as const) {
      const refused = await pay(server, number, { requestThreeDSecure: "ANY" });
      expect(refused.status, number).toBe("REQUIRES_PAYMENT_METHOD");
      expect(refused.lastPaymentError).toMatchObject({ code: "authentication_failed", declineCode: reason });
      expect(refused.threeDSecure).toMatchObject({ transStatus: status, liabilityShifted: false });
      // Refused before any authorization: the gateway was never asked to charge.
      expect(refused.attempts.nodes).toMatchObject([{ status: "FAILED", errorCode: "authentication_failed", tries: 0 }]);
    }

    // An issuer's SCA soft decline (a STEP_UP row of the outcome table): authenticated, then approved at the same gateway.
    const stepped = await pay(server, "4000002760003184");
    expect([stepped.status, stepped.threeDSecure?.transStatus, stepped.threeDSecure?.flow]).toEqual(["CAPTURED", "Y", "FRICTIONLESS"]);
    expect(stepped.attempts.nodes.map((a) => [a.status, a.declineCode, a.decision])).toEqual([["FAILED", "authentication_required", "STEP_UP"], ["SUCCEEDED", null, null]]);

    // AUTOMATIC (the default): a card nobody asks to authenticate is not.
    const plain = await pay(server, TEST_CARDS.approve);
    expect([plain.status, plain.threeDSecure]).toEqual(["CAPTURED", null]);
  });

  it("refuses a returnUrl that is not https (or http to loopback outside production), with a typed error and nothing written", async () => {
    const payment = await create(server);
    for (const bad of ["javascript:alert(1)", "http://shop.example/return", "ftp://127.0.0.1/x", "https://user:pw@shop.example/", "/relative"]) {
      const result = await confirm(server, { paymentId: payment.id, number: TEST_CARDS.approve, returnUrl: bad });
      expect([errorCode(result), result.errors?.[0]?.extensions?.field], bad).toEqual(["BAD_USER_INPUT", "returnUrl"]);
    }
    expect((await read(server, payment.id)).status).toBe("REQUIRES_PAYMENT_METHOD");
  });
});

describe("challenges in Chromium", () => {
  it("passed: REQUIRES_ACTION with a redirect, seen live; the code authenticates, the shopper lands on returnUrl and the payment is captured once", async () => {
    const payment = await create(server);
    const client = wsClient(server.url, server.key);
    const live = subscribe(client, PaymentUpdatedDocument, { paymentId: payment.id });
    await live.until((e) => e.paymentUpdated.version === 1);
    expect(ok(await confirm(server, { paymentId: payment.id, number: TEST_CARDS.threeDS, returnUrl })).confirmPayment.payment.status).toBe("PROCESSING");

    const waiting = (await live.until((e) => e.paymentUpdated.status === "REQUIRES_ACTION")).paymentUpdated;
    expect(waiting.nextAction?.type).toBe("REDIRECT_TO_URL");
    expect(waiting.threeDSecure).toEqual({ transStatus: "C", flow: "CHALLENGE" });
    const redirectUrl = waiting.nextAction!.redirectUrl;
    expect((await read(server, payment.id)).nextAction?.redirectUrl).toBe(redirectUrl);

    // A second confirmation (a double click) starts no second challenge and no charge.
    expect(errorCode(await confirm(server, { paymentId: payment.id, number: TEST_CARDS.threeDS, returnUrl }))).toBe("INVALID_STATE_TRANSITION");

    const landed = await inChallenge(redirectUrl, async (page) => {
      await page.getByLabel(CODE_FIELD).fill(CHALLENGE_CODE);
      await page.keyboard.press("Enter");
      await page.getByRole("heading", { name: "Back at the merchant" }).waitFor();
      return new URL(page.url());
    });
    expect(landed.pathname).toBe("/order/42");
    expect([landed.searchParams.get("step"), landed.searchParams.get("payment_id")]).toEqual(["paid", payment.id]);

    await live.until((e) => e.paymentUpdated.status === "CAPTURED");
    live.dispose();
    await client.dispose();
    const paid = await read(server, payment.id);
    expect(paid.threeDSecure).toEqual({ version: "2.2.0", flow: "CHALLENGE", transStatus: "Y", transStatusReason: null, eci: "05", liabilityShifted: true });
    expect(paid.nextAction).toBeNull();
    // The issuer's "requires action" on the first attempt; the authenticated authorization on the second, same gateway.
    expect(paid.attempts.nodes.map((a) => [a.status, a.errorCode, a.decision])).toEqual([["FAILED", "authentication_required", "STEP_UP"], ["SUCCEEDED", null, null]]);
    expect(paid.attempts.nodes[1]!.routingReason).toContain("3-D Secure");
    expect(paid.events.nodes.map((e) => e.toStatus)).toEqual(["REQUIRES_PAYMENT_METHOD", "PROCESSING", "REQUIRES_ACTION", "PROCESSING", "CAPTURED"]);

    // The link again (the back button): no second challenge, straight on to the merchant.
    const page = await browser.newPage();
    await page.goto(redirectUrl);
    await page.getByRole("heading", { name: "Back at the merchant" }).waitFor();
    await page.close();
    expect((await read(server, payment.id)).attempts.nodes.filter((a) => a.status === "SUCCEEDED")).toHaveLength(1);
  });

  it("failed with a wrong code, or cancelled: back to REQUIRES_PAYMENT_METHOD with a clear error, paygraph's result page, and another card can pay", async () => {
    for (const [act, message] of [
      [async (p: Page) => { await p.getByLabel(CODE_FIELD).fill("000000"); await p.getByRole("button", { name: "Submit" }).click(); }, /could not be authenticated/],
      [(p: Page) => p.getByRole("button", { name: "Cancel" }).click(), /cancelled/],
    ] as const) {
      const waiting = await pay(server, TEST_CARDS.threeDS); // no returnUrl: paygraph's own result page
      expect(waiting.status).toBe("REQUIRES_ACTION");
      const heading = await inChallenge(waiting.nextAction!.redirectUrl, async (page) => {
        await act(page);
        return page.getByRole("heading", { name: "Payment not completed" }).textContent();
      });
      expect(heading).toBe("Payment not completed");
      const failed = await read(server, waiting.id);
      expect(failed.status).toBe("REQUIRES_PAYMENT_METHOD");
      expect(failed.lastPaymentError?.code).toBe("authentication_failed");
      expect(failed.lastPaymentError?.message).toMatch(message);
      expect(failed.threeDSecure).toMatchObject({ transStatus: "N", flow: "CHALLENGE", liabilityShifted: false });
      expect(failed.attempts.nodes.map((a) => a.status)).toEqual(["FAILED", "FAILED"]);

      ok(await confirm(server, { paymentId: waiting.id, number: TEST_CARDS.approve }));
      const paid = await settled(server, waiting.id);
      expect([paid.status, paid.threeDSecure]).toEqual(["CAPTURED", null]);
    }
  });

  it("abandoned: after THREEDS_TIMEOUT_SECONDS the payment takes a card again (authentication_abandoned); the late code charges nothing", async () => {
    const waiting = await pay(hurried, TEST_CARDS.threeDS, { returnUrl });
    expect(waiting.status).toBe("REQUIRES_ACTION");
    await inChallenge(waiting.nextAction!.redirectUrl, async (page) => {
      // The shopper walks away with the challenge open…
      const abandoned = await eventually(() => read(hurried, waiting.id), (p) => p.status !== "REQUIRES_ACTION");
      expect(abandoned.status).toBe("REQUIRES_PAYMENT_METHOD");
      expect(abandoned.lastPaymentError?.code).toBe("authentication_abandoned");
      expect(abandoned.nextAction).toBeNull();
      // …and comes back to answer it: the ACS still takes the code, paygraph charges nothing.
      await page.getByLabel(CODE_FIELD).fill(CHALLENGE_CODE);
      await page.getByRole("button", { name: "Submit" }).click();
      await page.getByRole("heading", { name: "Back at the merchant" }).waitFor();
    });
    const after = await read(hurried, waiting.id);
    expect(after.status).toBe("REQUIRES_PAYMENT_METHOD");
    expect(after.attempts.nodes.map((a) => [a.status, a.errorCode])).toEqual([["FAILED", "authentication_required"], ["FAILED", "authentication_abandoned"]]);
    // A second confirmation is a new challenge of its own, for a new attempt.
    ok(await confirm(hurried, { paymentId: waiting.id, number: TEST_CARDS.threeDS, returnUrl }));
    const again = await settled(hurried, waiting.id);
    expect(again.status).toBe("REQUIRES_ACTION");
    expect(again.nextAction?.redirectUrl).not.toBe(waiting.nextAction?.redirectUrl);
    expect(again.attempts.nodes.filter((a) => a.status === "SUCCEEDED")).toHaveLength(0);
  });
});
