// A batch's input, checked whole before anything runs: every line against the payment it names
// (one query for all of them), so the merchant gets one report of every bad line at once.
// The checks are the operation's own preconditions as of now; an item can still fail when it runs
// (the payment moved on meanwhile): that is the operation's typed error, recorded on the item.
import type { Payment } from "../generated/prisma/client.js";
import type { BatchOperation } from "../generated/prisma/enums.js";
import type { Db } from "../platform/db.js";
import { Money } from "../platform/money.js";
import { prefixOf } from "../platform/ids.js";

export interface BatchLine {
  paymentId: string;
  amount?: string | null;
  reason?: string | null;
}

export type LineProblem = {
  line: number;
  code: string;
  message: string;
};

export interface CheckedLine {
  line: number;
  paymentId: string;
  /** Canonical decimal in the payment's currency, or null. */
  amount: string | null;
  reason: string | null;
  problem: LineProblem | undefined;
}

const CAN: Record<BatchOperation, readonly string[]> = {
  CAPTURE: ["AUTHORIZED"],
  CANCEL: ["REQUIRES_PAYMENT_METHOD", "REQUIRES_ACTION", "REQUIRES_REVIEW", "AUTHORIZED"],
  REFUND: ["CAPTURED", "PARTIALLY_REFUNDED"],
};

export async function checkLines(db: Db, merchantId: string, operation: BatchOperation, lines: readonly BatchLine[]): Promise<CheckedLine[]> {
  const ids = [...new Set(lines.map((l) => l.paymentId).filter((id) => typeof id === "string" && prefixOf(id) === "pay"))];
  const payments = new Map((await db.payment.findMany({ where: { merchantId, id: { in: ids } } })).map((p) => [p.id, p]));
  const seen = new Set<string>();
  /** What the lines before took of each payment (refunds may share one; they must fit together). */
  const taken = new Map<string, bigint>();
  return lines.map((input, i) => {
    const line = i + 1;
    const base = { line, paymentId: String(input.paymentId ?? ""), amount: null, reason: input.reason ?? null };
    const bad = (code: string, message: string): CheckedLine => ({ ...base, problem: { line, code, message } });
    const payment = payments.get(base.paymentId);
    if (!payment) return bad("payment_not_found", `No payment '${base.paymentId.slice(0, 40)}'`);
    if (!CAN[operation].includes(payment.status)) return bad("invalid_state", `Payment ${payment.id} is ${payment.status}; ${operation} needs ${CAN[operation].join(" or ")}`);
    if (operation !== "REFUND" && seen.has(payment.id)) return bad("duplicate_payment", `Payment ${payment.id} is on an earlier line: one ${operation.toLowerCase()} per payment`);
    seen.add(payment.id);
    if (input.reason != null && operation !== "REFUND") return bad("invalid_reason", "Only refunds take a reason");
    if (input.reason != null && input.reason.length > 500) return bad("invalid_reason", "reason may be at most 500 characters");
    if (input.amount != null && operation === "CANCEL") return bad("invalid_amount", "A cancellation takes no amount");
    let minor: bigint;
    try {
      minor = input.amount != null && input.amount !== "" ? Money.parsePositive(input.amount, payment.currency).minor : available(payment, operation);
    } catch (err) {
      return bad("invalid_amount", (err as Error).message);
    }
    const left = available(payment, operation) - (taken.get(payment.id) ?? 0n);
    if (operation !== "CANCEL" && minor > left) {
      return bad("amount_too_large", `${Money.of(minor, payment.currency).format()} ${payment.currency} is more than the ${Money.of(left, payment.currency).format()} left to ${operation.toLowerCase()} on ${payment.id}`);
    }
    if (operation !== "CANCEL" && minor <= 0n) return bad("amount_too_large", `Nothing left to ${operation.toLowerCase()} on ${payment.id}`);
    taken.set(payment.id, (taken.get(payment.id) ?? 0n) + minor);
    const amount = input.amount != null && input.amount !== "" ? Money.of(minor, payment.currency).format() : null;
    return { ...base, amount, problem: undefined };
  });
}

function available(p: Payment, operation: BatchOperation): bigint {
  if (operation === "CAPTURE") return p.amountCapturable;
  if (operation === "REFUND") return p.amountCaptured - p.amountRefunded - p.amountRefundPending;
  return 0n;
}
