// The charts' figures: `analytics` for the first paint, kept live by `analyticsUpdated` (first the
// whole range again, then the buckets that changed, at most once a second), merged by bucket start.
// A query answer that arrives after the subscription's first message is older news and is dropped.
// The range moves on by itself: at the end of its last bucket the question is asked anew.
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { DashboardOverviewAnalyticsDocument, DashboardOverviewAnalyticsLiveDocument, type DashboardOverviewFiguresFragment } from "@paygraph/client";
import { describeError } from "../api/errors.js";
import { api } from "../api/session.js";
import { mergeBuckets } from "./figures.js";
import { analyticsInput, type RangeName } from "./range.js";

export type Buckets = DashboardOverviewFiguresFragment["buckets"];

export interface AnalyticsState { buckets: Buckets | undefined; interval: "HOUR" | "DAY"; error: string }

export function useAnalytics(range: RangeName): AnalyticsState {
  const [tick, setTick] = useState(0);
  const input = useMemo(() => analyticsInput(range, Date.now(), -new Date().getTimezoneOffset()), [range, tick]);
  const [buckets, setBuckets] = useState<Buckets | undefined>(undefined);
  const [error, setError] = useState("");
  const shownRange = useRef(range);

  useEffect(() => {
    let alive = true;
    let live = false;
    const variables = { input: { ...input, groupBy: ["CURRENCY" as const, "GATEWAY" as const] } };
    const same = (answer: { from: string; to: string }): boolean =>
      Date.parse(answer.from) === Date.parse(input.from) && Date.parse(answer.to) === Date.parse(input.to);
    // Another range starts empty ("Loading…"); the same range moving on an hour keeps its figures
    // on screen until the new ones come (no flash, the charts and an open table stay).
    if (shownRange.current !== range) {
      shownRange.current = range;
      setBuckets(undefined);
    }
    setError("");
    api.query(DashboardOverviewAnalyticsDocument, variables).then(({ analytics }) => {
      if (alive && !live && same(analytics)) setBuckets(analytics.buckets);
    }, (err: unknown) => alive && setError(describeError(err)));
    const stop = api.subscribe(DashboardOverviewAnalyticsLiveDocument, variables, {
      next: ({ analyticsUpdated }) => {
        if (!alive || !same(analyticsUpdated)) return;
        // The first message is the whole range: it replaces what is shown (which may be the
        // previous window's); the next ones are the buckets that changed.
        const whole = !live;
        live = true;
        setBuckets((current) => (whole ? analyticsUpdated.buckets : mergeBuckets(current ?? [], analyticsUpdated.buckets)));
      },
      error: (err) => alive && setError(describeError(err)),
    });
    // A moment after the range's end, ask for the range ending an hour (or a day) later.
    const next = setTimeout(() => setTick((t) => t + 1), Date.parse(input.to) - Date.now() + 1000);
    return () => {
      alive = false;
      clearTimeout(next);
      stop();
    };
  }, [input.from, input.to]);

  return { buckets, interval: input.interval, error };
}
