// Which rate answers a pair, from the latest stored rate of each pair around it (pure):
//   1. the stored pair itself;
//   2. else the inverse of the stored opposite pair (1 / rate);
//   3. else a cross through a currency C both sides are stored against, in either direction
//      (EUR→GBP = USD→GBP / USD→EUR): the freshest such cross (its oldest leg newest), then C
//      alphabetically.
// Derived rates are exact rationals rounded once, half to even, to DERIVED_RATE_DIGITS digits
// (conversion.ts); their asOf is that of their oldest leg and their source says how they were made.
import { canonicalRate, derivedRate, invert, multiply, parseRate, type Rational } from "./conversion.js";

export interface RateQuote {
  from: string;
  to: string;
  /** Units of `to` per unit of `from`: a plain decimal string, exactly what conversions use. */
  rate: string;
  source: string;
  /** The rate's time at its source. */
  asOf: Date;
}

/** The latest stored rate of one pair (base → quote). */
export interface StoredRate { base: string; quote: string; rate: string; source: string; asOf: Date }

interface Leg { rate: Rational; source: string; asOf: Date }

export function deriveRate(latest: StoredRate[], from: string, to: string, now = new Date()): RateQuote | undefined {
  if (from === to) return { from, to, rate: "1", source: "identity", asOf: now };
  const pairs = new Map(latest.map((r) => [`${r.base}/${r.quote}`, r]));

  const direct = pairs.get(`${from}/${to}`);
  if (direct) return { from, to, rate: canonicalRate(direct.rate), source: direct.source, asOf: direct.asOf };

  const leg = (a: string, b: string): Leg | undefined => {
    const stored = pairs.get(`${a}/${b}`);
    if (stored) return { rate: parseRate(stored.rate), source: stored.source, asOf: stored.asOf };
    const opposite = pairs.get(`${b}/${a}`);
    return opposite && { rate: invert(parseRate(opposite.rate)), source: opposite.source, asOf: opposite.asOf };
  };

  const opposite = pairs.get(`${to}/${from}`);
  if (opposite) {
    const rate = derivedRate(invert(parseRate(opposite.rate)));
    // A rate too small to show in 12 decimals is no usable rate: a cross may still be.
    if (rate !== "0") return { from, to, rate, source: `${opposite.source} (inverse of ${to}/${from})`, asOf: opposite.asOf };
  }

  const via = new Set(latest.flatMap((r) => [r.base, r.quote]).filter((c) => c !== from && c !== to));
  const crosses = [...via].flatMap((c) => {
    const first = leg(from, c);
    const second = leg(c, to);
    if (!first || !second) return [];
    const rate = derivedRate(multiply(first.rate, second.rate));
    const asOf = first.asOf < second.asOf ? first.asOf : second.asOf;
    const sources = [...new Set([first.source, second.source])].join("+");
    return rate === "0" ? [] : [{ via: c, quote: { from, to, rate, source: `${sources} (cross via ${c})`, asOf } }];
  });
  crosses.sort((x, y) => y.quote.asOf.getTime() - x.quote.asOf.getTime() || (x.via < y.via ? -1 : 1));
  return crosses[0]?.quote;
}
