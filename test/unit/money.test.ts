import { describe, expect, it } from "vitest";
import { Money, canonicalDecimal, currencyExponent } from "../../src/platform/money.js";
import { AppError } from "../../src/platform/errors.js";

const code = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    return err instanceof AppError ? err.code : "not an AppError";
  }
  return undefined;
};

describe("Money", () => {
  it("knows ISO 4217 exponents", () => {
    expect([currencyExponent("JPY"), currencyExponent("USD"), currencyExponent("KWD"), currencyExponent("BHD")]).toEqual([0, 2, 3, 3]);
    expect(currencyExponent("XAU")).toBeUndefined();
    expect(currencyExponent("ABC")).toBeUndefined();
    expect(currencyExponent("usd")).toBeUndefined();
  });

  it("parses decimal strings into exact minor units", () => {
    expect(Money.parse("12.500", "KWD").minor).toBe(12500n);
    expect(Money.parse("12.5", "KWD").minor).toBe(12500n);
    expect(Money.parse("1000", "JPY").minor).toBe(1000n);
    expect(Money.parse("0.10", "usd")).toMatchObject({ minor: 10n, currency: "USD" });
    expect(Money.parse("9999999999.99", "USD").minor).toBe(999999999999n);
  });

  it("refuses, never rounds, what it cannot represent exactly", () => {
    expect(code(() => Money.parse("12.5001", "KWD"))).toBe("BAD_USER_INPUT");
    expect(code(() => Money.parse("1.5", "JPY"))).toBe("BAD_USER_INPUT");
    expect(code(() => Money.parse("1e3", "USD"))).toBe("BAD_USER_INPUT");
    expect(code(() => Money.parse("12,50", "USD"))).toBe("BAD_USER_INPUT");
    expect(code(() => Money.parse("10000000000.00", "USD"))).toBe("BAD_USER_INPUT");
    expect(code(() => Money.parse("1.00", "XYZ"))).toBe("BAD_USER_INPUT");
    expect(code(() => Money.parsePositive("0.00", "USD"))).toBe("BAD_USER_INPUT");
    expect(code(() => Money.parsePositive("-1.00", "USD"))).toBe("BAD_USER_INPUT");
  });

  it("formats with exactly the currency's decimals", () => {
    expect(Money.of(12500n, "KWD").format()).toBe("12.500");
    expect(Money.of(5n, "USD").format()).toBe("0.05");
    expect(Money.of(0n, "USD").format()).toBe("0.00");
    expect(Money.of(1000n, "JPY").format()).toBe("1000");
    expect(Money.of(-150n, "USD").format()).toBe("-1.50");
  });

  it("round-trips every amount it parses", () => {
    for (const [amount, currency] of [["0.001", "KWD"], ["123456789.12", "EUR"], ["7", "JPY"], ["0.01", "USD"]] as const) {
      expect(Money.parse(Money.parse(amount, currency).format(), currency)).toEqual(Money.parse(amount, currency));
    }
  });
});

describe("canonicalDecimal", () => {
  it("gives one spelling per value", () => {
    expect(["12.50", "12.5", "012.500"].map(canonicalDecimal)).toEqual(["12.5", "12.5", "12.5"]);
    expect(["3.0", "3.", "0.10", "0"].map(canonicalDecimal)).toEqual(["3", "3", "0.1", "0"]);
    expect(canonicalDecimal("abc")).toBe("abc");
  });
});
