// The risk rules, as data, and their pure evaluation: each rule that fires adds points and a reason
// in words a merchant understands. The score is the sum, capped at 100; the outcome follows from
// the thresholds. (The trained model and merchants' own rules join here in later slices of issue 12.)
import type { VelocityCounts } from "./velocity.js";

export type RiskOutcome = "ALLOW" | "REVIEW" | "BLOCK" | "REQUEST_3DS";
export type RiskLevel = "NORMAL" | "ELEVATED" | "HIGHEST";

export interface RiskReason {
  code: string;
  message: string;
  /** Where it comes from: `rule:<name>` (or `model:<feature>` once the model scores). */
  source: string;
  points: number;
}

export interface Risk {
  score: number;
  level: RiskLevel;
  outcome: RiskOutcome;
  reasons: RiskReason[];
  /** The model that scored it; null while only the rules score. */
  modelVersion: string | null;
}

export interface RiskFacts {
  amountMinor: bigint;
  currency: string;
  /** 10^exponent of the currency: amounts compare in major units. */
  minorPerMajor: bigint;
  card: { bin: string | null; last4: string; country: string | null };
  shopperCountry: string | null;
  /** Undefined when the counters could not be read. */
  velocity: VelocityCounts | undefined;
  /** The card's previous attempt on this payment was declined for insufficient funds: a retry, not a risk. */
  retryAfterInsufficientFunds: boolean;
  /** Sandbox test cards act on their own (see README): never outside test and development. */
  testCards: boolean;
}

/** Outcome thresholds on the score (per-merchant thresholds come with the merchants' rules). */
export const THRESHOLDS = { requestThreeDSecure: 50, review: 70, block: 85 } as const;

/** Sandbox cards whose outcome is fixed, by first six and last four digits (README "Fraud and risk"). */
const TEST_CARDS: Record<string, { outcome: RiskOutcome; score: number; message: string }> = {
  "410000:0019": { outcome: "BLOCK", score: 100, message: "Sandbox test card 4100 0000 0000 0019 is always blocked" },
  "400000:3238": { outcome: "REQUEST_3DS", score: 60, message: "Sandbox test card 4000 0000 0000 3238 always asks for 3-D Secure" },
  "400000:9235": { outcome: "REVIEW", score: 75, message: "Sandbox test card 4000 0000 0000 9235 is always held for review (elevated risk)" },
};

const VELOCITY_RULES: { name: string; count: keyof VelocityCounts; at: number; points: number; words: (n: number) => string }[] = [
  { name: "card_attempts", count: "cardAttempts", at: 6, points: 45, words: (n) => `${n} attempts with this card in 10 minutes` },
  { name: "cards_per_customer", count: "cardsPerCustomer", at: 4, points: 55, words: (n) => `${n} cards tried on this customer in 10 minutes` },
  { name: "cards_per_email", count: "cardsPerEmail", at: 4, points: 55, words: (n) => `${n} cards tried with this email in 10 minutes` },
  { name: "cards_per_ip", count: "cardsPerIp", at: 5, points: 50, words: (n) => `${n} cards tried from this shopper's IP address in 10 minutes` },
];

/** A payment above this many major units of its currency adds points. */
const LARGE_AMOUNT_MAJOR = 5_000n;

export function levelOf(score: number): RiskLevel {
  return score >= 75 ? "HIGHEST" : score >= 50 ? "ELEVATED" : "NORMAL";
}

export function outcomeOf(score: number): RiskOutcome {
  return score >= THRESHOLDS.block ? "BLOCK" : score >= THRESHOLDS.review ? "REVIEW" : score >= THRESHOLDS.requestThreeDSecure ? "REQUEST_3DS" : "ALLOW";
}

export function evaluateRules(f: RiskFacts): Risk {
  const test = f.testCards && f.card.bin ? TEST_CARDS[`${f.card.bin}:${f.card.last4}`] : undefined;
  if (test) {
    return { score: test.score, level: levelOf(test.score), outcome: test.outcome, modelVersion: null, reasons: [{ code: "test_card", message: test.message, source: "rule:test_card", points: test.score }] };
  }
  const reasons: RiskReason[] = [];
  for (const rule of VELOCITY_RULES) {
    const n = f.velocity?.[rule.count];
    // An honest retry after "insufficient funds" is the same card again: not a sign by itself.
    if (rule.name === "card_attempts" && f.retryAfterInsufficientFunds) continue;
    if (n !== undefined && n >= rule.at) reasons.push({ code: rule.name, message: rule.words(n), source: `rule:${rule.name}`, points: rule.points });
  }
  if (f.amountMinor >= LARGE_AMOUNT_MAJOR * f.minorPerMajor) {
    reasons.push({ code: "large_amount", message: `An amount of ${LARGE_AMOUNT_MAJOR} ${f.currency} or more`, source: "rule:large_amount", points: 20 });
  }
  if (f.card.country && f.shopperCountry && f.card.country !== f.shopperCountry) {
    reasons.push({ code: "country_mismatch", message: `A card issued in ${f.card.country} used by a shopper in ${f.shopperCountry}`, source: "rule:country_mismatch", points: 30 });
  }
  const score = Math.min(100, reasons.reduce((sum, r) => sum + r.points, 0));
  return { score, level: levelOf(score), outcome: outcomeOf(score), reasons, modelVersion: null };
}
