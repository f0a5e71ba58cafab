import { describe, expect, it } from "vitest";
import { classify, type DecisionRule, type FailedOutcome } from "../../src/routing/outcome-decisions.js";
import { SANDBOX_DECISIONS, SANDBOX_LOST_ANSWER_CODES } from "../../src/gateways/sandbox/decisions.js";
import { CONNECT_FAILED } from "../../src/gateways/gateway.js";
import { mapResponse } from "../../src/gateways/sandbox/mapping.js";
import { mapNetworkError } from "../../src/gateways/gateway-call.js";
import { validateOverrides } from "../../src/routing/decision-table.js";
import { AppError } from "../../src/platform/errors.js";

const declined = (code: string, declineCode = "", message = "The card was declined"): FailedOutcome => ({ kind: "declined", code, declineCode, message });
const transient = (code: string, message = "no answer"): FailedOutcome => ({ kind: "transient", code, message });

describe("outcome classification (sandbox defaults)", () => {
  const decide = (o: FailedOutcome) => classify(o, SANDBOX_DECISIONS).decision;

  it("retries what may succeed under the same key", () => {
    expect(decide(transient("timeout"))).toBe("RETRY");
    expect(decide(transient("gateway_unavailable"))).toBe("RETRY");
    expect(decide(transient("processing_error"))).toBe("RETRY");
  });

  it("fails over at once from a gateway it could not reach, and on soft declines", () => {
    expect(decide(transient(CONNECT_FAILED))).toBe("FAIL_OVER");
    expect(decide(declined("card_declined", "insufficient_funds"))).toBe("FAIL_OVER");
    expect(decide(declined("card_declined", "try_again_later"))).toBe("FAIL_OVER");
    expect(decide(declined("currency_not_supported"))).toBe("FAIL_OVER");
  });

  it("stops on hard declines and anything unknown that the gateway refused", () => {
    expect(decide(declined("card_declined", "generic_decline"))).toBe("STOP");
    expect(decide(declined("incorrect_number", "incorrect_number"))).toBe("STOP");
    expect(decide(declined("something_new"))).toBe("STOP");
  });

  it("steps up when the issuer asks for authentication", () => {
    expect(decide(declined("card_declined", "authentication_required"))).toBe("STEP_UP");
  });
});

describe("classify", () => {
  it("takes the first matching rule: merchant overrides before defaults", () => {
    const overrides: DecisionRule[] = [{ code: "card_declined", declineCode: "insufficient_funds", decision: "STOP" }];
    expect(classify(declined("card_declined", "insufficient_funds"), [...overrides, ...SANDBOX_DECISIONS])).toMatchObject({ decision: "STOP", rule: overrides[0] });
  });

  it("matches message text case-insensitively, as a plain substring", () => {
    const rules: DecisionRule[] = [{ code: "*", messageContains: "ISSUER UNAVAILABLE", decision: "FAIL_OVER" }, { code: "*", decision: "STOP" }];
    expect(classify(declined("card_declined", "", "The issuer unavailable, try later"), rules).decision).toBe("FAIL_OVER");
    expect(classify(declined("card_declined", "", "issuer unavail.*"), rules).decision).toBe("STOP");
  });

  it("never lets a transient outcome match a decline-code rule", () => {
    expect(classify(transient("timeout"), [{ code: "*", declineCode: "x", decision: "STOP" }]).decision).toBe("RETRY");
  });

  it("falls back safely when no rule matches: retry a lost answer, stop on a refusal", () => {
    expect(classify(transient("weird"), [])).toEqual({ decision: "RETRY", rule: undefined });
    expect(classify(declined("weird"), [])).toEqual({ decision: "STOP", rule: undefined });
  });
});

describe("merchant overrides: RETRY only where an answer was lost", () => {
  const refusal = (rules: DecisionRule[]) => {
    try {
      validateOverrides("SANDBOX", rules);
    } catch (err) {
      if (err instanceof AppError) return { code: err.code, field: err.details.field };
      throw err;
    }
    return undefined;
  };

  it("refuses RETRY on a decline row: a decline code, a refusal's code, or * (which matches refusals too)", () => {
    expect(refusal([{ code: "card_declined", declineCode: "insufficient_funds", decision: "RETRY" }])).toEqual({ code: "BAD_USER_INPUT", field: "rules[0].decision" });
    expect(refusal([{ code: "timeout", decision: "STOP" }, { code: "card_declined", decision: "RETRY" }])).toEqual({ code: "BAD_USER_INPUT", field: "rules[1].decision" });
    expect(refusal([{ code: "*", decision: "RETRY" }])).toEqual({ code: "BAD_USER_INPUT", field: "rules[0].decision" });
    expect(refusal([{ code: "*", messageContains: "try again", decision: "RETRY" }])).toEqual({ code: "BAD_USER_INPUT", field: "rules[0].decision" });
    expect(refusal([{ code: "currency_not_supported", decision: "RETRY" }])).toEqual({ code: "BAD_USER_INPUT", field: "rules[0].decision" });
  });

  it("accepts RETRY on a lost-answer code, every other decision on any row, and the defaults themselves", () => {
    expect(refusal([{ code: "gateway_unavailable", messageContains: "503", decision: "RETRY" }, { code: CONNECT_FAILED, decision: "RETRY" }])).toBeUndefined();
    expect(refusal([{ code: "*", decision: "FAIL_OVER" }, { code: "card_declined", decision: "STOP" }, { code: "timeout", decision: "STEP_UP" }])).toBeUndefined();
    expect(refusal([...SANDBOX_DECISIONS])).toBeUndefined();
  });

  it("names every lost answer the sandbox mapping produces (the list cannot drift from it)", () => {
    const lost = [
      mapResponse(200, {}), mapResponse(408, {}), mapResponse(429, {}), mapResponse(500, {}), mapResponse(502, {}), mapResponse(418, {}), mapResponse(301, {}),
      mapNetworkError(Object.assign(new Error("t"), { name: "TimeoutError" })),
      mapNetworkError(Object.assign(new Error("c"), { cause: { code: "ECONNREFUSED" } })),
      mapNetworkError(Object.assign(new Error("r"), { cause: { code: "ECONNRESET" } })),
      mapNetworkError(new Error("other")),
    ].filter((o) => o.kind === "transient");
    expect(lost.length).toBeGreaterThan(5);
    for (const outcome of lost) expect(SANDBOX_LOST_ANSWER_CODES).toContain("code" in outcome ? outcome.code : "");
  });
});
