// Display formats. Amounts stay decimal strings end to end: Intl formats the string itself
// (NumberFormat v3 takes a decimal string exactly), so no float ever touches money.
import type { Money } from "../api/types.js";

const moneyFormats = new Map<string, Intl.NumberFormat>();

export function formatMoney(money: Money | { amount: string; currency?: string }, currency = (money as Money).currency): string {
  const decimals = money.amount.split(".")[1]?.length ?? 0;
  const key = `${currency}:${decimals}`;
  let format = moneyFormats.get(key);
  if (!format) {
    try {
      format = new Intl.NumberFormat(undefined, { style: "currency", currency, minimumFractionDigits: decimals, maximumFractionDigits: decimals });
    } catch {
      return `${money.amount} ${currency}`; // a code Intl does not know
    }
    moneyFormats.set(key, format);
  }
  return format.format(money.amount as Intl.StringNumericLiteral);
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });

export const formatDateTime = (iso: string): string => dateTime.format(new Date(iso));

/** REQUIRES_PAYMENT_METHOD → "Requires payment method". */
export const humanize = (value: string): string => {
  const words = value.replace(/[_.]+/g, " ").toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
};
