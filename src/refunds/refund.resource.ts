// The refund as the API shows it, as plain JSON: what a refund's webhook event carries in
// `data.object` (built from the refund's audit view, which every refund event has).
import { moneyJson, type Json } from "../payments/payment.resource.js";

export interface RefundFacts {
  id: string;
  paymentId: string;
  amount: string | bigint;
  currency: string;
  status: string;
  reason: string | null;
  failureCode: string | null;
}

export const refundResource = (r: RefundFacts): Json => ({
  object: "refund",
  id: r.id,
  paymentId: r.paymentId,
  status: r.status,
  amount: moneyJson(BigInt(r.amount), r.currency),
  reason: r.reason ?? null,
  failureCode: r.failureCode ?? null,
});

/** Outbox topic of a refund's change: webhook delivery is fed by it (src/app/process.ts wires it). */
export const REFUND_UPDATED_TOPIC = "refund.updated";

export interface RefundUpdatedMessage {
  merchantId: string;
  refundId: string;
  /** The audit record of the change: the webhook event `evt_…` is it, seen by a receiver. */
  auditRecordId: string;
  /** `refund.created`, `refund.succeeded`, `refund.failed`. */
  action: string;
}
