// The built-in rules, as data, and their pure evaluation: each rule that fires adds points and a
// reason in words a merchant understands (their sum, capped at 100, is the rules' score). The
// sandbox's test cards are here too. What decides the outcome, in which order, is decide.ts.
import { VELOCITY_WORDS, countryMismatch, money, type RiskFacts } from "./facts.js";
import type { VelocityCounts } from "./velocity.js";

export type RiskOutcome = "ALLOW" | "REVIEW" | "BLOCK" | "REQUEST_3DS";
export type RiskLevel = "NORMAL" | "ELEVATED" | "HIGHEST";

export interface RiskReason {
  code: string;
  message: string;
  /** Where it comes from: `rule:<name>`, `merchant_rule:<name>`, `list:<allow|block>`, `model:<feature>`. */
  source: string;
  points: number;
}

/** Sandbox cards whose outcome is fixed, by first six and last four digits (README "Fraud and risk"). */
export const TEST_CARDS: Record<string, { outcome: RiskOutcome; score: number; message: string }> = {
  "410000:0019": { outcome: "BLOCK", score: 100, message: "Sandbox test card 4100 0000 0000 0019 is always blocked" },
  "400000:3238": { outcome: "REQUEST_3DS", score: 60, message: "Sandbox test card 4000 0000 0000 3238 always asks for 3-D Secure" },
  "400000:9235": { outcome: "REVIEW", score: 72, message: "Sandbox test card 4000 0000 0000 9235 is always held for review (elevated risk)" },
};

export const testCardOf = (f: RiskFacts) => (f.testCards && f.card.bin ? TEST_CARDS[`${f.card.bin}:${f.card.last4}`] : undefined);

const VELOCITY_RULES: { name: string; count: "cardAttempts" | "cardsPerCustomer" | "cardsPerEmail" | "cardsPerIp"; at: number; points: number }[] = [
  { name: "card_attempts", count: "cardAttempts", at: 6, points: 45 },
  { name: "cards_per_customer", count: "cardsPerCustomer", at: 4, points: 55 },
  { name: "cards_per_email", count: "cardsPerEmail", at: 4, points: 55 },
  { name: "cards_per_ip", count: "cardsPerIp", at: 5, points: 50 },
];

export function levelOf(score: number): RiskLevel {
  return score >= 75 ? "HIGHEST" : score >= 50 ? "ELEVATED" : "NORMAL";
}

/** The built-in rules that fire, each with its points. */
export function builtInRules(f: RiskFacts): RiskReason[] {
  const reasons: RiskReason[] = [];
  for (const rule of VELOCITY_RULES) {
    const n = (f.velocity as VelocityCounts | undefined)?.[rule.count];
    // An honest retry after "insufficient funds" is the same card again: not a sign by itself.
    if (rule.name === "card_attempts" && f.retryAfterInsufficientFunds) continue;
    if (n !== undefined && n >= rule.at) reasons.push({ code: rule.name, message: VELOCITY_WORDS[rule.count](n), source: `rule:${rule.name}`, points: rule.points });
  }
  if (f.amountMinor >= f.largeAmountMinor) {
    reasons.push({ code: "large_amount", message: `An amount of ${money(f.largeAmountMinor, f.currency)} or more`, source: "rule:large_amount", points: 20 });
  }
  if (countryMismatch(f)) {
    reasons.push({ code: "country_mismatch", message: `A card issued in ${f.card.country} used by a shopper in ${f.shopper.country}`, source: "rule:country_mismatch", points: 30 });
  }
  return reasons;
}
