// The risk step of a confirmation, run in the api inside confirmPayment before the payment is
// routed. Two reads at once — the velocity counters, read and bumped in one Redis script call, and
// the merchant's risk settings with any list entry naming this card, email, IP or customer, in one
// SQL statement — then the decision, in process (decide.ts). Its answer is stored on the payment
// (`Payment.risk`) and decides what the confirmation does: ALLOW goes on, REQUEST_3DS authenticates
// the card before authorizing (src/payments/three-d-secure), REVIEW holds the payment for a person,
// BLOCK charges nothing (the payment goes back to REQUIRES_PAYMENT_METHOD with `blocked_by_risk`).
import type { App } from "../app/app.js";
import type { Sql } from "../platform/db.js";
import { isDocumentedTestCard } from "../gateways/sandbox/cards.js";
import { Prisma, type Payment, type PaymentMethod } from "../generated/prisma/client.js";
import { riskOutcomes, riskScoringSeconds, riskVelocityUnavailable } from "./risk-metrics.js";
import { decide, type Listed } from "./decide.js";
import { largeAmountFor } from "./facts.js";
import { RISK_MODEL } from "./model/risk-model.js";
import { settingsFromRow } from "./risk-settings.js";
import { shopperSubjects, type StoredRisk } from "./risk-lists.js";
import type { Shopper } from "./shopper.js";

export const BLOCKED_BY_RISK = "blocked_by_risk";

interface SettingsAndLists { settings: { version: number; settings: unknown } | null; listed: Listed[] }

/** The merchant's settings and the list entries naming any subject of this confirmation: one round trip. */
function readSettingsAndLists(sql: Sql, merchantId: string, subjects: [Listed["subject"], string | null][]): Promise<SettingsAndLists[]> {
  const named = subjects.filter((s): s is [Listed["subject"], string] => s[1] !== null)
    .map(([subject, value]) => Prisma.sql`(e.subject = ${Prisma.raw(`'${subject}'`)} AND e.value = ${value})`);
  return sql.rows<SettingsAndLists>(Prisma.sql`
    SELECT (SELECT json_build_object('version', s.version, 'settings', s.settings) FROM risk_settings s WHERE s.merchant_id = ${merchantId}) AS settings,
           COALESCE((SELECT json_agg(json_build_object('list', e.list, 'subject', e.subject, 'label', e.label) ORDER BY e.list DESC)
                     FROM risk_list_entry e WHERE e.merchant_id = ${merchantId} AND (${Prisma.join(named, " OR ")})), '[]') AS listed`);
}

/** `sql`: where the confirmation reads (its transaction's connection when it has one: see sqlIn). */
export async function assessRisk(app: Pick<App, "config" | "velocity" | "vault">, sql: Sql, payment: Payment, method: PaymentMethod, shopper: Shopper | null): Promise<StoredRisk> {
  const started = performance.now();
  // Emails and addresses reach Redis and the lists only as the vault's keyed digests (per merchant, not reversible).
  const subjects = await shopperSubjects(app.vault, payment.merchantId, shopper);
  const [velocity, [row]] = await Promise.all([
    app.velocity.count({
      merchantId: payment.merchantId, confirmation: `${payment.id}:${payment.version}`, fingerprint: method.fingerprint, currency: payment.currency, amountMinor: payment.amount,
      customerId: payment.customerId, emailKey: subjects.email?.key, ipKey: subjects.ip?.key,
    }),
    readSettingsAndLists(sql, payment.merchantId, [["CARD", method.fingerprint], ["EMAIL", subjects.email?.key ?? null], ["IP", subjects.ip?.key ?? null], ["CUSTOMER", payment.customerId]]),
  ]);
  if (!velocity) riskVelocityUnavailable.inc();
  const read = performance.now();
  const settings = settingsFromRow(row!.settings);
  const lastError = payment.lastPaymentError as { declineCode?: string | null } | null;
  const sandbox = app.config.env !== "production";
  const risk = decide({
    amountMinor: payment.amount, currency: payment.currency, largeAmountMinor: largeAmountFor(payment.currency, settings.largeAmounts),
    card: { bin: method.bin, last4: method.last4, country: method.country, brand: method.brand }, hasCustomer: payment.customerId !== null,
    shopper: { country: shopper?.country ?? null, emailDomain: shopper?.email?.split("@")[1] ?? null },
    velocity, retryAfterInsufficientFunds: lastError?.declineCode === "insufficient_funds",
    testCards: sandbox, sandboxCard: sandbox && isDocumentedTestCard(method.bin, method.last4),
  }, settings, row!.listed, RISK_MODEL);
  // The decision's own time (built-in rules, the model, lists, the merchant's rules), and apart
  // from it the two reads (Redis and PostgreSQL at once): the bench reads both.
  riskScoringSeconds.observe({ part: "decide" }, (performance.now() - read) / 1000);
  riskScoringSeconds.observe({ part: "lookup" }, (read - started) / 1000);
  riskOutcomes.inc({ outcome: risk.outcome });
  return subjects.email || subjects.ip ? { ...risk, subjects } : risk;
}

/** A payment's risk as the API and its events show it: without the model's inputs and the shopper's digests. */
export function riskView(stored: unknown): Omit<StoredRisk, "features" | "subjects"> | null {
  if (!stored) return null;
  const { features: _features, subjects: _subjects, ...shown } = stored as StoredRisk;
  // Assessments stored before rules and lists existed have neither field.
  return { ...shown, shadowMatches: shown.shadowMatches ?? [], decidedBy: shown.decidedBy ?? "score" };
}
