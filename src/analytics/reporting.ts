// Totals in a reporting currency. Each currency's total of a group is converted at the rate in
// force when the question is answered (the latest stored one, src/fx), rounded once half to even,
// and the converted totals are added: ¥700 + ¥300 at 0.006565 USD is ¥1000 → 656.5 → 656 cents,
// not 460 + 197. Rates are looked up once per answer, not per bucket (converting each bucket at the
// rate of its own time would be a later refinement). A currency without a rate is never dropped:
// groups holding it get no reporting total (null) and the answer lists the pair in missingRates.
import { convertMinor } from "../fx/conversion.js";
import { findRate, type RateQuote } from "../fx/rates.js";
import type { Tx } from "../platform/db.js";
import type { AnalyticsBucket, MinorAmount } from "./analytics.service.js";

export interface CurrencyPair { from: string; to: string }

export interface Reporting {
  currency: string;
  /** Every rate used, by `from`; none for amounts already in the reporting currency. */
  conversions: RateQuote[];
  missingRates: CurrencyPair[];
}

/** The buckets with reporting totals on every group, and the rates behind them. */
export async function reportBuckets(db: Tx, buckets: AnalyticsBucket[], currency: string): Promise<{ buckets: AnalyticsBucket[]; reporting: Reporting }> {
  const groups = buckets.flatMap((b) => b.groups);
  const currencies = [...new Set(groups.flatMap((g) => [...g.volume, ...g.refundVolume].map((m) => m.currency)))].filter((c) => c !== currency).sort();
  const quotes = await Promise.all(currencies.map(async (c) => [c, await findRate(db, c, currency)] as const));
  const rates = new Map(quotes.flatMap(([c, quote]) => (quote ? [[c, quote.rate] as const] : [])));
  const total = (amounts: MinorAmount[]): MinorAmount | null => {
    let minor = 0n;
    for (const m of amounts) {
      const rate = rates.get(m.currency);
      if (m.currency === currency) minor += m.minor;
      else if (rate === undefined) return null;
      else minor += convertMinor(m.minor, m.currency, currency, rate);
    }
    return { minor, currency };
  };
  return {
    buckets: buckets.map((b) => ({
      ...b,
      groups: b.groups.map((g) => ({ ...g, reportingVolume: total(g.volume), reportingRefundVolume: total(g.refundVolume) })),
    })),
    reporting: {
      currency,
      conversions: quotes.flatMap(([, quote]) => (quote ? [quote] : [])),
      missingRates: quotes.flatMap(([from, quote]) => (quote ? [] : [{ from, to: currency }])),
    },
  };
}
