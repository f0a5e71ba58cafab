// The rates document every source speaks, and FX_SOURCE.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { fxSourceFrom, loadConfig } from "../../src/config.js";
import { describeSource, fetchRates, numberToDecimal, parseRatesDocument } from "../../src/fx/provider.js";
import { AppError } from "../../src/platform/errors.js";

const NOW = new Date("2026-11-25T12:00:00Z");
const doc = (rates: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ base: "USD", asOf: "2026-11-25T11:00:00Z", rates, ...extra });
const refusal = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    return err instanceof AppError ? err.code : "not an AppError";
  }
  return undefined;
};

describe("rates document", () => {
  it("reads strings exactly and numbers by their shortest spelling", () => {
    const { quotes, skipped } = parseRatesDocument(doc({ EUR: "0.920", JPY: 151.37, KWD: 0.3075, USD: 1, XAU: "0.0004", BTC: 0.00001 }), "test", NOW);
    expect(quotes.map((q) => [q.from, q.to, q.rate])).toEqual([["USD", "EUR", "0.92"], ["USD", "JPY", "151.37"], ["USD", "KWD", "0.3075"]]);
    expect(quotes[0]).toMatchObject({ source: "test", asOf: new Date("2026-11-25T11:00:00Z") });
    expect(skipped).toEqual(["XAU", "BTC"]);
  });

  it("takes a date alone as midnight UTC, and a date-time in any zone", () => {
    expect(parseRatesDocument(doc({ EUR: "1" }, { asOf: "2026-11-24" }), "t", NOW).quotes[0]?.asOf).toEqual(new Date("2026-11-24T00:00:00Z"));
    expect(parseRatesDocument(doc({ EUR: "1" }, { asOf: "2026-11-25T12:30:00+02:00" }), "t", NOW).quotes[0]?.asOf).toEqual(new Date("2026-11-25T10:30:00Z"));
  });

  it("spells JSON numbers as plain decimals without arithmetic", () => {
    expect([0.92, 1e-7, 1.5e-7, 151.37, 1e21, 2.5e-12].map(numberToDecimal)).toEqual(["0.92", "0.0000001", "0.00000015", "151.37", "1000000000000000000000", "0.0000000000025"]);
  });

  it.each([
    ["not an object", []],
    ["an unknown base", doc({ EUR: "1" }, { base: "XYZ" })],
    ["a missing asOf", doc({ EUR: "1" }, { asOf: undefined })],
    ["a date that is no date", doc({ EUR: "1" }, { asOf: "2026-13-45T99:00:00Z" })],
    ["a date-time without a zone", doc({ EUR: "1" }, { asOf: "2026-11-25T11:00:00" })],
    ["an asOf in the future", doc({ EUR: "1" }, { asOf: "2026-11-25T13:00:00Z" })],
    ["a zero rate", doc({ EUR: "0", GBP: "0.79" })],
    ["a negative number", doc({ EUR: -0.92 })],
    ["a rate in exponent notation", doc({ EUR: "9.2e-1" })],
    ["a boolean rate", doc({ EUR: true })],
    ["no known currency", doc({ XAU: "1" })],
  ])("refuses the whole document on %s", (_what, body) => {
    expect(refusal(() => parseRatesDocument(body, "test", NOW))).toBe("BAD_USER_INPUT");
  });

  it("reads a file source", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "fx-"));
    writeFileSync(path.join(dir, "rates.json"), JSON.stringify(doc({ EUR: "0.91" })));
    const read = await fetchRates({ kind: "file", path: path.join(dir, "rates.json") }, { gatewayUrl: undefined }, NOW);
    expect(read.quotes).toEqual([{ from: "USD", to: "EUR", rate: "0.91", source: "file", asOf: new Date("2026-11-25T11:00:00Z") }]);
    await expect(fetchRates({ kind: "file", path: path.join(dir, "missing.json") }, { gatewayUrl: undefined })).rejects.toThrow(/ENOENT/);
  });
});

describe("FX_SOURCE", () => {
  it("defaults to the sandbox outside production and to nothing in production", () => {
    expect(fxSourceFrom(undefined, "development")).toEqual({ kind: "sandbox" });
    expect(fxSourceFrom("", "test")).toEqual({ kind: "sandbox" });
    expect(fxSourceFrom(undefined, "production")).toBeUndefined();
    expect(() => fxSourceFrom("sandbox", "production")).toThrow(/test tool/);
  });

  it("takes a file: path or an http(s) URL", () => {
    expect(fxSourceFrom("file:/etc/rates.json", "production")).toEqual({ kind: "file", path: "/etc/rates.json" });
    expect(fxSourceFrom("file:///etc/rates.json", "production")).toEqual({ kind: "file", path: "/etc/rates.json" });
    expect(fxSourceFrom("file:rates.json", "test")).toEqual({ kind: "file", path: path.resolve("rates.json") });
    expect(fxSourceFrom("https://fx.example.com/latest?key=s3cret", "production")).toEqual({ kind: "url", url: "https://fx.example.com/latest?key=s3cret" });
    expect(() => fxSourceFrom("ftp://fx.example.com", "test")).toThrow(/FX_SOURCE must be/);
    expect(() => fxSourceFrom("rates.json", "test")).toThrow(/FX_SOURCE must be/);
  });

  it("never shows a URL's query or credentials when naming the source", () => {
    const where = describeSource({ kind: "url", url: "https://user:pw@fx.example.com/latest?key=s3cret" }, { gatewayUrl: undefined });
    expect(where).toEqual({ name: "fx.example.com", location: "https://fx.example.com/latest" });
    expect(describeSource({ kind: "sandbox" }, { gatewayUrl: "http://127.0.0.1:4100" }).location).toBe("http://127.0.0.1:4100/rates");
  });

  it("refreshes hourly by default, at most once a second", () => {
    expect(loadConfig({}, { NODE_ENV: "test" }).fxRefreshEveryMs).toBe(3_600_000);
    expect(() => loadConfig({}, { NODE_ENV: "test", FX_REFRESH_EVERY_MS: "10" })).toThrow(/at least 1000/);
  });
});
