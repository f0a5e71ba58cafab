import { describe, expect, it } from "vitest";
import { PAYMENT_TRANSITIONS, assertTransition, canTransition, validateStateMachine } from "../../src/payments/payment-state.js";
import { decide, type PaymentChange } from "../../src/payments/payment-change.js";
import type { Payment } from "../../src/generated/prisma/client.js";
import { AppError } from "../../src/platform/errors.js";

const payment = (over: Partial<Payment>): Payment => ({
  id: "pay_test00000000000000000", merchantId: "mer_x", status: "REQUIRES_PAYMENT_METHOD", currency: "USD", amount: 1000n,
  amountCapturable: 0n, amountCaptured: 0n, amountRefunded: 0n, amountRefundPending: 0n, captureMethod: "AUTOMATIC",
  description: null, metadata: {}, paymentMethodId: null, customerId: null, lastPaymentError: null, failedAttempts: 0, version: 1,
  settlementCurrency: null, settlementAmount: null, fxRate: null, fxRateAsOf: null, fxRateSource: null,
  returnUrl: null, nextAction: null, threeDSecure: null, checkoutSessionId: null, risk: null, createdAt: new Date(), updatedAt: new Date(), ...over,
});

const refusal = (fn: () => unknown): AppError | undefined => {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  return undefined;
};

describe("payment state machine", () => {
  it("is well formed: every target exists and every state is reachable", () => {
    expect(() => validateStateMachine()).not.toThrow();
  });

  it("has no way out of terminal states", () => {
    for (const s of ["REFUNDED", "CANCELED", "FAILED"] as const) expect(PAYMENT_TRANSITIONS[s]).toEqual([]);
  });

  it("refuses illegal moves with the current status in the error", () => {
    expect(canTransition("CAPTURED", "CANCELED")).toBe(false);
    const err = refusal(() => assertTransition("CAPTURED", "CANCELED", "cancel"));
    expect(err?.code).toBe("INVALID_STATE_TRANSITION");
    expect(err?.details).toMatchObject({ from: "CAPTURED", to: "CANCELED", allowed: ["PARTIALLY_REFUNDED", "REFUNDED"] });
  });
});

describe("the state table", () => {
  it("holds exactly the transitions some change produces", () => {
    const error = { code: "x", declineCode: null, message: "x", attemptId: null };
    const threeDSecure = { id: "3ds_x", version: "2.2.0", flow: "CHALLENGE" as const, transStatus: "C", transStatusReason: null, eci: null, liabilityShifted: false };
    const nextAction = { type: "REDIRECT_TO_URL" as const, redirectUrl: "https://pay.example/3ds/3ds_x/challenge" };
    const changes: PaymentChange[] = [
      { kind: "confirm", paymentMethodId: "pm_x", settlement: null }, { kind: "authorized" }, { kind: "captured", amount: 1000n },
      { kind: "capture", amount: 500n }, { kind: "requiresAction", nextAction, threeDSecure }, { kind: "authenticated", threeDSecure }, { kind: "canceled" },
      { kind: "review", paymentMethodId: "pm_x", risk: { score: 75, level: "HIGHEST", outcome: "REVIEW", reasons: [], decidedBy: "score", shadowMatches: [], modelVersion: null } }, { kind: "approve", settlement: null },
      { kind: "blocked", paymentMethodId: "pm_x", risk: { score: 100, level: "HIGHEST", outcome: "BLOCK", reasons: [], decidedBy: "score", shadowMatches: [], modelVersion: null }, error }, { kind: "refundRequested", amount: 100n },
      { kind: "declined", error },
      { kind: "refundSettled", amount: 100n, succeeded: true }, { kind: "refundSettled", amount: 1000n, succeeded: true },
    ];
    const produced = new Set<string>();
    for (const status of Object.keys(PAYMENT_TRANSITIONS) as Payment["status"][]) {
      for (const failedAttempts of [0, 4]) {
        const p = payment({ status, failedAttempts, amountCapturable: 1000n, amountCaptured: 1000n, amountRefundPending: 1000n });
        for (const change of changes) {
          refusal(() => produced.add(`${status}>${decide(p, change, 5).status}`)); // a refusal produces nothing
        }
      }
    }
    const table = Object.entries(PAYMENT_TRANSITIONS).flatMap(([from, tos]) => tos.map((to) => `${from}>${to}`));
    const moves = [...produced].filter((m) => m.split(">")[0] !== m.split(">")[1]);
    expect(moves.sort()).toEqual(table.sort());
  });
});

describe("decide", () => {
  it("captures an automatic payment in full on approval, or authorizes a manual one", () => {
    const processing = payment({ status: "PROCESSING" });
    expect(decide(processing, { kind: "captured", amount: 1000n }, 5)).toMatchObject({ status: "CAPTURED", data: { amountCaptured: 1000n, amountCapturable: 0n } });
    expect(decide(processing, { kind: "authorized" }, 5)).toMatchObject({ status: "AUTHORIZED", data: { amountCapturable: 1000n } });
  });

  it("sends a decline back to REQUIRES_PAYMENT_METHOD until attempts run out, then FAILED", () => {
    const error = { code: "card_declined", declineCode: "generic_decline", message: "no", attemptId: null };
    expect(decide(payment({ status: "PROCESSING", failedAttempts: 0 }), { kind: "declined", error }, 5).status).toBe("REQUIRES_PAYMENT_METHOD");
    expect(decide(payment({ status: "PROCESSING", failedAttempts: 4 }), { kind: "declined", error }, 5).status).toBe("FAILED");
  });

  it("never lets refunds, pending or settled, pass the captured amount", () => {
    const captured = payment({ status: "CAPTURED", amountCaptured: 1000n, amountRefunded: 300n, amountRefundPending: 600n });
    expect(decide(captured, { kind: "refundRequested", amount: 100n }, 5).data.amountRefundPending).toBe(700n);
    expect(refusal(() => decide(captured, { kind: "refundRequested", amount: 101n }, 5))?.code).toBe("BAD_USER_INPUT");
  });

  it("derives the refund status from the amounts when a refund settles", () => {
    const captured = payment({ status: "CAPTURED", amountCaptured: 1000n, amountRefundPending: 1000n });
    expect(decide(captured, { kind: "refundSettled", amount: 400n, succeeded: true }, 5)).toMatchObject({ status: "PARTIALLY_REFUNDED", data: { amountRefunded: 400n, amountRefundPending: 600n } });
    expect(decide(payment({ ...captured, amountRefunded: 400n, amountRefundPending: 600n, status: "PARTIALLY_REFUNDED" }), { kind: "refundSettled", amount: 600n, succeeded: true }, 5).status).toBe("REFUNDED");
    expect(decide(captured, { kind: "refundSettled", amount: 400n, succeeded: false }, 5)).toMatchObject({ status: "CAPTURED", data: { amountRefundPending: 600n } });
  });

  it("names the operation and the accepted statuses when it refuses", () => {
    const err = refusal(() => decide(payment({ status: "PROCESSING" }), { kind: "canceled" }, 5));
    expect(err?.details).toMatchObject({ from: "PROCESSING", action: "cancel", allowed: ["REQUIRES_PAYMENT_METHOD", "REQUIRES_ACTION", "REQUIRES_REVIEW", "AUTHORIZED"] });
  });

  it("refuses a capture above what is capturable", () => {
    expect(refusal(() => decide(payment({ status: "AUTHORIZED", amountCapturable: 1000n }), { kind: "capture", amount: 1001n }, 5))?.code).toBe("BAD_USER_INPUT");
  });

  it("lets capturePayment take only an authorization, never a payment still processing", () => {
    expect(refusal(() => decide(payment({ status: "PROCESSING" }), { kind: "capture", amount: 1000n }, 5))?.details).toMatchObject({ from: "PROCESSING", allowed: ["AUTHORIZED"] });
    expect(refusal(() => decide(payment({ status: "AUTHORIZED" }), { kind: "captured", amount: 1000n }, 5))?.code).toBe("INVALID_STATE_TRANSITION");
  });
});
