// Exact conversion: bigint rationals, one rounding, half to even, at the target's minor unit.
import { describe, expect, it } from "vitest";
import {
  DERIVED_RATE_DIGITS, canonicalRate, convertMinor, derivedRate, invert, multiply, parseRate, roundHalfEven, toDecimal,
} from "../../src/fx/conversion.js";
import { deriveRate, type StoredRate } from "../../src/fx/derive.js";
import { AppError } from "../../src/platform/errors.js";

const errorOf = (fn: () => unknown): { code: string; field: unknown } | undefined => {
  try {
    fn();
  } catch (err) {
    return err instanceof AppError ? { code: err.code, field: err.details.field } : { code: "not an AppError", field: undefined };
  }
  return undefined;
};

describe("roundHalfEven", () => {
  it("rounds ties to the even neighbour, both ways and on both signs", () => {
    const halves = [[1n, 0n], [3n, 2n], [5n, 2n], [7n, 4n], [-1n, 0n], [-3n, -2n], [-5n, -2n], [-7n, -4n]] as const;
    for (const [twice, rounded] of halves) expect(roundHalfEven(twice, 2n)).toBe(rounded);
  });
  it("rounds everything else to the nearest", () => {
    expect([roundHalfEven(249n, 100n), roundHalfEven(251n, 100n), roundHalfEven(-251n, 100n), roundHalfEven(6n, 3n)]).toEqual([2n, 3n, -3n, 2n]);
  });
});

describe("convertMinor", () => {
  it("applies each currency's ISO 4217 exponent (JPY 0, USD 2, KWD/BHD 3)", () => {
    expect(convertMinor(1000n, "JPY", "USD", "0.0066")).toBe(660n); // ¥1000 → $6.60
    expect(convertMinor(1250n, "USD", "KWD", "0.3075")).toBe(3844n); // $12.50 → 3.84375 KWD → 3.844
    expect(convertMinor(12_500n, "KWD", "JPY", "492.26")).toBe(6153n); // 12.500 KWD → ¥6153.25 → ¥6153
    expect(convertMinor(1000n, "BHD", "KWD", "0.8178")).toBe(818n); // 1.000 BHD → 0.8178 → 0.818 KWD
    expect(convertMinor(100n, "USD", "EUR", "0.92")).toBe(92n);
  });

  it("rounds a tie half to even at the target's minor unit, both ways", () => {
    // USD → JPY at 1: cents become yen/100, so 150¢ is a tie of ¥1.5
    expect([50n, 150n, 250n, 350n].map((c) => convertMinor(c, "USD", "JPY", "1"))).toEqual([0n, 2n, 2n, 4n]);
    expect([-150n, -250n].map((c) => convertMinor(c, "USD", "JPY", "1"))).toEqual([-2n, -2n]);
    // 3-decimal source: 15 fils → 1.5¢ → 2¢, 25 fils → 2.5¢ → 2¢
    expect([5n, 15n, 25n].map((f) => convertMinor(f, "KWD", "USD", "1"))).toEqual([0n, 2n, 2n]);
    // 3-decimal target, tie made by the rate: ¥1000 × 0.0020315 = 2.0315 KWD (2031.5 fils) → 2032 (even),
    // ¥1000 × 0.0020325 = 2032.5 fils → 2032 (even, down)
    expect(convertMinor(1000n, "JPY", "KWD", "0.0020315")).toBe(2032n);
    expect(convertMinor(1000n, "JPY", "KWD", "0.0020325")).toBe(2032n);
    // 0-decimal target: $1.00 at 150.5 → ¥150.5 → ¥150; at 151.5 → ¥152
    expect(convertMinor(100n, "USD", "JPY", "150.5")).toBe(150n);
    expect(convertMinor(100n, "USD", "JPY", "151.5")).toBe(152n);
  });

  it("rounds once at the end, not per step", () => {
    // 1¢ at 0.0049 USD→… 10 times is not 10 × round(0.49): the whole amount is converted at once
    expect(convertMinor(10n, "USD", "EUR", "0.049")).toBe(0n);
    expect(convertMinor(100n, "USD", "EUR", "0.049")).toBe(5n); // 4.9¢ → 5¢
    expect(convertMinor(1n, "USD", "JPY", "151.37")).toBe(2n); // ¥1.5137 → ¥2
  });

  it("stays exact for large amounts (no float anywhere)", () => {
    expect(convertMinor(999_999_999_999n, "USD", "JPY", "151.37")).toBe(1_513_699_999_998n); // ¥1513699999998.4863
    const huge = 123_456_789_012_345_678_901_234_567_890n;
    expect(convertMinor(huge, "USD", "KWD", "1")).toBe(huge * 10n);
    expect(convertMinor(huge, "USD", "EUR", "0.000000000000000001")).toBe(123_456_789_012n); // …012.3456… → …012
    expect(convertMinor(9_007_199_254_740_993n, "EUR", "USD", "1")).toBe(9_007_199_254_740_993n); // 2^53 + 1 survives
  });

  it.each([
    ["0"], ["0.000"], ["-1"], ["-0.5"], ["1e3"], ["abc"], [""], ["1,5"], ["NaN"], ["Infinity"], [".5"], ["5."],
    ["1.0000000000000000001"], ["1234567890123"],
  ])("refuses rate %j as BAD_USER_INPUT on field rate", (rate) => {
    expect(errorOf(() => convertMinor(100n, "USD", "EUR", rate))).toEqual({ code: "BAD_USER_INPUT", field: "rate" });
  });

  it("refuses unknown currencies on their field", () => {
    expect(errorOf(() => convertMinor(100n, "USD", "XYZ", "1"))).toEqual({ code: "BAD_USER_INPUT", field: "to" });
    expect(errorOf(() => convertMinor(100n, "XAU", "USD", "1"))).toEqual({ code: "BAD_USER_INPUT", field: "from" });
  });

  it("accepts rates at the limits of precision", () => {
    expect(convertMinor(10n ** 18n, "USD", "EUR", "0.000000000000000001")).toBe(1n);
    expect(convertMinor(1n, "JPY", "USD", "999999999999")).toBe(99_999_999_999_900n);
  });
});

describe("derived rates: exact rationals, rounded once to 12 digits", () => {
  it("inverts exactly", () => {
    expect(derivedRate(invert(parseRate("0.8")))).toBe("1.25");
    expect(derivedRate(invert(parseRate("0.92")))).toBe("1.086956521739"); // 1.08695652173913…
    expect(derivedRate(invert(parseRate("151.37")))).toBe("0.006606328863"); // 0.006606328863|05…
  });

  it("crosses exactly through a base: EUR→GBP = (USD→GBP) / (USD→EUR)", () => {
    const usdEur = parseRate("0.92");
    const usdGbp = parseRate("0.79");
    expect(derivedRate(multiply(invert(usdEur), usdGbp))).toBe("0.858695652174"); // 0.858695652173913…
    // JPY→KWD through USD: 0.3075 / 151.37 = 0.0020314461253881…
    expect(derivedRate(multiply(invert(parseRate("151.37")), parseRate("0.3075")))).toBe("0.002031446125");
  });

  it("rounds the derived rate half to even at the last digit", () => {
    expect(toDecimal({ num: 1n, den: 8n }, 2)).toBe("0.12"); // 0.125
    expect(toDecimal({ num: 3n, den: 8n }, 2)).toBe("0.38"); // 0.375
    expect(toDecimal({ num: 1n, den: 2n * 10n ** BigInt(DERIVED_RATE_DIGITS + 1) }, DERIVED_RATE_DIGITS)).toBe("0"); // 5e-13: too small to show
  });

  it("converts with exactly the shown derived decimal", () => {
    const shown = derivedRate(multiply(invert(parseRate("0.92")), parseRate("0.79")));
    // €1,000,000.00 at 0.858695652174 = £858,695.652174 → £858,695.65
    expect(convertMinor(100_000_000n, "EUR", "GBP", shown)).toBe(85_869_565n);
  });

  it("spells each rate value once", () => {
    expect(["0.920", "0.92", "000.92", " 0.92 "].map((r) => canonicalRate(r))).toEqual(["0.92", "0.92", "0.92", "0.92"]);
    expect(["1.000", "151.370000000000000000"].map((r) => canonicalRate(r))).toEqual(["1", "151.37"]);
  });
});

describe("deriveRate: which stored rates answer a pair", () => {
  const at = (iso: string) => new Date(`2026-11-25T${iso}:00Z`);
  const usd: StoredRate[] = [
    { base: "USD", quote: "EUR", rate: "0.920000000000000000", source: "sandbox", asOf: at("10:00") },
    { base: "USD", quote: "GBP", rate: "0.79", source: "sandbox", asOf: at("09:00") },
    { base: "USD", quote: "JPY", rate: "151.37", source: "sandbox", asOf: at("10:00") },
  ];

  it("takes the stored pair as it is, in its canonical spelling", () => {
    expect(deriveRate(usd, "USD", "EUR")).toEqual({ from: "USD", to: "EUR", rate: "0.92", source: "sandbox", asOf: at("10:00") });
  });

  it("inverts the opposite pair exactly, then rounds once", () => {
    expect(deriveRate(usd, "JPY", "USD")).toEqual({ from: "JPY", to: "USD", rate: "0.006606328863", source: "sandbox (inverse of USD/JPY)", asOf: at("10:00") });
  });

  it("crosses through a common currency, as old as its oldest leg", () => {
    expect(deriveRate(usd, "EUR", "GBP")).toEqual({ from: "EUR", to: "GBP", rate: "0.858695652174", source: "sandbox (cross via USD)", asOf: at("09:00") });
  });

  it("prefers the stored pair over its inverse, and the inverse over a cross", () => {
    const manual: StoredRate[] = [...usd, { base: "EUR", quote: "USD", rate: "1.1", source: "manual", asOf: at("11:00") }, { base: "GBP", quote: "EUR", rate: "1.2", source: "manual", asOf: at("08:00") }];
    expect(deriveRate(manual, "USD", "EUR")?.rate).toBe("0.92"); // direct, though the manual opposite is newer
    expect(deriveRate(manual, "EUR", "GBP")).toMatchObject({ rate: "0.833333333333", source: "manual (inverse of GBP/EUR)" });
  });

  it("picks the freshest cross, then the first currency alphabetically", () => {
    const two: StoredRate[] = [
      { base: "USD", quote: "SEK", rate: "10", source: "a", asOf: at("08:00") }, { base: "USD", quote: "NOK", rate: "11", source: "a", asOf: at("08:00") },
      { base: "EUR", quote: "SEK", rate: "12", source: "b", asOf: at("09:00") }, { base: "EUR", quote: "NOK", rate: "13", source: "b", asOf: at("09:00") },
    ];
    expect(deriveRate(two, "SEK", "NOK")).toMatchObject({ rate: "1.083333333333", source: "b (cross via EUR)" }); // 13 / 12
    const tied = two.map((r) => ({ ...r, asOf: at("09:00") }));
    expect(deriveRate(tied, "SEK", "NOK")).toMatchObject({ source: "b (cross via EUR)" });
    expect(deriveRate(tied.filter((r) => r.base === "USD"), "SEK", "NOK")).toMatchObject({ rate: "1.1", source: "a (cross via USD)" });
  });

  it("names both sources of a mixed cross, answers 1 for one currency, and nothing when nothing connects", () => {
    const mixed: StoredRate[] = [...usd, { base: "KWD", quote: "USD", rate: "3.25", source: "manual", asOf: at("07:00") }];
    expect(deriveRate(mixed, "KWD", "EUR")).toMatchObject({ rate: "2.99", source: "manual+sandbox (cross via USD)", asOf: at("07:00") });
    expect(deriveRate([], "EUR", "EUR", at("12:00"))).toEqual({ from: "EUR", to: "EUR", rate: "1", source: "identity", asOf: at("12:00") });
    expect(deriveRate(usd, "EUR", "NOK")).toBeUndefined();
  });
});
