// The worker's exchange-rate refresh: read the configured source (provider.ts), record what it
// says (rates.ts). A failed read or an invalid document records nothing: the rates already
// stored stay in force, and the caller logs why.
import type { App } from "../app/app.js";
import { describeSource, fetchRates } from "./provider.js";
import { recordRates } from "./rates.js";

export interface RefreshResult {
  source: string;
  /** Rates in the document, rows added (a rate already recorded at its asOf is not added again), codes left out. */
  rates: number;
  added: number;
  skipped: string[];
}

/** Undefined when no source is configured (production without FX_SOURCE). Throws on failure. */
export async function refreshRates(app: Pick<App, "config" | "db">): Promise<RefreshResult | undefined> {
  const source = app.config.fxSource;
  if (!source) return undefined;
  const doc = await fetchRates(source, app.config).catch((err: unknown) => {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`reading exchange rates from ${describeSource(source, app.config).location} failed: ${reason}`);
  });
  const added = await recordRates(app.db, doc.quotes);
  return { source: doc.quotes[0]?.source ?? "", rates: doc.quotes.length, added, skipped: doc.skipped };
}
