// Where exchange rates come from: one JSON shape, read from the sandbox gateway's GET /rates, a
// file or an http(s) URL (FX_SOURCE, src/config.ts):
//   { "base": "USD", "asOf": "2026-11-25T10:00:00Z", "rates": { "EUR": "0.92", "JPY": "151.37" } }
// `rates` are units of each currency per unit of `base`. Strings are read exactly. JSON numbers are
// accepted too, read as their shortest decimal spelling (0.92 → "0.92", 1e-7 → "0.0000001"): a
// provider that needs more than ~15 significant digits must send strings.
import { readFile } from "node:fs/promises";
import type { Config, FxSource } from "../config.js";
import { AppError, ErrorCode } from "../platform/errors.js";
import { currencyExponent } from "../platform/money.js";
import { canonicalRate } from "./conversion.js";
import type { RateQuote } from "./derive.js";

/** A rates document from the future by more than this is refused (clock skew allowance). */
const MAX_CLOCK_SKEW_MS = 5 * 60_000;
const MAX_DOCUMENT_BYTES = 1_000_000;
const FETCH_TIMEOUT_MS = 10_000;
const ISO_8601 = /^\d{4}-\d\d-\d\d(T\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d))?$/;

export interface RatesDocument {
  quotes: RateQuote[];
  /** Codes in `rates` that are not chargeable ISO 4217 currencies (XAU, BTC, …): left out. */
  skipped: string[];
}

const invalid = (message: string): AppError => new AppError(ErrorCode.BAD_USER_INPUT, `Rates document: ${message}`);

/** A JSON number as a plain decimal string, without going through arithmetic: 1e-7 → "0.0000001". */
export function numberToDecimal(n: number): string {
  if (!Number.isFinite(n)) throw invalid(`${n} is not a finite number`);
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(n));
  if (!match) throw invalid(`cannot read ${n}`);
  const [, sign = "", whole = "", fraction = "", exp = "0"] = match;
  const digits = whole + fraction;
  const point = whole.length + Number(exp); // position of the decimal point within `digits`
  const spelled =
    point <= 0 ? `0.${"0".repeat(-point)}${digits}`
    : point >= digits.length ? digits + "0".repeat(point - digits.length)
    : `${digits.slice(0, point)}.${digits.slice(point)}`;
  return sign + spelled;
}

/**
 * Validates a whole document. Any malformed part refuses all of it (a feed that is broken in one
 * place is not trusted in the others); only codes that are not chargeable currencies are skipped.
 */
export function parseRatesDocument(body: unknown, source: string, now = new Date()): RatesDocument {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw invalid("not a JSON object");
  const { base, asOf, rates } = body as Record<string, unknown>;
  if (typeof base !== "string" || currencyExponent(base) === undefined) throw invalid(`base ${JSON.stringify(base)} is not an ISO 4217 currency code`);
  // A date alone is midnight UTC; a date-time needs its zone (without one, JavaScript reads local time).
  const time = typeof asOf === "string" && ISO_8601.test(asOf) ? new Date(asOf) : undefined;
  if (!time || Number.isNaN(time.getTime())) throw invalid(`asOf ${JSON.stringify(asOf)} is not an ISO 8601 date or date-time with a zone`);
  if (time.getTime() > now.getTime() + MAX_CLOCK_SKEW_MS) throw invalid(`asOf ${asOf} is in the future`);
  if (typeof rates !== "object" || rates === null || Array.isArray(rates)) throw invalid("rates is not an object of currency: rate");

  const quotes: RateQuote[] = [];
  const skipped: string[] = [];
  for (const [code, value] of Object.entries(rates)) {
    if (code === base) continue; // some feeds list the base at 1
    if (currencyExponent(code) === undefined) {
      skipped.push(code);
      continue;
    }
    const spelled = typeof value === "string" ? value : typeof value === "number" ? numberToDecimal(value) : undefined;
    if (spelled === undefined) throw invalid(`rate of ${code} is ${JSON.stringify(value)}, not a decimal string or number`);
    let rate: string;
    try {
      rate = canonicalRate(spelled, code);
    } catch (err) {
      throw err instanceof AppError ? invalid(err.message) : err;
    }
    quotes.push({ from: base, to: code, rate, source, asOf: time });
  }
  if (!quotes.length) throw invalid("no rate of a known currency");
  return { quotes, skipped };
}

/** Where a source is, for humans; never a URL's credentials or query (it may carry an API key). */
export function describeSource(source: FxSource, config: Pick<Config, "gatewayUrl">): { name: string; location: string } {
  if (source.kind === "sandbox") return { name: "sandbox", location: `${config.gatewayUrl ?? "(no GATEWAY_URL)"}/rates` };
  if (source.kind === "file") return { name: "file", location: source.path };
  const url = new URL(source.url);
  return { name: url.host, location: `${url.protocol}//${url.host}${url.pathname}` };
}

async function fetchJson(url: string): Promise<unknown> {
  const res = await fetch(url, { headers: { accept: "application/json" }, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  const text = await res.text();
  if (!res.ok) throw new Error(`answered HTTP ${res.status}`);
  if (text.length > MAX_DOCUMENT_BYTES) throw new Error(`answered more than ${MAX_DOCUMENT_BYTES} bytes`);
  return JSON.parse(text);
}

/** Reads and validates the current document of a source. Throws with a short reason on failure. */
export async function fetchRates(source: FxSource, config: Pick<Config, "gatewayUrl">, now = new Date()): Promise<RatesDocument> {
  const { name } = describeSource(source, config);
  let body: unknown;
  if (source.kind === "file") {
    const text = await readFile(source.path, "utf8");
    if (text.length > MAX_DOCUMENT_BYTES) throw new Error(`${source.path} is larger than ${MAX_DOCUMENT_BYTES} bytes`);
    body = JSON.parse(text);
  } else if (source.kind === "sandbox") {
    if (!config.gatewayUrl) throw new Error("FX_SOURCE=sandbox needs the sandbox gateway's URL (GATEWAY_URL, or --role all)");
    body = await fetchJson(`${config.gatewayUrl.replace(/\/+$/, "")}/rates`);
  } else {
    body = await fetchJson(source.url);
  }
  return parseRatesDocument(body, name, now);
}
