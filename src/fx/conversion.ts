// Exact currency conversion. Rates are decimal strings read into bigint rationals; nothing here
// touches a float, and nothing here does I/O.
//
// The rounding rule, in one place:
//   converted = amount (minor units of `from`) × rate × 10^(exponent(to) − exponent(from)),
//   computed exactly as a rational and rounded ONCE, at the target currency's minor unit,
//   half to even (banker's rounding): 0.5 → 0, 1.5 → 2, 2.5 → 2, −2.5 → −2 minor units.
// A rate derived from stored ones (an inverse, a cross through a base currency) is computed
// exactly too, then rounded half to even to DERIVED_RATE_DIGITS fractional digits; that decimal
// is the rate shown, stored and converted with, so what is recorded is what was used.
import { badInput } from "../platform/errors.js";
import { currencyExponent } from "../platform/money.js";

/** The only rounding mode conversions use. */
export const ROUNDING = "HALF_EVEN";

/** Fractional digits of a derived (inverse or cross) rate. */
export const DERIVED_RATE_DIGITS = 12;

/** Limits of a rate's spelling: enough for any real exchange rate, small enough to store (numeric(30,18)). */
export const MAX_RATE_INTEGER_DIGITS = 12;
export const MAX_RATE_FRACTION_DIGITS = 18;

/** An exact positive rational: num / den, den > 0. */
export interface Rational {
  num: bigint;
  den: bigint;
}

const pow10 = (n: number): bigint => 10n ** BigInt(n);

/**
 * Reads a rate: a plain positive decimal such as "0.92" or "151.37", at most 12 integer and 18
 * fractional digits. Signs, exponents, separators, zero → BAD_USER_INPUT on `field`.
 */
export function parseRate(rate: string, field = "rate"): Rational {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(rate.trim());
  if (!match) throw badInput(`Rate '${rate}' is not a plain decimal number such as "0.92"`, field);
  const whole = (match[1] ?? "").replace(/^0+(?=\d)/, "");
  const fraction = match[2] ?? "";
  if (whole.length > MAX_RATE_INTEGER_DIGITS || fraction.length > MAX_RATE_FRACTION_DIGITS) {
    throw badInput(`Rate '${rate}' has too many digits: at most ${MAX_RATE_INTEGER_DIGITS} before and ${MAX_RATE_FRACTION_DIGITS} after the point`, field);
  }
  const num = BigInt(whole + fraction);
  if (num === 0n) throw badInput(`Rate '${rate}' must be greater than zero`, field);
  return { num, den: pow10(fraction.length) };
}

/** num / den rounded to an integer, half to even. den must be positive. */
export function roundHalfEven(num: bigint, den: bigint): bigint {
  if (den <= 0n) throw new RangeError("roundHalfEven: denominator must be positive");
  const quotient = num / den; // truncates toward zero
  const remainder = num % den; // has num's sign
  const twice = 2n * (remainder < 0n ? -remainder : remainder);
  if (twice < den || (twice === den && quotient % 2n === 0n)) return quotient;
  return num < 0n ? quotient - 1n : quotient + 1n;
}

export const multiply = (a: Rational, b: Rational): Rational => ({ num: a.num * b.num, den: a.den * b.den });
export const invert = (r: Rational): Rational => ({ num: r.den, den: r.num });

/**
 * A rational as a decimal string rounded half to even to `digits` fractional digits, trailing
 * zeros dropped ("1.25", never "1.250000000000"). Zero when the value is below half a unit of the
 * last digit: callers treat that as no usable rate.
 */
export function toDecimal(r: Rational, digits = DERIVED_RATE_DIGITS): string {
  const scaled = roundHalfEven(r.num * pow10(digits), r.den);
  const text = scaled.toString().padStart(digits + 1, "0");
  const whole = text.slice(0, text.length - digits);
  const fraction = text.slice(text.length - digits).replace(/0+$/, "");
  return fraction ? `${whole}.${fraction}` : whole;
}

/** "0.920" → "0.92", "007" → "7": one spelling per rate value. Validates like parseRate. */
export function canonicalRate(rate: string, field = "rate"): string {
  const r = parseRate(rate, field);
  const digits = r.den.toString().length - 1;
  return toDecimal(r, digits);
}

/** The rate of a derived pair, as the decimal that will be shown and converted with. */
export function derivedRate(r: Rational): string {
  return toDecimal(r, DERIVED_RATE_DIGITS);
}

function exponentOf(code: string, field: string): number {
  const exponent = currencyExponent(code);
  if (exponent === undefined) throw badInput(`Unknown currency '${code}': use an ISO 4217 code such as USD`, field);
  return exponent;
}

/**
 * Converts `amount` minor units of `from` into minor units of `to` at `rate` (units of `to` per
 * unit of `from`, a decimal string), rounding once, half to even, at the target's minor unit.
 * 1000n JPY at "0.0066" USD/JPY → 660n cents; 1250n cents USD at "0.3075" → 3844n fils KWD
 * (3843.75 rounds up). Negative amounts round symmetrically. No upper bound: callers that send
 * the result to a gateway check it against MAX_MINOR_UNITS.
 */
export function convertMinor(amount: bigint, from: string, to: string, rate: string): bigint {
  const shift = exponentOf(to, "to") - exponentOf(from, "from");
  const r = parseRate(rate);
  const num = amount * r.num * (shift > 0 ? pow10(shift) : 1n);
  const den = r.den * (shift < 0 ? pow10(-shift) : 1n);
  return roundHalfEven(num, den);
}
