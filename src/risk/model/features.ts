// The model's features: numbers computed from a confirmation's facts, the same function for the
// live risk step and for training (simulator.ts), so the model sees in production exactly what it
// learned from. Counts enter as log2 (1 card is 0, 2 is 1, 4 is 2…); amounts as log2 of a ratio,
// so currencies compare through the merchant's large-amount threshold and the card's own habits.
// These are features, not money: the amounts become ratios in integers (amountRatio), and only
// the ratios are floats; nothing is charged from them.
import { amountRatio, amountRatioText } from "../../platform/money.js";
import { VELOCITY_WORDS, countryMismatch, money, usualAmount, type RiskFacts } from "../facts.js";

export const FEATURES = [
  "amount_vs_large", "amount_vs_usual", "new_card", "card_attempts", "cards_per_customer", "cards_per_email", "cards_per_ip", "country_mismatch",
] as const;
export type Feature = (typeof FEATURES)[number];

const clip = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));
const log2Count = (n: number | undefined): number => (n && n > 1 ? Math.log2(n) : 0);

/** The amount over the card's usual amount here; 0 when the card has no history. */
export function amountVsUsual(f: RiskFacts): number {
  const usual = usualAmount(f);
  return usual && usual > 0n ? amountRatio(f.amountMinor, usual) : 0;
}

export function featureVector(f: RiskFacts): number[] {
  const v = f.velocity;
  const ratio = amountVsUsual(f);
  const values: Record<Feature, number> = {
    amount_vs_large: clip(Math.log2(amountRatio(f.amountMinor, f.largeAmountMinor)), -10, 3),
    amount_vs_usual: ratio > 0 ? clip(Math.log2(ratio), -4, 6) : 0,
    new_card: v && v.cardPayments === 0 ? 1 : 0,
    // An honest retry after "insufficient funds" is the same card again: not a sign by itself.
    card_attempts: f.retryAfterInsufficientFunds ? 0 : log2Count(v?.cardAttempts),
    cards_per_customer: log2Count(v?.cardsPerCustomer),
    cards_per_email: log2Count(v?.cardsPerEmail),
    cards_per_ip: log2Count(v?.cardsPerIp),
    country_mismatch: countryMismatch(f) ? 1 : 0,
  };
  return FEATURES.map((name) => values[name]);
}

/** A feature's part in a score, in words a merchant understands. */
export function featureWords(name: Feature, f: RiskFacts): string {
  const v = f.velocity;
  switch (name) {
    case "amount_vs_large": return `An amount of ${money(f.amountMinor, f.currency)}, high for this merchant`;
    case "amount_vs_usual": {
      const usual = usualAmount(f);
      return `${usual && usual > 0n ? amountRatioText(f.amountMinor, usual) : "0.0"}× this card's usual amount here`;
    }
    case "new_card": return "A card never used here before";
    case "card_attempts": return VELOCITY_WORDS.cardAttempts(v?.cardAttempts ?? 1);
    case "cards_per_customer": return VELOCITY_WORDS.cardsPerCustomer(v?.cardsPerCustomer ?? 0);
    case "cards_per_email": return VELOCITY_WORDS.cardsPerEmail(v?.cardsPerEmail ?? 0);
    case "cards_per_ip": return VELOCITY_WORDS.cardsPerIp(v?.cardsPerIp ?? 0);
    case "country_mismatch": return `A card issued in ${f.card.country} used by a shopper in ${f.shopper.country}`;
  }
}
