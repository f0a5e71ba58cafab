// The shapes the dashboard's documents (documents.ts) ask for: written by hand beside them; the
// unit test validating the documents keeps the field names honest.

export type PaymentStatus =
  | "REQUIRES_PAYMENT_METHOD" | "PROCESSING" | "REQUIRES_ACTION" | "REQUIRES_REVIEW" | "AUTHORIZED"
  | "CAPTURED" | "PARTIALLY_REFUNDED" | "REFUNDED" | "CANCELED" | "FAILED";

export const PAYMENT_STATUSES: readonly PaymentStatus[] = [
  "REQUIRES_PAYMENT_METHOD", "PROCESSING", "REQUIRES_ACTION", "REQUIRES_REVIEW", "AUTHORIZED",
  "CAPTURED", "PARTIALLY_REFUNDED", "REFUNDED", "CANCELED", "FAILED",
];

export interface Money { amount: string; currency: string }

export interface User { userId: string; merchantId: string; name: string; email: string; role: string; scopes: string[] }

export interface PaymentRow {
  id: string;
  status: PaymentStatus;
  version: number;
  createdAt: string;
  description: string | null;
  amount: Money;
  amountCaptured: { amount: string };
  amountRefunded: { amount: string };
  card: { brand: string; last4: string } | null;
  attempts: { nodes: { gateway: string }[] };
}

export interface PageInfo { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null }

export interface PaymentsPage { payments: { edges: { cursor: string; node: PaymentRow }[]; pageInfo: PageInfo } }

export interface Attempt {
  id: string; gateway: string; status: string; routingReason: string | null; errorCode: string | null;
  declineCode: string | null; errorMessage: string | null; latencyMs: number | null; tries: number; createdAt: string;
}

export interface Refund { id: string; amount: Money; status: string; reason: string | null; failureCode: string | null; createdAt: string }

export interface PaymentEvent { id: string; type: string; fromStatus: string | null; toStatus: string; version: number; requestId: string | null; createdAt: string }

export interface PaymentDetail {
  id: string; status: PaymentStatus; version: number; createdAt: string; updatedAt: string; description: string | null; captureMethod: string;
  amount: Money; amountCapturable: Money; amountCaptured: Money; amountRefunded: Money; amountRefundPending: Money;
  card: { brand: string; last4: string; expMonth: number; expYear: number; country: string | null } | null;
  lastPaymentError: { code: string; declineCode: string | null; message: string } | null;
  settlement: { amount: Money; rate: string; rateSource: string } | null;
  threeDSecure: { version: string; flow: string; transStatus: string; transStatusReason: string | null; eci: string | null; liabilityShifted: boolean } | null;
  risk: { score: number; level: string; outcome: string; decidedBy: string; modelVersion: string | null; reasons: { code: string; message: string; points: number; source: string }[] } | null;
  attempts: { nodes: Attempt[] };
  refunds: { nodes: Refund[] };
  events: { nodes: PaymentEvent[] };
}

export interface WebhookEvent { id: string; type: string; createdAt: string }

export interface WebhookDelivery {
  id: string; eventId: string; attempt: number; status: string; responseStatus: number | null;
  latencyMs: number | null; error: string | null; nextRetryAt: string | null; createdAt: string;
}

export interface WebhookEndpoint { id: string; url: string; enabled: boolean }
