// The payment as the API shows it, as plain JSON: what a webhook event carries in `data.object`.
// Field names and shapes follow the GraphQL Payment type (money as { amount, minorUnits, currency }),
// so a receiver parses one shape whether it reads the API or its events.
import type { Payment } from "../generated/prisma/client.js";
import { Money } from "../platform/money.js";
import { riskView } from "../risk/assess.js";
import type { PaymentError } from "./payment-change.js";

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export const moneyJson = (minor: bigint, currency: string): Json => ({ amount: Money.of(minor, currency).format(), minorUnits: minor.toString(), currency });

export function paymentResource(p: Payment): Json {
  const error = p.lastPaymentError as PaymentError | null;
  return {
    object: "payment",
    id: p.id,
    status: p.status,
    version: p.version,
    amount: moneyJson(p.amount, p.currency),
    amountCapturable: moneyJson(p.amountCapturable, p.currency),
    amountCaptured: moneyJson(p.amountCaptured, p.currency),
    amountRefunded: moneyJson(p.amountRefunded, p.currency),
    amountRefundPending: moneyJson(p.amountRefundPending, p.currency),
    captureMethod: p.captureMethod,
    description: p.description,
    metadata: (p.metadata ?? {}) as Json,
    customerId: p.customerId,
    paymentMethodId: p.paymentMethodId,
    lastPaymentError: error ? { code: error.code, declineCode: error.declineCode ?? null, message: error.message, attemptId: error.attemptId ?? null } : null,
    settlement: p.settlementCurrency && p.settlementAmount !== null && p.fxRate && p.fxRateAsOf
      ? { amount: moneyJson(p.settlementAmount, p.settlementCurrency), rate: p.fxRate, rateAsOf: p.fxRateAsOf.toISOString(), rateSource: p.fxRateSource ?? "" }
      : null,
    threeDSecure: (p.threeDSecure ?? null) as Json,
    nextAction: (p.nextAction ?? null) as Json,
    risk: riskView(p.risk) as unknown as Json,
    failedAttempts: p.failedAttempts,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}
