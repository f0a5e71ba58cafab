// Exchange rates through the real server: the worker's refresh job loads the sandbox gateway's
// GET /rates (at start, then every FX_REFRESH_EVERY_MS), admins set rates, any key reads and
// converts, exactly. Expected figures were computed apart, with Python's decimal module.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConvertDocument, ExchangeRateDocument, SetExchangeRateDocument } from "../../client/src/generated/graphql.js";
import { createStack, errorCode, eventually, gql, ok, type Role, type Stack } from "../support/stack.js";

let stack: Stack;
let server: Role;
let url: string;
let gateway: string;
let admin: string;
let merchant: string;

beforeAll(async () => {
  stack = await createStack({ FX_REFRESH_EVERY_MS: "1000" });
  server = await stack.start(["start", "--role", "all", "--port", "0"]);
  url = server.url;
  // No GATEWAY_URL: `start --role all` runs its own sandbox, which is the default FX_SOURCE too.
  gateway = /Gateway\s+(http:\/\/\S+)/.exec(server.output.join("\n"))?.[1] ?? "";
  [admin, merchant] = await Promise.all([
    stack.merchant("Platform", { admin: true }).then((m) => m.secretKey),
    stack.merchant("Shop").then((m) => m.secretKey),
  ]);
});
afterAll(async () => stack?.close());

const rate = async (from: string, to: string, key = merchant) => gql(url, ExchangeRateDocument, { from, to }, { key });
const rateOf = async (from: string, to: string) => ok(await rate(from, to)).exchangeRate;
const convert = async (amount: string, from: string, to: string) => gql(url, ConvertDocument, { amount, from, to }, { key: merchant });
const setRate = async (input: { from: string; to: string; rate: string; asOf?: string }, key = admin) => gql(url, SetExchangeRateDocument, { input }, { key });
const control = async (settings: Record<string, unknown>) => {
  const res = await fetch(`${gateway}/control`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(settings) });
  expect(res.status).toBe(200);
};
const sandboxRates = async () => (await (await fetch(`${gateway}/rates`)).json()) as { base: string; asOf: string; rates: Record<string, unknown> };
const rows = async (sql: string, params: unknown[] = []) => {
  const db = new pg.Client({ connectionString: stack.databaseUrl });
  await db.connect();
  try {
    return (await db.query(sql, params)).rows as Record<string, unknown>[];
  } finally {
    await db.end();
  }
};

describe("rates from the sandbox gateway", () => {
  it("are loaded by the worker at start, with the sandbox's asOf", async () => {
    const published = await sandboxRates();
    expect(published).toMatchObject({ base: "USD", rates: { EUR: "0.92", JPY: "151.37", KWD: "0.3075", BHD: "0.376" } });
    const eur = await eventually(() => rate("USD", "EUR"), (r) => !r.errors).then(ok);
    expect(eur.exchangeRate).toEqual({ from: "USD", to: "EUR", rate: "0.92", source: "sandbox", asOf: new Date(published.asOf).toISOString() });
  });

  it("answer inverse and cross pairs as exact rationals rounded once to 12 decimals", async () => {
    expect(await rateOf("EUR", "USD")).toMatchObject({ rate: "1.086956521739", source: "sandbox (inverse of USD/EUR)" });
    expect(await rateOf("EUR", "GBP")).toMatchObject({ rate: "0.858695652174", source: "sandbox (cross via USD)" });
    expect(await rateOf("jpy", "kwd")).toMatchObject({ from: "JPY", to: "KWD", rate: "0.002031446125" });
    expect(await rateOf("USD", "USD")).toMatchObject({ rate: "1", source: "identity" });
  });

  it("convert exactly, rounding once, half to even, at the target's minor unit", async () => {
    const usdKwd = ok(await convert("12.50", "USD", "KWD")).convert;
    expect(usdKwd).toMatchObject({
      amount: { amount: "12.50", minorUnits: "1250", currency: "USD" },
      converted: { amount: "3.844", minorUnits: "3844", currency: "KWD" }, // 3.84375
      rate: "0.3075", source: "sandbox", rounding: "HALF_EVEN",
    });
    // Ties both ways: $50.00 × 151.37 = ¥7568.5 → ¥7568; $150.00 → ¥22705.5 → ¥22706
    expect(ok(await convert("50.00", "USD", "JPY")).convert.converted.amount).toBe("7568");
    expect(ok(await convert("150", "USD", "JPY")).convert.converted.amount).toBe("22706");
    // Cross, 0 → 3 decimals: ¥1000 × 0.002031446125 = 2.031446125 KWD
    expect(ok(await convert("1000", "JPY", "KWD")).convert).toMatchObject({ converted: { amount: "2.031" }, rate: "0.002031446125" });
    // Cross, 3 → 3 decimals, with exactly the shown rate: 10 KWD × 1.222764227642 = 12.22764227642 BHD
    expect(ok(await convert("10.000", "KWD", "BHD")).convert).toMatchObject({ converted: { amount: "12.228" }, rate: "1.222764227642" });
  });
});

describe("setExchangeRate", () => {
  it("records an admin's rate, which then wins over a cross", async () => {
    expect((await rateOf("EUR", "CHF")).source).toContain("cross via USD");
    const set = ok(await setRate({ from: "eur", to: "chf", rate: "0.95650" })).setExchangeRate.exchangeRate;
    expect(set).toMatchObject({ from: "EUR", to: "CHF", rate: "0.9565", source: "manual" });
    expect(await rateOf("EUR", "CHF")).toEqual(set);
    expect(ok(await convert("100.00", "EUR", "CHF")).convert.converted.amount).toBe("95.65");
  });

  it("is FORBIDDEN to a merchant key and UNAUTHENTICATED without one, and records nothing", async () => {
    const forbidden = await setRate({ from: "EUR", to: "CHF", rate: "2" }, merchant);
    expect(errorCode(forbidden)).toBe("FORBIDDEN");
    expect(forbidden.data).toBeNull();
    expect(errorCode(await gql(url, SetExchangeRateDocument, { input: { from: "EUR", to: "CHF", rate: "2" } }))).toBe("UNAUTHENTICATED");
    expect((await rateOf("EUR", "CHF")).rate).toBe("0.9565");
    expect(await rows("SELECT rate FROM exchange_rate WHERE base = 'EUR' AND quote = 'CHF'")).toHaveLength(1);
  });

  it("keeps the history: the latest asOf is in force, an older one is only recorded", async () => {
    const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
    ok(await setRate({ from: "EUR", to: "CHF", rate: "0.9", asOf: hourAgo }));
    expect((await rateOf("EUR", "CHF")).rate).toBe("0.9565");
    ok(await setRate({ from: "EUR", to: "CHF", rate: "0.9571" }));
    expect((await rateOf("EUR", "CHF")).rate).toBe("0.9571");
    const history = await rows("SELECT rate::text AS rate FROM exchange_rate WHERE base = 'EUR' AND quote = 'CHF' ORDER BY as_of");
    expect(history.map((r) => Number(r.rate))).toEqual([0.9, 0.9565, 0.9571]);
  });
});

describe("the refresh job", () => {
  it("brings the sandbox's new rates (strings or JSON numbers) within an interval, and adds no duplicates", async () => {
    await control({ rates: { EUR: "0.95", JPY: 149.5, KWD: "0.3081" } });
    await eventually(() => rateOf("USD", "EUR"), (r) => r.rate === "0.95");
    expect(await rateOf("USD", "JPY")).toMatchObject({ rate: "149.5", source: "sandbox" });
    expect(await rateOf("EUR", "USD")).toMatchObject({ rate: "1.052631578947" });
    // GBP left the table: its last recorded rate stays in force
    expect(await rateOf("USD", "GBP")).toMatchObject({ rate: "0.79" });
    // Every run since start read the first table again; each rate was recorded once
    expect(await rows("SELECT 1 FROM exchange_rate WHERE source = 'sandbox' AND quote = 'GBP'")).toHaveLength(1);
    expect(await rows("SELECT 1 FROM exchange_rate WHERE source = 'sandbox' AND quote = 'EUR'")).toHaveLength(2);
  });

  it("logs a failed refresh and keeps the previous rates", async () => {
    await control({ down: true, rates: { EUR: "0.5" } });
    const seen = server.output.length;
    await eventually(async () => server.output.slice(seen).join("\n"), (text) => text.includes("exchange-rate refresh failed"));
    expect(await rateOf("USD", "EUR")).toMatchObject({ rate: "0.95", source: "sandbox" });
    await control({ down: false });
    await eventually(() => rateOf("USD", "EUR"), (r) => r.rate === "0.5");
    await control({ rates: null });
  });
});

describe("bad input", () => {
  it.each([
    ["an unknown currency", () => rate("XYZ", "EUR"), "from"],
    ["a non-chargeable code", () => rate("USD", "XAU"), "to"],
    ["too many decimals for the currency", () => convert("12.345", "USD", "EUR"), "amount"],
    ["an amount that is no number", () => convert("12,50", "USD", "EUR"), "amount"],
    ["a negative amount", () => convert("-1.00", "USD", "EUR"), "amount"],
    ["a zero rate", () => setRate({ from: "USD", to: "NOK", rate: "0" }), "rate"],
    ["a negative rate", () => setRate({ from: "USD", to: "NOK", rate: "-10.5" }), "rate"],
    ["a rate in exponent notation", () => setRate({ from: "USD", to: "NOK", rate: "1e1" }), "rate"],
    ["a rate with 19 decimals", () => setRate({ from: "USD", to: "NOK", rate: "10.1234567890123456789" }), "rate"],
    ["one currency on both sides", () => setRate({ from: "USD", to: "usd", rate: "1" }), "to"],
    ["an asOf in the future", () => setRate({ from: "USD", to: "NOK", rate: "10.5", asOf: new Date(Date.now() + 86_400_000).toISOString() }), "asOf"],
  ])("refuses %s as BAD_USER_INPUT naming the field", async (_what, call, field) => {
    const result = await call();
    expect(errorCode(result)).toBe("BAD_USER_INPUT");
    expect(result.errors?.[0]?.extensions?.field).toBe(field);
  });

  it("answers NOT_FOUND with the pair when no rate can be derived", async () => {
    const direct = await rate("usd", "NOK");
    expect(errorCode(direct)).toBe("NOT_FOUND");
    expect(direct.errors?.[0]?.extensions).toMatchObject({ from: "USD", to: "NOK" });
    const conversion = await convert("1.00", "NOK", "EUR");
    expect(errorCode(conversion)).toBe("NOT_FOUND");
    expect(conversion.errors?.[0]?.extensions).toMatchObject({ from: "NOK", to: "EUR" });
  });

  it("wrote no rate for any of them", async () => {
    expect(await rows("SELECT 1 FROM exchange_rate WHERE quote = 'NOK' OR base = quote")).toHaveLength(0);
  });
});

describe("FX_SOURCE=file:", () => {
  let other: Stack | undefined;
  afterAll(async () => other?.close());

  it("is read by the worker at each start, not only after the first interval (default: an hour)", async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "paygraph-fx-")), "rates.json");
    const publish = (asOf: string, rates: Record<string, unknown>) => writeFileSync(file, JSON.stringify({ base: "EUR", asOf, rates }));
    publish("2026-11-25T06:00:00Z", { USD: 1.0875, BHD: "0.4089", XAU: "0.0004" });
    other = await createStack({ FX_SOURCE: `file:${file}` });
    let role = await other.start(["start", "--role", "all", "--port", "0"]);
    const key = (await other.merchant()).secretKey;
    const read = (from: string, to: string) => gql(role.url, ExchangeRateDocument, { from, to }, { key });

    const first = await eventually(() => read("EUR", "BHD"), (r) => !r.errors);
    expect(ok(first).exchangeRate).toEqual({ from: "EUR", to: "BHD", rate: "0.4089", source: "file", asOf: "2026-11-25T06:00:00.000Z" });
    // USD → BHD through EUR: 0.4089 / 1.0875 = 0.376 exactly
    expect(ok(await read("USD", "BHD")).exchangeRate).toMatchObject({ rate: "0.376", source: "file (cross via EUR)" });

    // A restarted worker finds its job scheduler in Redis, due in an hour: it reads the source at once anyway.
    await role.stop();
    publish("2026-11-25T07:00:00Z", { USD: "1.09", BHD: "0.41" });
    role = await other.start(["start", "--role", "all", "--port", "0"]);
    const again = await eventually(() => read("EUR", "BHD"), (r) => r.data?.exchangeRate.rate === "0.41", 10_000);
    expect(ok(again).exchangeRate.asOf).toBe("2026-11-25T07:00:00.000Z");
  });
});
