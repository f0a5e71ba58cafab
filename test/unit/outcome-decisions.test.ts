import { describe, expect, it } from "vitest";
import { classify, type DecisionRule, type FailedOutcome } from "../../src/routing/outcome-decisions.js";
import { SANDBOX_DECISIONS } from "../../src/gateways/sandbox/decisions.js";
import { CONNECT_FAILED } from "../../src/gateways/gateway.js";

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
