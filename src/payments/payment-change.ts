// Intent-named changes to a payment and the pure decision of what each one does to it.
// Each change names the statuses it accepts; the target is checked against the state table.
// No I/O here: transition.ts applies the decision in one transaction.
import type { Payment } from "../generated/prisma/client.js";
import { AppError, ErrorCode, badInput } from "../platform/errors.js";
import { Money } from "../platform/money.js";
import { PaymentStatus, assertTransition } from "./payment-state.js";
import type { Risk } from "../risk/decide.js";

export interface PaymentError {
  code: string;
  declineCode: string | null;
  message: string;
  attemptId: string | null;
}

/** What the shopper must do for the payment to go on (REQUIRES_ACTION): open `redirectUrl` in their browser. */
export interface NextAction {
  type: "REDIRECT_TO_URL";
  redirectUrl: string;
}

/** The payment's latest 3-D Secure authentication, as the API shows it. */
export interface ThreeDSecureSummary {
  /** The authentication's id (3ds_…). */
  id: string;
  version: string;
  flow: "FRICTIONLESS" | "CHALLENGE";
  /** The EMV letter: Y, A, N, U, R; C while the challenge is open. */
  transStatus: string;
  transStatusReason: string | null;
  eci: string | null;
  /** Y and A: a fraud chargeback is the issuer's, not the merchant's. */
  liabilityShifted: boolean;
}

/** The conversion fixed for a confirmation (src/fx): captures and refunds convert at this rate. */
export interface Settlement {
  currency: string;
  amount: bigint;
  rate: string;
  asOf: Date;
  source: string;
}

export type PaymentChange =
  /** `settlement` null: the gateway takes the payment's own currency (an earlier conversion is cleared). */
  | { kind: "confirm"; paymentMethodId: string; settlement: Settlement | null; returnUrl?: string | null; risk?: Risk | null }
  /** The risk step held the confirmation for a person: nothing is sent until approvePayment. */
  | { kind: "review"; paymentMethodId: string; risk: Risk; returnUrl?: string | null }
  /** approvePayment: on to the gateway the confirmation is now routed to. */
  | { kind: "approve"; settlement: Settlement | null }
  /** The risk step blocked the confirmation: nothing is sent to a gateway; it counts as a failed attempt. */
  | { kind: "blocked"; paymentMethodId: string; risk: Risk; error: PaymentError }
  /** A 3-D Secure authentication allowed the authorization to go on (frictionless, or after the challenge). */
  | { kind: "authenticated"; threeDSecure: ThreeDSecureSummary }
  | { kind: "authorized" }
  | { kind: "captured"; amount: bigint }
  | { kind: "capture"; amount: bigint }
  /** A 3-D Secure challenge awaits the shopper. */
  | { kind: "requiresAction"; nextAction: NextAction; threeDSecure: ThreeDSecureSummary }
  /** The gateway refused, or (from REQUIRES_ACTION) the authentication failed or was abandoned. */
  | { kind: "declined"; error: PaymentError; threeDSecure?: ThreeDSecureSummary }
  /** `error`: why, when a person rejected it in review or its review timed out. */
  | { kind: "canceled"; error?: PaymentError }
  | { kind: "refundRequested"; amount: bigint }
  | { kind: "refundSettled"; amount: bigint; succeeded: boolean };

/** The fields a change may set; the transition function adds status, version and updatedAt. */
export interface PaymentUpdate {
  status: PaymentStatus;
  eventType: string;
  data: Partial<Pick<Payment,
    "amountCapturable" | "amountCaptured" | "amountRefunded" | "amountRefundPending" | "paymentMethodId" | "failedAttempts"
    | "settlementCurrency" | "settlementAmount" | "fxRate" | "fxRateAsOf" | "fxRateSource" | "returnUrl">> & {
    risk?: Risk | null;
    lastPaymentError?: PaymentError | null;
    nextAction?: NextAction | null;
    threeDSecure?: ThreeDSecureSummary | null;
  };
}

const S = PaymentStatus;

function accept(payment: Payment, allowed: PaymentStatus[], action: string, to: PaymentStatus): void {
  if (allowed.includes(payment.status)) return assertTransition(payment.status, to, action);
  throw new AppError(ErrorCode.INVALID_STATE_TRANSITION, `Cannot ${action} a payment in status ${payment.status}`, {
    from: payment.status, to, action, allowed: allowed,
  });
}

/** Never during a live challenge: a second confirmation never starts a second challenge (or charge). */
function refuseDuringChallenge(payment: Payment): void {
  if ((payment.threeDSecure as ThreeDSecureSummary | null)?.transStatus !== "C") return;
  throw new AppError(ErrorCode.INVALID_STATE_TRANSITION, "The payment awaits the shopper's 3-D Secure challenge (its nextAction): it can be confirmed again once that ends", {
    from: payment.status, to: S.PROCESSING, action: "confirm", allowed: [],
  });
}

/**
 * A failed try (a decline, a block): like Stripe, a decline is data on the payment, and the shopper
 * may try another card, until the payment has failed so often that it can no longer succeed.
 */
function afterFailure(payment: Payment, maxFailedAttempts: number): { failedAttempts: number; to: PaymentStatus } {
  const failedAttempts = payment.failedAttempts + 1;
  return { failedAttempts, to: failedAttempts >= maxFailedAttempts ? S.FAILED : S.REQUIRES_PAYMENT_METHOD };
}

const fmt = (minor: bigint, p: Payment): string => Money.of(minor, p.currency).format();

export function decide(payment: Payment, change: PaymentChange, maxFailedAttempts: number): PaymentUpdate {
  switch (change.kind) {
    case "confirm":
      // The shopper finishes the challenge, or it is abandoned after THREEDS_TIMEOUT_SECONDS.
      refuseDuringChallenge(payment);
      accept(payment, [S.REQUIRES_PAYMENT_METHOD, S.REQUIRES_ACTION], "confirm", S.PROCESSING);
      return {
        status: S.PROCESSING, eventType: "payment.processing",
        data: {
          paymentMethodId: change.paymentMethodId, lastPaymentError: null, returnUrl: change.returnUrl ?? null, nextAction: null, threeDSecure: null, risk: change.risk ?? null,
          settlementCurrency: change.settlement?.currency ?? null, settlementAmount: change.settlement?.amount ?? null,
          fxRate: change.settlement?.rate ?? null, fxRateAsOf: change.settlement?.asOf ?? null, fxRateSource: change.settlement?.source ?? null,
        },
      };
    case "review":
      refuseDuringChallenge(payment);
      accept(payment, [S.REQUIRES_PAYMENT_METHOD, S.REQUIRES_ACTION], "confirm", S.REQUIRES_REVIEW);
      return {
        status: S.REQUIRES_REVIEW, eventType: "payment.requires_review",
        data: { paymentMethodId: change.paymentMethodId, lastPaymentError: null, returnUrl: change.returnUrl ?? null, nextAction: null, threeDSecure: null, risk: change.risk },
      };
    case "approve":
      accept(payment, [S.REQUIRES_REVIEW], "approve", S.PROCESSING);
      return {
        status: S.PROCESSING, eventType: "payment.approved",
        data: {
          settlementCurrency: change.settlement?.currency ?? null, settlementAmount: change.settlement?.amount ?? null,
          fxRate: change.settlement?.rate ?? null, fxRateAsOf: change.settlement?.asOf ?? null, fxRateSource: change.settlement?.source ?? null,
        },
      };
    case "blocked": {
      refuseDuringChallenge(payment);
      const { failedAttempts, to } = afterFailure(payment, maxFailedAttempts);
      accept(payment, [S.REQUIRES_PAYMENT_METHOD, S.REQUIRES_ACTION], "confirm", to);
      return {
        status: to, eventType: to === S.FAILED ? "payment.failed" : "payment.blocked",
        data: { paymentMethodId: change.paymentMethodId, failedAttempts, lastPaymentError: change.error, nextAction: null, threeDSecure: null, risk: change.risk },
      };
    }
    case "authenticated":
      accept(payment, [S.PROCESSING, S.REQUIRES_ACTION], "authenticate", S.PROCESSING);
      return { status: S.PROCESSING, eventType: "payment.authenticated", data: { nextAction: null, threeDSecure: change.threeDSecure } };
    case "authorized":
      accept(payment, [S.PROCESSING], "authorize", S.AUTHORIZED);
      return { status: S.AUTHORIZED, eventType: "payment.authorized", data: { amountCapturable: payment.amount } };
    case "captured": // the gateway approved an automatic-capture payment
      accept(payment, [S.PROCESSING], "capture", S.CAPTURED);
      return { status: S.CAPTURED, eventType: "payment.captured", data: { amountCaptured: change.amount, amountCapturable: 0n } };
    case "capture": // capturePayment on a manual-capture authorization; the rest is released
      accept(payment, [S.AUTHORIZED], "capture", S.CAPTURED);
      if (change.amount <= 0n || change.amount > payment.amountCapturable) {
        throw badInput(`Capture amount ${fmt(change.amount, payment)} must be between 0 and the capturable ${fmt(payment.amountCapturable, payment)} ${payment.currency}`, "amount");
      }
      return { status: S.CAPTURED, eventType: "payment.captured", data: { amountCaptured: change.amount, amountCapturable: 0n } };
    case "requiresAction":
      accept(payment, [S.PROCESSING], "request authentication for", S.REQUIRES_ACTION);
      return { status: S.REQUIRES_ACTION, eventType: "payment.requires_action", data: { nextAction: change.nextAction, threeDSecure: change.threeDSecure } };
    case "declined": {
      const { failedAttempts, to } = afterFailure(payment, maxFailedAttempts);
      accept(payment, [S.PROCESSING, S.REQUIRES_ACTION], "decline", to);
      return {
        status: to, eventType: to === S.FAILED ? "payment.failed" : "payment.payment_failed",
        data: { failedAttempts, lastPaymentError: change.error, nextAction: null, ...(change.threeDSecure ? { threeDSecure: change.threeDSecure } : {}) },
      };
    }
    case "canceled":
      accept(payment, [S.REQUIRES_PAYMENT_METHOD, S.REQUIRES_ACTION, S.REQUIRES_REVIEW, S.AUTHORIZED], "cancel", S.CANCELED);
      return { status: S.CANCELED, eventType: "payment.canceled", data: { amountCapturable: 0n, nextAction: null, ...(change.error ? { lastPaymentError: change.error } : {}) } };
    case "refundRequested": {
      accept(payment, [S.CAPTURED, S.PARTIALLY_REFUNDED], "refund", payment.status);
      const refundable = payment.amountCaptured - payment.amountRefunded - payment.amountRefundPending;
      if (change.amount <= 0n || change.amount > refundable) {
        throw badInput(`Refund amount ${fmt(change.amount, payment)} exceeds the refundable ${fmt(refundable, payment)} ${payment.currency}`, "amount");
      }
      return { status: payment.status, eventType: "payment.refund_requested", data: { amountRefundPending: payment.amountRefundPending + change.amount } };
    }
    case "refundSettled": {
      const amountRefundPending = payment.amountRefundPending - change.amount;
      if (!change.succeeded) return { status: payment.status, eventType: "payment.refund_failed", data: { amountRefundPending } };
      const amountRefunded = payment.amountRefunded + change.amount;
      const to = amountRefunded === payment.amountCaptured ? S.REFUNDED : S.PARTIALLY_REFUNDED;
      accept(payment, [S.CAPTURED, S.PARTIALLY_REFUNDED], "settle a refund of", to);
      return { status: to, eventType: to === S.REFUNDED ? "payment.refunded" : "payment.partially_refunded", data: { amountRefunded, amountRefundPending } };
    }
    default: {
      const unknown: never = change;
      throw new Error(`unmapped payment change ${JSON.stringify(unknown)}`);
    }
  }
}
