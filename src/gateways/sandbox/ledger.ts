// The sandbox's book of charges: the witness tests use to prove nothing was charged twice.
// Every method is synchronous and applies its effect immediately, so the HTTP layer can record a
// charge before it waits out the configured latency (a real gateway charges even if the client
// hangs up). Idempotency replay lives in server.ts; this file only knows charge state.
import { randomBytes } from "node:crypto";
import { decideCard, type CardDecision } from "./cards.js";
import type { ParsedAuthorize, ParsedOp, WireResponse } from "./wire.js";

export type ChargeStatus = "authorized" | "captured" | "voided" | "declined" | "requires_action";

export interface RefundEntry { idempotencyKey: string; reference: string; amount: bigint; createdAt: string }

export interface Charge {
  idempotencyKey: string;
  reference: string;
  amount: bigint;
  currency: string;
  status: ChargeStatus;
  amountCaptured: bigint;
  amountRefunded: bigint;
  declineCode: string | null;
  refunds: RefundEntry[];
  createdAt: string;
}

export interface OpResult {
  statusCode: number;
  body: WireResponse;
  /**
   * Whether the result is kept under the idempotency key. Like Stripe: anything that reached
   * execution is stored (success, decline, not found, wrong state); transient failures are not,
   * because nothing happened and a retry with the same key must be allowed to succeed.
   */
  store: boolean;
}

const newId = (prefix: string): string => `${prefix}_${randomBytes(12).toString("hex")}`;

const error = (statusCode: number, code: string, message: string, store = true): OpResult => ({
  statusCode,
  body: { status: "error", code, message },
  store,
});
const tooLarge = (message: string): OpResult => ({
  statusCode: 402,
  body: { status: "declined", code: "amount_too_large", declineCode: "", message },
  store: true,
});

export class Ledger {
  private readonly byKey = new Map<string, Charge>();
  private readonly byReference = new Map<string, Charge>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  charges(): Charge[] {
    return [...this.byKey.values()];
  }

  get(idempotencyKey: string): Charge | undefined {
    return this.byKey.get(idempotencyKey);
  }

  /**
   * `verified`: whether the request's 3-D Secure authentication (if any) proves this card, amount
   * and currency (the directory server's answer). A card that asks for 3-D Secure is approved only
   * with one; an authentication that does not verify is declined, whatever the card.
   */
  authorize(req: ParsedAuthorize, verified = false): OpResult {
    const createdAt = this.now();
    const card = decideCard(req.card, createdAt);
    const decision: CardDecision = req.authentication && !verified
      ? { kind: "decline", code: "card_declined", declineCode: "authentication_failed", message: "The 3-D Secure authentication does not match this payment." }
      : verified && (card.kind === "requires_action" || (card.kind === "decline" && card.declineCode === "authentication_required")) ? { kind: "approve" } : card;
    if (decision.kind === "processing_error") {
      // No ledger entry: the issuer never saw the charge.
      return error(500, "processing_error", decision.message, false);
    }
    const charge: Charge = {
      idempotencyKey: req.idempotencyKey,
      reference: newId("ch"),
      amount: req.amount,
      currency: req.currency,
      status: "declined",
      amountCaptured: 0n,
      amountRefunded: 0n,
      declineCode: null,
      refunds: [],
      createdAt: createdAt.toISOString(),
    };
    let result: OpResult;
    if (decision.kind === "decline") {
      charge.declineCode = decision.declineCode;
      const { code, declineCode, message } = decision;
      result = { statusCode: 402, body: { status: "declined", code, declineCode, message }, store: true };
    } else if (decision.kind === "requires_action") {
      charge.status = "requires_action";
      result = { statusCode: 200, body: { status: "requires_action", reference: charge.reference, captured: false }, store: true };
    } else {
      charge.status = req.capture ? "captured" : "authorized";
      charge.amountCaptured = req.capture ? req.amount : 0n;
      result = { statusCode: 200, body: { status: "approved", reference: charge.reference, captured: req.capture }, store: true };
    }
    this.byKey.set(charge.idempotencyKey, charge);
    this.byReference.set(charge.reference, charge);
    return result;
  }

  /** Shared preconditions of capture/void/refund: the charge exists, currency matches, state fits. */
  private find(req: ParsedOp, allowed: ChargeStatus): { charge: Charge } | { fail: OpResult } {
    const charge = this.byReference.get(req.reference);
    if (!charge) return { fail: error(404, "not_found", `No such charge: ${req.reference}`) };
    if (req.currency !== undefined && req.currency !== charge.currency) {
      // A validation failure, not an execution: not stored, like any 400.
      const message = `Currency ${req.currency} does not match charge currency ${charge.currency}`;
      return { fail: error(400, "invalid_request", message, false) };
    }
    if (charge.status !== allowed) {
      const message = `Charge ${charge.reference} is ${charge.status}, expected ${allowed}`;
      return { fail: error(409, "invalid_state", message) };
    }
    return { charge };
  }

  /** One capture per authorization, partial allowed; the uncaptured remainder is released. */
  capture(req: ParsedOp): OpResult {
    const found = this.find(req, "authorized");
    if ("fail" in found) return found.fail;
    const { charge } = found;
    if (req.amount > charge.amount) {
      return tooLarge(`Capture amount ${req.amount} exceeds authorized amount ${charge.amount}`);
    }
    charge.status = "captured";
    charge.amountCaptured = req.amount;
    return {
      statusCode: 200,
      body: { status: "succeeded", reference: charge.reference, amountCaptured: charge.amountCaptured.toString() },
      store: true,
    };
  }

  void(req: ParsedOp): OpResult {
    const found = this.find(req, "authorized");
    if ("fail" in found) return found.fail;
    const { charge } = found;
    charge.status = "voided";
    return { statusCode: 200, body: { status: "succeeded", reference: charge.reference }, store: true };
  }

  /** Several partial refunds allowed; their sum never exceeds what was captured. */
  refund(req: ParsedOp): OpResult {
    const found = this.find(req, "captured");
    if ("fail" in found) return found.fail;
    const { charge } = found;
    const remaining = charge.amountCaptured - charge.amountRefunded;
    if (req.amount > remaining) {
      return tooLarge(`Refund amount ${req.amount} exceeds refundable amount ${remaining}`);
    }
    const refund: RefundEntry = {
      idempotencyKey: req.idempotencyKey,
      reference: newId("re"),
      amount: req.amount,
      createdAt: this.now().toISOString(),
    };
    charge.refunds.push(refund);
    charge.amountRefunded += req.amount;
    return {
      statusCode: 200,
      // reference is the refund's own id; the charge it belongs to travels as `charge`.
      body: {
        status: "succeeded",
        reference: refund.reference,
        charge: charge.reference,
        amount: refund.amount.toString(),
        amountRefunded: charge.amountRefunded.toString(),
      },
      store: true,
    };
  }
}

/** JSON view of a charge: bigints as decimal strings, same as on the request side. */
export function chargeToJson(c: Charge) {
  return {
    idempotencyKey: c.idempotencyKey,
    reference: c.reference,
    amount: c.amount.toString(),
    currency: c.currency,
    status: c.status,
    amountCaptured: c.amountCaptured.toString(),
    amountRefunded: c.amountRefunded.toString(),
    declineCode: c.declineCode,
    refunds: c.refunds.map((r) => ({ ...r, amount: r.amount.toString() })),
    createdAt: c.createdAt,
  };
}
