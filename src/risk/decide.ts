// The risk step's decision, pure: from a confirmation's facts, the merchant's settings and lists,
// and the model, the score, the outcome and why. In this order (README "Fraud and risk"):
//  1. a sandbox test card (outside production) decides alone;
//  2. the merchant's allow list (card, email, IP address, customer) allows; then its block list blocks;
//  3. otherwise the score: the larger of the model's and the built-in rules' (their points, summed);
//     a sandbox-documented card outside production is scored by the rules only (facts.ts);
//  4. the merchant's ACTIVE rules, by action — ALLOW, then BLOCK, then REVIEW, then REQUEST_3DS —
//     and within an action in the merchant's order: the first that matches decides;
//  5. no rule matched: the merchant's thresholds on the score.
// SHADOW rules are evaluated too (except for test cards) and recorded as `shadowMatches`, never acted on.
import type { RiskFacts } from "./facts.js";
import { ruleMatches, type RuleVariables } from "./language.js";
import { amountVsUsual } from "./model/features.js";
import { scoreWithModel, type RiskModel } from "./model/score.js";
import type { LoadedRiskSettings, RiskThresholds } from "./risk-settings.js";
import { builtInRules, levelOf, testCardOf, type RiskLevel, type RiskOutcome, type RiskReason } from "./rules.js";

export interface Listed {
  list: "ALLOW" | "BLOCK";
  subject: "CARD" | "EMAIL" | "IP" | "CUSTOMER";
  label: string;
}

export interface Risk {
  score: number;
  level: RiskLevel;
  outcome: RiskOutcome;
  reasons: RiskReason[];
  /** What decided the outcome: `test_card`, `allow_list`, `block_list`, `merchant_rule:<name>` or `score`. */
  decidedBy: string;
  /** The merchant's SHADOW rules that matched: what they would have done. */
  shadowMatches: { rule: string; action: RiskOutcome }[];
  /** The model that scored it; null when the model did not score it (a sandbox card outside production). */
  modelVersion: string | null;
  /** The model's inputs, by name (kept for reportFraud's training examples; not shown by the API). */
  features?: Record<string, number>;
}

const ACTION_ORDER: RiskOutcome[] = ["ALLOW", "BLOCK", "REVIEW", "REQUEST_3DS"];

export function outcomeOf(score: number, t: RiskThresholds): RiskOutcome {
  if (t.block !== null && score >= t.block) return "BLOCK";
  if (t.review !== null && score >= t.review) return "REVIEW";
  if (t.requestThreeDSecure !== null && score >= t.requestThreeDSecure) return "REQUEST_3DS";
  return "ALLOW";
}

function variables(f: RiskFacts, score: number): RuleVariables {
  const v = f.velocity;
  return {
    amount: f.amountMinor, currency: f.currency, card_country: f.card.country ?? "", card_brand: f.card.brand, card_bin: f.card.bin ?? "",
    shopper_country: f.shopper.country ?? "", shopper_email_domain: f.shopper.emailDomain ?? "",
    card_attempts_10m: BigInt(v?.cardAttempts ?? 1), cards_per_customer_10m: BigInt(v?.cardsPerCustomer ?? 0),
    cards_per_email_10m: BigInt(v?.cardsPerEmail ?? 0), cards_per_ip_10m: BigInt(v?.cardsPerIp ?? 0),
    amount_vs_usual: amountVsUsual(f), risk_score: BigInt(score), risk_level: levelOf(score),
    is_retry_after_insufficient_funds: f.retryAfterInsufficientFunds, has_customer: f.hasCustomer,
  };
}

const SUBJECT_WORDS = { CARD: "card", EMAIL: "email", IP: "IP address", CUSTOMER: "customer" } as const;

export function decide(f: RiskFacts, settings: LoadedRiskSettings, listed: readonly Listed[], model: RiskModel): Risk {
  const test = testCardOf(f);
  if (test) {
    return {
      score: test.score, level: levelOf(test.score), outcome: test.outcome, decidedBy: "test_card", shadowMatches: [], modelVersion: null,
      reasons: [{ code: "test_card", message: test.message, source: "rule:test_card", points: test.score }],
    };
  }
  const rules = builtInRules(f);
  const scored = f.sandboxCard ? null : scoreWithModel(model, f);
  const score = Math.max(scored?.score ?? 0, Math.min(100, rules.reduce((sum, r) => sum + r.points, 0)));
  const reasons = [...rules, ...(scored?.reasons ?? [])];
  const base = { score, level: levelOf(score), modelVersion: scored ? model.version : null, ...(scored ? { features: scored.features } : {}) };
  const vars = variables(f, score);
  const shadowMatches = settings.rules.flatMap((r, i) => (r.mode === "SHADOW" && ruleMatches(settings.compiled[i]!, vars) ? [{ rule: r.name, action: r.action }] : []));

  for (const list of ["ALLOW", "BLOCK"] as const) {
    const hit = listed.find((l) => l.list === list);
    if (!hit) continue;
    const code = list === "ALLOW" ? "allow_list" : "block_list";
    const words = `The ${SUBJECT_WORDS[hit.subject]} is on the merchant's ${list.toLowerCase()} list (${hit.label})`;
    return { ...base, outcome: list, decidedBy: code, shadowMatches, reasons: [{ code, message: words, source: `list:${list.toLowerCase()}`, points: 0 }, ...reasons] };
  }
  for (const action of ACTION_ORDER) {
    const i = settings.rules.findIndex((r, j) => r.mode === "ACTIVE" && r.action === action && ruleMatches(settings.compiled[j]!, vars));
    if (i < 0) continue;
    const rule = settings.rules[i]!;
    const reason = { code: "merchant_rule", message: rule.message ?? `Merchant rule '${rule.name}'`, source: `merchant_rule:${rule.name}`, points: 0 };
    return { ...base, outcome: action, decidedBy: `merchant_rule:${rule.name}`, shadowMatches, reasons: [reason, ...reasons] };
  }
  return { ...base, outcome: outcomeOf(score, settings.thresholds), decidedBy: "score", shadowMatches, reasons };
}
