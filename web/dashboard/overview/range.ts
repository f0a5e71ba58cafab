// What the Overview's charts show, as its URL holds it (`?range=7d&by=currency&currency=EUR`, so a
// view can be shared), and the analytics question it becomes. Pure (no DOM): unit-tested in
// test/unit/dashboard-overview.test.ts.

export type RangeName = "24h" | "7d" | "30d";
export type SplitBy = "gateway" | "currency";

export interface OverviewQuery {
  range: RangeName;
  by: SplitBy;
  /** The currency whose volume is drawn (amounts of two currencies are never added); unset: the busiest one. */
  currency?: string;
}

export const RANGES: Record<RangeName, { label: string; interval: "HOUR" | "DAY"; buckets: number }> = {
  "24h": { label: "Last 24 hours, hourly", interval: "HOUR", buckets: 24 },
  "7d": { label: "Last 7 days, daily", interval: "DAY", buckets: 7 },
  "30d": { label: "Last 30 days, daily", interval: "DAY", buckets: 30 },
};

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export function overviewFromQuery(query: URLSearchParams): OverviewQuery {
  const range = query.get("range");
  const by = query.get("by");
  const currency = query.get("currency")?.trim().toUpperCase();
  return {
    range: range && range in RANGES ? (range as RangeName) : "24h",
    by: by === "currency" ? "currency" : "gateway",
    ...(currency && /^[A-Z]{3}$/.test(currency) ? { currency } : {}),
  };
}

/** The query string of a view, leaving out what is the default (so the plain URL stays plain). */
export function queryFromOverview(view: OverviewQuery): string {
  const query = new URLSearchParams();
  if (view.range !== "24h") query.set("range", view.range);
  if (view.by !== "gateway") query.set("by", view.by);
  if (view.currency) query.set("currency", view.currency);
  const text = query.toString();
  return text ? `?${text}` : "";
}

/**
 * The analytics input for a range ending with the current hour (HOUR) or the person's current day
 * (DAY). The API's buckets are whole UTC hours counted from `from`, so a day starts at the local
 * midnight when the browser's offset is a whole number of hours, and at UTC midnight otherwise
 * (UTC+5:30 cannot be asked for). `offsetMinutes` is east of UTC (−getTimezoneOffset()).
 */
export function analyticsInput(range: RangeName, now: number, offsetMinutes: number): { from: string; to: string; interval: "HOUR" | "DAY" } {
  const { interval, buckets } = RANGES[range];
  let to: number;
  if (interval === "HOUR") {
    to = Math.floor(now / HOUR) * HOUR + HOUR;
  } else {
    const offset = offsetMinutes % 60 === 0 ? offsetMinutes * 60_000 : 0;
    to = Math.floor((now + offset) / DAY) * DAY + DAY - offset;
  }
  const from = to - buckets * (interval === "HOUR" ? HOUR : DAY);
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString(), interval };
}
