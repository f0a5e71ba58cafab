// Gateway latency percentiles from a fixed-bounds histogram. Exact percentiles cannot be summed
// from hourly parts; per-bin counts can. So every finished attempt with a measured round trip adds
// one sample to its bin (in SQL: analytics_latency_bin, same bounds), and a percentile is reported
// as the bin that holds it: the true value v satisfies aboveMs < v <= atMostMs.

/** Upper bounds of the bins, in ms. Bin i holds BOUNDS[i-1] < ms <= BOUNDS[i]; the last bin, all above 60 s. */
export const LATENCY_BOUNDS_MS = [10, 25, 50, 75, 100, 150, 200, 300, 400, 500, 750, 1000, 1500, 2000, 3000, 5000, 7500, 10000, 15000, 30000, 60000] as const;

/** How many bins there are: one per bound, and the one above the last. */
export const LATENCY_BINS = LATENCY_BOUNDS_MS.length + 1;

/** The bin of one measured round trip (what the database's analytics_latency_bin computes). */
export function latencyBin(ms: number): number {
  return LATENCY_BOUNDS_MS.filter((bound) => bound < ms).length;
}

export interface LatencyBound {
  /** The percentile asked for (50, 95, 99). */
  percentile: number;
  /** Exclusive lower bound of the bin holding the percentile (0 for the first bin). */
  aboveMs: number;
  /** Inclusive upper bound of that bin; null for the last bin (above 60 s). */
  atMostMs: number | null;
}

/**
 * The nearest-rank percentiles `ps` (ascending) of the samples counted in `bins` (bin index →
 * count, as a Map or an array indexed by bin): for each p, the bin of the ceil(p/100 · n)-th
 * smallest sample. Empty when there is no sample. One pass over the bins for all of them.
 */
export function percentileBins(bins: ReadonlyMap<number, number> | readonly number[], ps: readonly number[]): LatencyBound[] {
  const counts: number[] = Array.isArray(bins) ? (bins as readonly number[]).slice() : [];
  if (!Array.isArray(bins)) for (const [bin, n] of (bins as ReadonlyMap<number, number>).entries()) counts[bin] = (counts[bin] ?? 0) + n;
  let total = 0;
  for (const n of counts) total += n > 0 ? n : 0;
  const found: LatencyBound[] = [];
  if (total === 0) return found;
  let seen = 0;
  let next = 0;
  for (let bin = 0; bin < counts.length && next < ps.length; bin += 1) {
    const n = counts[bin] ?? 0;
    if (n <= 0) continue;
    seen += n;
    // integer product first: no float error at a rank boundary
    for (let p = ps[next]; p !== undefined && seen >= Math.max(1, Math.ceil((p * total) / 100)); p = ps[++next]) {
      found.push({ percentile: p, aboveMs: bin === 0 ? 0 : LATENCY_BOUNDS_MS[bin - 1] ?? 0, atMostMs: LATENCY_BOUNDS_MS[bin] ?? null });
    }
  }
  return found;
}

/** One percentile of `bins` (see percentileBins); undefined when there is no sample. */
export const percentileBin = (bins: ReadonlyMap<number, number> | readonly number[], p: number): LatencyBound | undefined => percentileBins(bins, [p])[0];
