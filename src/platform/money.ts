// The one money type: integer minor units (bigint) and an ISO 4217 currency whose exponent comes
// from the ISO table (JPY 0, USD 2, KWD 3). Amounts enter and leave the API as decimal strings
// that respect the exponent; nothing here ever touches a float.
import currencyCodes from "currency-codes";
import { badInput } from "./errors.js";

/** Precious metals, testing and fund codes: in ISO 4217, but not something a card is charged in. */
const NOT_CHARGEABLE = new Set([
  "XAU", "XAG", "XPD", "XPT", "XDR", "XSU", "XUA", "XBA", "XBB", "XBC", "XBD", "XTS", "XXX",
  "BOV", "CHE", "CHW", "CLF", "COU", "MXV", "USN", "UYI", "UYW",
]);

/** Largest amount accepted in minor units: 12 digits, the common ceiling of card networks' amount fields. */
export const MAX_MINOR_UNITS = 999_999_999_999n;

/** The number of decimals of a chargeable currency, or undefined for an unknown code. */
export function currencyExponent(code: string): number | undefined {
  if (!/^[A-Z]{3}$/.test(code) || NOT_CHARGEABLE.has(code)) return undefined;
  return currencyCodes.code(code)?.digits;
}

/** "012.50" → "12.5", "3.0" → "3": one spelling per value, for comparing requests. Input that is not a plain decimal is returned as is. */
export function canonicalDecimal(amount: string): string {
  const match = /^(\d+)(?:\.(\d*))?$/.exec(amount.trim());
  if (!match) return amount;
  const whole = (match[1] ?? "").replace(/^0+(?=\d)/, "");
  const fraction = (match[2] ?? "").replace(/0+$/, "");
  return fraction ? `${whole}.${fraction}` : whole;
}

/**
 * How many times `b` goes into `a` (two amounts of one currency, in minor units): a dimensionless
 * number for scores and words ("12.0× the usual amount"), never an amount. The amounts stay
 * integers: only their quotient, divided in integers to 2^-64, becomes a number.
 */
export function amountRatio(a: bigint, b: bigint): number {
  if (b <= 0n) throw new RangeError("amountRatio: the divisor must be positive");
  return Number((a << 64n) / b) / 2 ** 64;
}

/** a / b written with one decimal ("30.0"), rounded half up in integers: a ratio in words, no float. */
export function amountRatioText(a: bigint, b: bigint): string {
  if (b <= 0n) throw new RangeError("amountRatioText: the divisor must be positive");
  const tenths = (a * 10n * 2n + b) / (2n * b);
  return `${tenths / 10n}.${tenths % 10n}`;
}

export class Money {
  private constructor(
    readonly minor: bigint,
    readonly currency: string,
  ) {}

  static of(minor: bigint, currency: string): Money {
    if (currencyExponent(currency) === undefined) throw badInput(`Unknown currency '${currency}'`, "currency");
    return new Money(minor, currency);
  }

  static zero(currency: string): Money {
    return Money.of(0n, currency);
  }

  /**
   * Parses a decimal string such as "12.500" (KWD) or "1000" (JPY). Refuses (never rounds) more
   * decimals than the currency has, signs, exponents, and anything but plain digits.
   */
  static parse(amount: string, currency: string, field = "amount"): Money {
    const code = currency.trim().toUpperCase();
    const exponent = currencyExponent(code);
    if (exponent === undefined) throw badInput(`Unknown currency '${currency}': use an ISO 4217 code such as USD`, "currency");
    const match = /^(\d{1,15})(?:\.(\d+))?$/.exec(amount.trim());
    if (!match) throw badInput(`Amount '${amount}' is not a decimal number such as "12.50"`, field);
    const [, whole, fraction = ""] = match;
    if (fraction.length > exponent) {
      throw badInput(`Amount '${amount}' has ${fraction.length} decimals; ${code} has ${exponent}`, field);
    }
    const minor = BigInt(whole + fraction.padEnd(exponent, "0"));
    if (minor > MAX_MINOR_UNITS) throw badInput(`Amount '${amount}' exceeds the maximum of ${new Money(MAX_MINOR_UNITS, code).format()} ${code}`, field);
    return new Money(minor, code);
  }

  /** Parses a positive amount: zero and negative amounts are input errors. */
  static parsePositive(amount: string, currency: string, field = "amount"): Money {
    if (amount.trim().startsWith("-")) throw badInput(`Amount '${amount}' must be positive`, field);
    const money = Money.parse(amount, currency, field);
    if (money.minor <= 0n) throw badInput(`Amount '${amount}' must be greater than zero`, field);
    return money;
  }

  get exponent(): number {
    return currencyExponent(this.currency) ?? 0;
  }

  /** The decimal string with exactly the currency's decimals: 12500n KWD → "12.500". */
  format(): string {
    const negative = this.minor < 0n;
    const digits = (negative ? -this.minor : this.minor).toString().padStart(this.exponent + 1, "0");
    const whole = digits.slice(0, digits.length - this.exponent);
    const fraction = digits.slice(digits.length - this.exponent);
    return `${negative ? "-" : ""}${whole}${this.exponent > 0 ? `.${fraction}` : ""}`;
  }
}
