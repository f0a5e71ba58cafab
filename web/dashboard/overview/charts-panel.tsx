// Volume and authorization success rate over time, by gateway or by currency, live. The range, the
// split and the volume's currency are in the URL. Each chart has a caption with its totals and
// its figures as a table (the canvas is invisible to screen readers). Volume is drawn for one
// currency at a time: amounts of two currencies are never added.
import { decimalsOf } from "../payment/amounts.js";
import { formatMoney } from "../ui/format.js";
import { BASE, navigate } from "../ui/router.js";
import { Chart } from "./chart.js";
import { currenciesOf, isZero, paymentsIn, percent, rateSeries, sumAmounts, volumeSeries } from "./figures.js";
import { FiguresTable } from "./figures-table.js";
import { queryFromOverview, RANGES, type OverviewQuery, type RangeName, type SplitBy } from "./range.js";
import { useAnalytics } from "./use-analytics.js";

export function ChartsPanel({ view }: { view: OverviewQuery }) {
  const { buckets, interval, error } = useAnalytics(view.range);
  const currencies = buckets ? currenciesOf(buckets) : [];
  const currency = view.currency ?? currencies[0];
  const go = (change: Partial<OverviewQuery>): void => navigate(`${BASE}/overview${queryFromOverview({ ...view, ...change })}`);
  const pick = (event: Event): string => (event.currentTarget as HTMLSelectElement).value;
  const by = view.by === "gateway" ? "by gateway" : "by currency";
  return (
    <section aria-labelledby="charts-title" class="panel wide charts">
      <h2 id="charts-title">Volume and authorization success rate</h2>
      <div class="chart-controls">
        <div class="field">
          <label for="ov-range">Range</label>
          <select id="ov-range" value={view.range} onChange={(e) => go({ range: pick(e) as RangeName })}>
            {Object.entries(RANGES).map(([value, r]) => <option key={value} value={value}>{r.label}</option>)}
          </select>
        </div>
        <div class="field">
          <label for="ov-by">Split by</label>
          <select id="ov-by" value={view.by} onChange={(e) => go({ by: pick(e) as SplitBy })}>
            <option value="gateway">Gateway</option>
            <option value="currency">Currency</option>
          </select>
        </div>
        <div class="field">
          <label for="ov-currency">Volume in</label>
          <select id="ov-currency" value={currency ?? ""} onChange={(e) => go({ currency: pick(e) || undefined })} disabled={!currencies.length && !view.currency}>
            {[...new Set([...(currency ? [currency] : []), ...currencies])].map((c) => <option key={c} value={c}>{c}</option>)}
            {!currency && <option value="">No payments yet</option>}
          </select>
        </div>
      </div>
      <p class="alert" role="alert">{error}</p>
      {!buckets && !error && <p class="muted">Loading…</p>}
      {buckets && <Figures buckets={buckets} interval={interval} view={view} currency={currency} by={by} />}
    </section>
  );
}

type Buckets = NonNullable<ReturnType<typeof useAnalytics>["buckets"]>;

function Figures({ buckets, interval, view, currency, by }: { buckets: Buckets; interval: "HOUR" | "DAY"; view: OverviewQuery; currency: string | undefined; by: string }) {
  const starts = buckets.map((b) => b.start);
  const times = buckets.map((b) => Date.parse(b.start) / 1000);
  const volume = currency ? volumeSeries(buckets, view.by, currency) : [];
  const rates = rateSeries(buckets, view.by);
  const money = (amount: string): string => formatMoney({ amount, currency: currency! });
  const finished = rates.reduce((n, s) => n + s.finished.reduce((a, b) => a + b, 0), 0);
  const succeeded = rates.reduce((n, s) => n + s.succeeded.reduce((a, b) => a + b, 0), 0);
  const seriesPercent = (s: { succeeded: number[]; finished: number[] }): string =>
    `${percent(s.succeeded.reduce((a, b) => a + b, 0), s.finished.reduce((a, b) => a + b, 0))}`;
  return (
    <>
      <p class="muted">{RANGES[view.range].label}: {paymentsIn(buckets)} payments created.</p>
      <figure class="chart-figure">
        <figcaption id="ov-volume-caption">
          {currency
            ? <>Captured volume in {currency}, {by}: <strong>{money(volume.length ? sumAmounts(volume.map((s) => s.total)) : "0")}</strong>{volume.length > 0 && ` (${volume.map((s) => `${s.label} ${money(s.total)}`).join(", ")})`}.</>
            : "Captured volume: no payments in this range yet."}
        </figcaption>
        {volume.length > 0 && <Chart key={`${currency}-${view.by}`} times={times} lines={volume.map((s) => ({ label: s.label, values: s.amounts.map(Number) }))} format={(v) => money(v.toFixed(decimalsOf(volume[0]!.total)))} daily={interval === "DAY"} />}
        <FiguresTable label={`Captured volume in ${currency}`} starts={starts} interval={interval} columns={volume.map((s) => s.label)}
          cell={(c, i) => (isZero(volume[c]!.amounts[i]!) ? null : money(volume[c]!.amounts[i]!))} />
      </figure>
      <figure class="chart-figure">
        <figcaption id="ov-rate-caption">
          Authorization success rate, {by}: {finished
            ? <><strong>{percent(succeeded, finished)}</strong> of {finished} finished attempts{` (${rates.map((s) => `${s.label} ${seriesPercent(s)}`).join(", ")})`}.</>
            : "no finished attempt in this range yet."}
        </figcaption>
        {rates.length > 0 && <Chart key={`rate-${view.by}`} times={times} lines={rates.map((s) => ({ label: s.label, values: s.finished.map((f, i) => (f ? (100 * s.succeeded[i]!) / f : null)) }))} format={(v) => `${v} %`} range={[0, 100]} daily={interval === "DAY"} />}
        <FiguresTable label="Authorization success rate" starts={starts} interval={interval} columns={rates.map((s) => s.label)}
          cell={(c, i) => (rates[c]!.finished[i] ? `${percent(rates[c]!.succeeded[i]!, rates[c]!.finished[i]!)} of ${rates[c]!.finished[i]}` : null)} />
      </figure>
    </>
  );
}
