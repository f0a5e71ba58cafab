// Small numeric helpers: percentiles of a latency sample, rounding for the report.

/** Nearest-rank percentile (p in 0..100) of an ascending array; NaN when empty. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** n, p50, p90, p99, max and mean (ms) of a list of durations. */
export function summarize(values) {
  const sorted = Float64Array.from(values).sort();
  const mean = sorted.length ? sorted.reduce((a, b) => a + b, 0) / sorted.length : NaN;
  return {
    n: sorted.length,
    p50: round(percentile(sorted, 50)),
    p90: round(percentile(sorted, 90)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted.length ? sorted[sorted.length - 1] : NaN),
    mean: round(mean),
  };
}

export function round(x, digits = 1) {
  if (!Number.isFinite(x)) return null;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** a ÷ b as a percentage with one decimal, or null when either is missing. */
export function share(a, b) {
  return Number.isFinite(a) && Number.isFinite(b) && b > 0 ? round((100 * a) / b) : null;
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
