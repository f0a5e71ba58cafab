// Exchange rates in PostgreSQL (model ExchangeRate): recorded, never updated; the rate of a pair
// is the row with the latest asOf. findRate answers any pair it can derive exactly from the latest
// rates around it: the pair itself, else an inverse, else a cross (derive.ts says which, and how).
import { Prisma } from "../generated/prisma/client.js";
import type { Tx } from "../platform/db.js";
import type { Ctx } from "../app/app.js";
import { recordAudit } from "../audit/audit.js";
import { badInput } from "../platform/errors.js";
import { currencyExponent } from "../platform/money.js";
import { canonicalRate } from "./conversion.js";
import { deriveRate, type RateQuote, type StoredRate } from "./derive.js";

export type { RateQuote };

/** The source of rates set by an admin through setExchangeRate. */
export const MANUAL_SOURCE = "manual";

/** A currency code as stored: trimmed, upper case, chargeable ISO 4217; BAD_USER_INPUT otherwise. */
export function currencyCode(code: string, field: string): string {
  const upper = code.trim().toUpperCase();
  if (currencyExponent(upper) === undefined) throw badInput(`Unknown currency '${code}': use an ISO 4217 code such as USD`, field);
  return upper;
}

/**
 * The latest rate of every stored pair with `a` or `b` on either side. Its cost grows with the
 * history of those pairs (about 10 ms for a year of hourly rates against one base).
 */
async function latestTouching(db: Tx, a: string, b: string): Promise<StoredRate[]> {
  return db.$queryRaw<StoredRate[]>(Prisma.sql`
    SELECT DISTINCT ON (base, quote) base, quote, rate::text AS rate, source, as_of AS "asOf"
    FROM exchange_rate
    WHERE base IN (${a}, ${b}) OR quote IN (${a}, ${b})
    ORDER BY base, quote, as_of DESC, created_at DESC`);
}

/**
 * The rate from `from` to `to` (ISO codes, any case; unknown ones are BAD_USER_INPUT), or
 * undefined when none can be derived from the stored rates.
 */
export async function findRate(db: Tx, from: string, to: string, now = new Date()): Promise<RateQuote | undefined> {
  const a = currencyCode(from, "from");
  const b = currencyCode(to, "to");
  return deriveRate(a === b ? [] : await latestTouching(db, a, b), a, b, now);
}

/**
 * Records rates as new history rows. Each is validated (codes, a positive plain decimal rate, two
 * different currencies); a rate a source already recorded for that pair and asOf is left as it was,
 * so refreshing an unchanged table adds nothing. Returns how many rows were added.
 */
export async function recordRates(db: Tx, quotes: RateQuote[]): Promise<number> {
  const data = quotes.map((q) => {
    const base = currencyCode(q.from, "from");
    const quote = currencyCode(q.to, "to");
    if (base === quote) throw badInput(`A rate needs two different currencies, got ${base}/${quote}`, "to");
    if (!q.source.trim()) throw badInput("A rate needs a source", "source");
    return { base, quote, rate: canonicalRate(q.rate), source: q.source, asOf: q.asOf };
  });
  if (!data.length) return 0;
  const { count } = await db.exchangeRate.createMany({ data, skipDuplicates: true });
  return count;
}

/** How far in the future an admin's asOf may be (clock skew): later, it would shadow every refresh until then. */
const MAX_FUTURE_MS = 5 * 60_000;

/** An admin's rate for a pair, recorded as source MANUAL_SOURCE at `asOf` (default: now). */
export async function setManualRate(
  db: Tx, input: { from: string; to: string; rate: string; asOf?: Date | null }, now = new Date(),
): Promise<RateQuote> {
  const from = currencyCode(input.from, "from");
  const to = currencyCode(input.to, "to");
  if (from === to) throw badInput(`A rate needs two different currencies, got ${from}/${to}`, "to");
  const rate = canonicalRate(input.rate);
  const asOf = input.asOf ?? now;
  if (Number.isNaN(asOf.getTime()) || asOf.getTime() > now.getTime() + MAX_FUTURE_MS) throw badInput("asOf must not be in the future", "asOf");
  try {
    await db.exchangeRate.create({ data: { base: from, quote: to, rate, source: MANUAL_SOURCE, asOf } });
  } catch (err) {
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") {
      throw badInput(`A manual ${from}/${to} rate as of ${asOf.toISOString()} exists already`, "asOf");
    }
    throw err;
  }
  return { from, to, rate, source: MANUAL_SOURCE, asOf };
}

/**
 * `setExchangeRate`: an admin's rate, with its audit record in the same transaction. Rates are
 * platform-wide; the record goes to the log of the admin key's merchant, which is who acted.
 */
export async function setExchangeRateAsAdmin(ctx: Ctx, input: { from: string; to: string; rate: string; asOf?: Date | null }): Promise<RateQuote> {
  return ctx.app.db.$transaction(async (tx) => {
    const quote = await setManualRate(tx, input);
    const pair = `${quote.from}/${quote.to}`;
    await recordAudit(tx, ctx, { action: "exchange_rate.set", entityType: "exchange_rate", entityId: pair, after: { ...quote, asOf: quote.asOf.toISOString() } });
    return quote;
  });
}
