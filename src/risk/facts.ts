// What the risk step knows of a confirmation (gathered by assess.ts, or made up by the training
// simulator), and the words each signal is told in. The built-in rules (rules.ts), the model
// (model/score.ts) and merchants' rules (language.ts) all read these same facts.
import { Money, currencyExponent } from "../platform/money.js";
import type { VelocityCounts } from "./velocity.js";

export interface RiskFacts {
  amountMinor: bigint;
  currency: string;
  /** The merchant's large-amount threshold for this currency, in its minor units (largeAmountFor). */
  largeAmountMinor: bigint;
  card: { bin: string | null; last4: string; country: string | null; brand: string };
  hasCustomer: boolean;
  shopper: { country: string | null; emailDomain: string | null };
  /** Undefined when the counters could not be read. */
  velocity: VelocityCounts | undefined;
  /** This payment's previous try was declined for insufficient funds: a retry (this card again, or another), not a risk by itself. */
  retryAfterInsufficientFunds: boolean;
  /** Sandbox test cards act on their own (see README): never outside test and development. */
  testCards: boolean;
  /**
   * A card number the sandbox documents (4242…, its decline, international and 3-D Secure cards),
   * outside production: scored by the rules only, not the model (src/gateways/sandbox/cards.ts says why).
   */
  sandboxCard?: boolean;
}

/**
 * Large for a merchant that set nothing, in major units of each currency (about 5,000 US dollars,
 * rounded to a figure a person would write); other currencies: 5,000 major units. The merchant's
 * own thresholds (setRiskRules' largeAmounts) come first.
 */
const DEFAULT_LARGE_AMOUNT: Record<string, bigint> = {
  USD: 5_000n, EUR: 5_000n, GBP: 4_000n, CHF: 5_000n, CAD: 7_000n, AUD: 7_500n, NZD: 8_000n, SGD: 7_000n, HKD: 40_000n,
  JPY: 750_000n, KRW: 7_000_000n, CNY: 35_000n, INR: 400_000n, BRL: 25_000n, MXN: 90_000n, ZAR: 90_000n,
  SEK: 50_000n, NOK: 50_000n, DKK: 35_000n, PLN: 20_000n, CZK: 110_000n, HUF: 1_800_000n, KWD: 1_500n, BHD: 2_000n,
};

export function largeAmountFor(currency: string, merchant: readonly { currency: string; amountMinor: bigint }[] = []): bigint {
  const own = merchant.find((m) => m.currency === currency);
  if (own) return own.amountMinor;
  return (DEFAULT_LARGE_AMOUNT[currency] ?? 5_000n) * 10n ** BigInt(currencyExponent(currency) ?? 2);
}

export const money = (minor: bigint, currency: string): string => `${Money.of(minor, currency).format()} ${currency}`;

/** The counters' words, shared by the rules that fire on them and the model's explanations. */
export const VELOCITY_WORDS = {
  cardAttempts: (n: number) => `${n} attempts with this card in 10 minutes`,
  cardsPerCustomer: (n: number) => `${n} cards tried on this customer in 10 minutes`,
  cardsPerEmail: (n: number) => `${n} cards tried with this email in 10 minutes`,
  cardsPerIp: (n: number) => `${n} cards tried from this shopper's IP address in 10 minutes`,
} as const;

export const countryMismatch = (f: RiskFacts): boolean => !!f.card.country && !!f.shopper.country && f.card.country !== f.shopper.country;

/** The card's usual amount here (its earlier payments in this currency), or null when it is new. */
export const usualAmount = (f: RiskFacts): bigint | null => {
  const v = f.velocity;
  return v && v.cardPayments > 0 ? v.cardAmountSum / BigInt(v.cardPayments) : null;
};
