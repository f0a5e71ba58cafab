// Stripe-style test cards: the sandbox decides an authorization purely from the card, so tests
// (and the worker's end-to-end runs) can provoke every outcome deterministically. No I/O here;
// the clock is an argument so expiry checks are testable.
import { THREE_DS_CARDS } from "./three-ds.js";

export const TEST_CARDS = {
  approve: "4242424242424242",
  hardDecline: "4000000000000002",
  softDecline: "4000000000009995",
  processingError: "4000000000000119",
  threeDSecure: "4000000000003220",
  /** A German card whose issuer declines "authentication_required" (an SCA soft decline) until 3-D Secure is done. */
  authenticationRequired: "4000002760003184",
} as const;

/**
 * Cards issued outside the US, numbered like Stripe's international test cards (digits 7 to 9 are
 * the ISO 3166-1 numeric code of the country), so routing rules by card country are testable.
 * The sandbox approves them all; src/vault/bin-country.ts knows their countries.
 */
export const INTERNATIONAL_TEST_CARDS = {
  BR: "4000000760000002",
  CA: "4000001240000000",
  MX: "4000004840008001",
  GB: "4000008260000000",
  DE: "4000002760000016",
  FR: "4000002500000003",
  ES: "4000007240000007",
  IT: "4000003800000008",
  NL: "4000005280000002",
  IE: "4000003720000005",
  JP: "4000003920000003",
  AU: "4000000360000006",
  /** A Mastercard (debit) from the United Kingdom. */
  GB_MASTERCARD: "5555558265554449",
  /** A JCB card from Japan. */
  JP_JCB: "3530111333300000",
} as const;

/**
 * Is this one of the card numbers the sandbox documents (README: its behaviour, international and
 * 3-D Secure cards), by its first six and last four digits? (The risk step's own outcome cards,
 * src/risk/rules.ts, decide alone before any scoring.)
 * Outside production the risk step scores these with its rules only, not the model — as Stripe's
 * test cards carry a normal risk level — so a test suite's thousands of payments on 4242… in
 * minutes are not read as card testing. Any other number is scored like a real card.
 */
export function isDocumentedTestCard(bin: string | null, last4: string): boolean {
  return bin !== null && DOCUMENTED.has(`${bin}:${last4}`);
}

const DOCUMENTED = new Set([...Object.values(TEST_CARDS), ...Object.values(INTERNATIONAL_TEST_CARDS), ...Object.keys(THREE_DS_CARDS)]
  .map((n) => `${n.slice(0, 6)}:${n.slice(-4)}`));

export type CardDecision =
  | { kind: "approve" }
  | { kind: "requires_action" }
  | { kind: "decline"; code: string; declineCode: string; message: string }
  /** Transient: nothing was charged, so the result must not be stored under the idempotency key. */
  | { kind: "processing_error"; message: string };

export interface CardFacts {
  number: string;
  expMonth: number;
  expYear: number;
}

/** Luhn checksum: distinguishes a mistyped number (hard decline) from an unknown test card (approve). */
export function luhnValid(number: string): boolean {
  if (!/^\d{12,19}$/.test(number)) return false;
  let sum = 0;
  let double = false;
  for (let i = number.length - 1; i >= 0; i--) {
    let digit = number.charCodeAt(i) - 48;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return sum % 10 === 0;
}

/** `digits` with the check digit that makes it pass luhnValid: how tests and benches make fresh card numbers. */
export function withLuhnDigit(digits: string): string {
  for (let d = 0; d <= 9; d++) if (luhnValid(`${digits}${d}`)) return `${digits}${d}`;
  throw new RangeError(`withLuhnDigit: '${digits}' is not 11 to 18 digits`);
}

/** A card is usable through the last day of its expiry month (UTC, like most processors). */
export function isExpired(expMonth: number, expYear: number, now: Date): boolean {
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth() + 1;
  return expYear < year || (expYear === year && expMonth < month);
}

const decline = (code: string, declineCode: string, message: string): CardDecision => ({
  kind: "decline",
  code,
  declineCode,
  message,
});

export function decideCard(card: CardFacts, now: Date): CardDecision {
  // Checks in the order a real processor applies them: number, expiry, then issuer decision.
  if (!luhnValid(card.number)) {
    return decline("incorrect_number", "incorrect_number", "Your card number is incorrect.");
  }
  if (isExpired(card.expMonth, card.expYear, now)) {
    return decline("expired_card", "expired_card", "Your card has expired.");
  }
  switch (card.number) {
    case TEST_CARDS.hardDecline:
      return decline("card_declined", "generic_decline", "Your card was declined.");
    case TEST_CARDS.softDecline:
      return decline("card_declined", "insufficient_funds", "Your card has insufficient funds.");
    case TEST_CARDS.processingError:
      return {
        kind: "processing_error",
        message: "An error occurred while processing your card. Try again in a little bit.",
      };
    case TEST_CARDS.threeDSecure:
      return { kind: "requires_action" };
    case TEST_CARDS.authenticationRequired:
      return decline("card_declined", "authentication_required", "The issuer requires 3-D Secure authentication for this payment.");
    default:
      // Like Stripe: every other well-formed test number simply succeeds.
      return { kind: "approve" };
  }
}
