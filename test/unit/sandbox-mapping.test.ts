// Pure parts of the sandbox gateway: card rules, HTTP→GatewayOutcome mapping, wire parsing.
import { describe, expect, it } from "vitest";
import { TEST_CARDS, decideCard, isExpired, luhnValid } from "../../src/gateways/sandbox/cards.js";
import { mapResponse } from "../../src/gateways/sandbox/mapping.js";
import { mapNetworkError } from "../../src/gateways/gateway-call.js";
import { parseAuthorize, parseOp } from "../../src/gateways/sandbox/wire.js";

const now = new Date("2026-05-15T12:00:00Z");
const card = (number: string, expMonth = 12, expYear = 2030) => ({ number, expMonth, expYear });

describe("card rules", () => {
  it("decides each magic test card", () => {
    expect(decideCard(card(TEST_CARDS.approve), now)).toEqual({ kind: "approve" });
    expect(decideCard(card(TEST_CARDS.hardDecline), now)).toMatchObject({
      kind: "decline", code: "card_declined", declineCode: "generic_decline",
    });
    expect(decideCard(card(TEST_CARDS.softDecline), now)).toMatchObject({
      kind: "decline", code: "card_declined", declineCode: "insufficient_funds",
    });
    expect(decideCard(card(TEST_CARDS.processingError), now).kind).toBe("processing_error");
    expect(decideCard(card(TEST_CARDS.threeDSecure), now)).toEqual({ kind: "requires_action" });
  });

  it("approves other valid numbers and rejects Luhn failures", () => {
    expect(decideCard(card("5555555555554444"), now)).toEqual({ kind: "approve" });
    expect(luhnValid("4242424242424241")).toBe(false);
    expect(decideCard(card("4242424242424241"), now)).toMatchObject({ kind: "decline", code: "incorrect_number" });
  });

  it("treats a card as valid through its expiry month", () => {
    expect(isExpired(5, 2026, now)).toBe(false);
    expect(isExpired(4, 2026, now)).toBe(true);
    expect(isExpired(1, 2025, now)).toBe(true);
    expect(decideCard(card(TEST_CARDS.approve, 4, 2026), now)).toMatchObject({ kind: "decline", code: "expired_card" });
  });
});

describe("mapResponse", () => {
  it("maps successes", () => {
    expect(mapResponse(200, { status: "approved", reference: "ch_1", captured: true })).toEqual({ kind: "approved", reference: "ch_1" });
    expect(mapResponse(200, { status: "requires_action", reference: "ch_2", captured: false })).toEqual({
      kind: "requires_action", reference: "ch_2",
    });
    expect(mapResponse(200, { status: "succeeded", reference: "re_1" })).toEqual({ kind: "approved", reference: "re_1" });
  });

  it("treats an unreadable 200 as transient: the charge may exist", () => {
    expect(mapResponse(200, undefined)).toMatchObject({ kind: "transient", code: "processing_error" });
    expect(mapResponse(200, { status: "approved" })).toMatchObject({ kind: "transient" });
  });

  it("keeps a decline's codes and message for the outcome table to judge", () => {
    const d = (declineCode: string) => ({ status: "declined", code: "card_declined", declineCode, message: "m" });
    expect(mapResponse(402, d("generic_decline"))).toEqual({ kind: "declined", code: "card_declined", declineCode: "generic_decline", message: "m" });
    expect(mapResponse(402, d("insufficient_funds"))).toMatchObject({ declineCode: "insufficient_funds" });
    expect(mapResponse(402, { status: "declined", code: "amount_too_large", declineCode: "", message: "x" })).toMatchObject({ code: "amount_too_large" });
  });

  it("maps state and request errors to refusals", () => {
    expect(mapResponse(404, { status: "error", code: "not_found", message: "m" })).toEqual({ kind: "declined", code: "not_found", declineCode: "", message: "m" });
    expect(mapResponse(409, { status: "error", code: "invalid_state", message: "m" })).toMatchObject({ code: "invalid_state" });
    expect(mapResponse(400, { status: "error", code: "idempotency_mismatch", message: "m" })).toMatchObject({ kind: "declined", code: "idempotency_mismatch" });
    expect(mapResponse(400, "garbage")).toMatchObject({ code: "invalid_request", message: "HTTP 400" });
  });

  it("maps server errors and throttling to transient", () => {
    expect(mapResponse(500, { status: "error", code: "processing_error", message: "m" })).toEqual({
      kind: "transient", code: "processing_error", message: "m",
    });
    for (const s of [502, 503, 504, 429]) expect(mapResponse(s, undefined)).toMatchObject({ kind: "transient", code: "gateway_unavailable" });
    expect(mapResponse(507, undefined)).toMatchObject({ kind: "transient", code: "processing_error" });
  });
});

describe("mapNetworkError", () => {
  it("recognises AbortSignal.timeout", async () => {
    const signal = AbortSignal.timeout(1);
    await new Promise((r) => setTimeout(r, 20));
    expect(mapNetworkError(signal.reason)).toMatchObject({ kind: "transient", code: "timeout" });
  });

  it("recognises connection failures via the undici cause", () => {
    const err = new TypeError("fetch failed", { cause: Object.assign(new Error("connect"), { code: "ECONNREFUSED" }) });
    expect(mapNetworkError(err)).toMatchObject({ kind: "transient", code: "connect_failed" }); // never connected: nothing charged
    const reset = new TypeError("fetch failed", { cause: Object.assign(new Error("reset"), { code: "ECONNRESET" }) });
    expect(mapNetworkError(reset)).toMatchObject({ kind: "transient", code: "gateway_unavailable" }); // may have been charged
    expect(mapNetworkError("weird")).toMatchObject({ kind: "transient", code: "gateway_unavailable" });
    const leaky = new TypeError("Request cannot be constructed from a URL that includes credentials: http://user:s3cret@host/");
    expect(JSON.stringify(mapNetworkError(leaky))).not.toContain("s3cret");
  });
});

describe("wire parsing", () => {
  const body = {
    idempotencyKey: "k1", amount: "1250", currency: "EUR", capture: true,
    card: { number: TEST_CARDS.approve, expMonth: 1, expYear: 2030, cvc: "123" },
  };

  it("parses amounts to bigint and drops the cvc", () => {
    const p = parseAuthorize(body);
    expect(p).toEqual({
      ok: true,
      value: { idempotencyKey: "k1", amount: 1250n, currency: "EUR", capture: true, card: { number: TEST_CARDS.approve, expMonth: 1, expYear: 2030 } },
    });
    expect(parseAuthorize({ ...body, amount: "999999999999999999" })).toMatchObject({ ok: true, value: { amount: 999999999999999999n } });
  });

  it("rejects numbers, decimals, zero and bad currencies", () => {
    for (const amount of [1250, "12.5", "0", "1e3", " 1", "1234567890123456789"]) {
      expect(parseAuthorize({ ...body, amount }).ok).toBe(false);
    }
    expect(parseAuthorize({ ...body, currency: "eur" }).ok).toBe(false);
    expect(parseAuthorize({ ...body, idempotencyKey: "" }).ok).toBe(false);
    expect(parseAuthorize({ ...body, card: { ...body.card, expMonth: 13 } }).ok).toBe(false);
  });

  it("parses capture/refund with an amount and void without", () => {
    expect(parseOp({ idempotencyKey: "c", reference: "ch_1", amount: "5", currency: "EUR" }, true)).toEqual({
      ok: true, value: { idempotencyKey: "c", reference: "ch_1", amount: 5n, currency: "EUR" },
    });
    expect(parseOp({ idempotencyKey: "c", reference: "ch_1" }, true).ok).toBe(false);
    expect(parseOp({ idempotencyKey: "v", reference: "ch_1" }, false)).toMatchObject({ ok: true, value: { amount: 0n } });
  });
});
