// The risk step of a confirmation, run in the api inside confirmPayment before the payment is
// routed: the velocity counters read and bumped in one Redis call, then the rules (rules.ts). Its
// answer is stored on the payment (`Payment.risk`) and decides what the confirmation does: ALLOW
// goes on, REQUEST_3DS authenticates the card before authorizing (the attempt's
// authenticationRequired, src/payments/three-d-secure), BLOCK charges nothing (the payment goes back
// to REQUIRES_PAYMENT_METHOD with `blocked_by_risk`).
import type { App } from "../app/app.js";
import type { Payment, PaymentMethod } from "../generated/prisma/client.js";
import { currencyExponent } from "../platform/money.js";
import { riskOutcomes, riskScoringSeconds, riskVelocityUnavailable } from "./risk-metrics.js";
import { fingerprint } from "../vault/vault.js";
import { ipForVelocity } from "./velocity.js";
import { evaluateRules, type Risk } from "./rules.js";
import type { Shopper } from "./shopper.js";

export const BLOCKED_BY_RISK = "blocked_by_risk";

export async function assessRisk(app: Pick<App, "config" | "velocity" | "vault">, payment: Payment, method: PaymentMethod, shopper: Shopper | null): Promise<Risk> {
  const started = performance.now();
  // Emails and addresses reach Redis only as the vault's keyed digests (per merchant, not reversible).
  const keyed = (kind: string, value: string | null | undefined) => (value ? fingerprint(app.vault, payment.merchantId, `${kind}:${value}`) : null);
  const [emailKey, ipKey] = await Promise.all([keyed("email", shopper?.email), keyed("ip", shopper?.ip && ipForVelocity(shopper.ip))]);
  const velocity = await app.velocity.count({
    merchantId: payment.merchantId, confirmation: `${payment.id}:${payment.version}`, fingerprint: method.fingerprint, customerId: payment.customerId, emailKey, ipKey,
  });
  if (!velocity) riskVelocityUnavailable.inc();
  const counted = performance.now();
  const lastError = payment.lastPaymentError as { declineCode?: string | null } | null;
  const risk = evaluateRules({
    amountMinor: payment.amount, currency: payment.currency, minorPerMajor: 10n ** BigInt(currencyExponent(payment.currency) ?? 2),
    card: { bin: method.bin, last4: method.last4, country: method.country }, shopperCountry: shopper?.country ?? null,
    velocity, retryAfterInsufficientFunds: lastError?.declineCode === "insufficient_funds", testCards: app.config.env !== "production",
  });
  // The scoring's own time, without the Redis round trip (measured apart: the bench reads both).
  riskScoringSeconds.observe({ part: "rules" }, (performance.now() - counted) / 1000);
  riskScoringSeconds.observe({ part: "velocity" }, (counted - started) / 1000);
  riskOutcomes.inc({ outcome: risk.outcome });
  return risk;
}
