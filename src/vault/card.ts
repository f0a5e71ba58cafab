// Card input checks (Luhn, brand, expiry, CVC) with Braintree's card-validator. The PAN stays a
// local variable: it is never put into an error, a log line or anything returned.
import cardValidator from "card-validator";
import { badInput } from "../platform/errors.js";
import { binCountry } from "./bin-country.js";

export interface CardInput {
  number: string;
  expMonth: number;
  expYear: number;
  cvc?: string | null;
}

export interface ValidCard {
  number: string;
  brand: string;
  last4: string;
  /** First 6 digits: with last4, what PCI DSS lets be kept in clear. */
  bin: string;
  /** Issuing country (ISO 3166-1 alpha-2) from the card's prefix, or null when unknown. */
  country: string | null;
  expMonth: number;
  expYear: number;
  cvc: string | undefined;
}

export function validateCard(input: CardInput, now = new Date()): ValidCard {
  const number = input.number.replace(/[\s-]/g, "");
  if (!/^\d{12,19}$/.test(number)) throw badInput("Card number must be 12 to 19 digits", "card.number");
  const check = cardValidator.number(number);
  if (!check.isValid) throw badInput("Card number is invalid (failed the Luhn check or unknown length)", "card.number");
  if (!Number.isInteger(input.expMonth) || input.expMonth < 1 || input.expMonth > 12) {
    throw badInput("Card expiry month must be 1 to 12", "card.expMonth");
  }
  if (!Number.isInteger(input.expYear) || input.expYear < 2000 || input.expYear > 2100) {
    throw badInput("Card expiry year must be a four-digit year", "card.expYear");
  }
  // A card is valid through the last day of its expiry month.
  const expired = input.expYear < now.getUTCFullYear() || (input.expYear === now.getUTCFullYear() && input.expMonth < now.getUTCMonth() + 1);
  if (expired) throw badInput(`Card expired in ${String(input.expMonth).padStart(2, "0")}/${input.expYear}`, "card.expMonth");
  const cvc = input.cvc ?? undefined;
  const cvcLength = check.card?.code.size ?? 3;
  if (cvc !== undefined && !(new RegExp(`^\\d{${cvcLength}}$`).test(cvc))) {
    throw badInput(`Card security code must be ${cvcLength} digits`, "card.cvc");
  }
  return { number, brand: check.card?.type ?? "unknown", last4: number.slice(-4), bin: number.slice(0, 6), country: binCountry(number), expMonth: input.expMonth, expYear: input.expYear, cvc };
}
