// The Overview's pure parts (web/dashboard/overview): the URL's view and the analytics question it
// becomes, buckets merged as the live subscription sends them, the series the charts draw (money
// added as minor units, never floats), and the live sets (held payments, firing alerts) merged
// from reads and pushes in any order.
import { describe, expect, it } from "vitest";
import { currenciesOf, isZero, mergeBuckets, paymentsIn, percent, rateSeries, sumAmounts, volumeSeries, type Bucket, type Group } from "../../web/dashboard/overview/figures.js";
import { afterRead, applyLive, byAlertState, byVersion, pushLive } from "../../web/dashboard/overview/live-set.js";
import { analyticsInput, overviewFromQuery, queryFromOverview } from "../../web/dashboard/overview/range.js";

describe("the Overview's URL and range", () => {
  it("round-trips the view through the query string, dropping defaults and what is not valid", () => {
    expect(overviewFromQuery(new URLSearchParams(""))).toEqual({ range: "24h", by: "gateway" });
    const view = overviewFromQuery(new URLSearchParams("range=30d&by=currency&currency=eur&x=1"));
    expect(view).toEqual({ range: "30d", by: "currency", currency: "EUR" });
    expect(queryFromOverview(view)).toBe("?range=30d&by=currency&currency=EUR");
    expect(queryFromOverview({ range: "24h", by: "gateway" })).toBe("");
    expect(overviewFromQuery(new URLSearchParams("range=1y&by=brand&currency=EURO"))).toEqual({ range: "24h", by: "gateway" });
  });
  it("asks for whole UTC hours ending with the current hour, or days ending with the person's day", () => {
    const now = Date.parse("2026-12-06T23:14:58.123Z");
    expect(analyticsInput("24h", now, 0)).toEqual({ from: "2026-12-06T00:00:00.000Z", to: "2026-12-07T00:00:00.000Z", interval: "HOUR" });
    // UTC+2: the local day 2026-12-07 started at 22:00Z.
    expect(analyticsInput("7d", now, 120)).toEqual({ from: "2026-11-30T22:00:00.000Z", to: "2026-12-07T22:00:00.000Z", interval: "DAY" });
    // UTC−5 at 23:14Z is 18:14 local on the 6th: that day ends at 05:00Z on the 7th.
    expect(analyticsInput("30d", now, -300).to).toBe("2026-12-07T05:00:00.000Z");
    // UTC+5:30 cannot be asked for in whole hours: UTC days.
    expect(analyticsInput("7d", now, 330).to).toBe("2026-12-07T00:00:00.000Z");
  });
});

const group = (currency: string, gateway: string | null, payments: number, volume: string, finished = 0, succeeded = 0): Group => ({
  key: { currency, gateway: gateway === null ? null : { id: `gwa_${gateway}`, name: gateway } },
  payments, volume: [{ amount: volume, currency }], attemptsFinished: finished, attemptsSucceeded: succeeded,
});
const bucket = (hour: number, ...groups: Group[]): Bucket => ({ start: `2026-12-06T${String(hour).padStart(2, "0")}:00:00.000Z`, groups });

describe("the charts' figures", () => {
  const buckets = [
    bucket(10, group("EUR", "alpha", 2, "12.50", 2, 2), group("EUR", "beta", 1, "0.10", 2, 1), group("JPY", "alpha", 5, "1000", 5, 5)),
    bucket(11),
    bucket(12, group("EUR", "alpha", 1, "0.20", 1, 1), group("EUR", null, 3, "0.00"), group("KWD", "beta", 1, "12.345", 1, 0)),
  ];

  it("merges changed buckets in place by their start, in time order, whatever the spelling of the instant", () => {
    const changed = { start: "2026-12-06T11:00:00Z", groups: [group("EUR", "alpha", 1, "1.00")] };
    const merged = mergeBuckets(buckets, [changed, bucket(9)]);
    expect(merged.map((b) => b.start)).toEqual(["2026-12-06T09:00:00.000Z", "2026-12-06T10:00:00.000Z", "2026-12-06T11:00:00Z", "2026-12-06T12:00:00.000Z"]);
    expect(merged[2]).toBe(changed);
    expect(mergeBuckets([], buckets)).toEqual(buckets);
  });

  it("adds volume within one currency as minor units, per gateway or in all, and leaves out lines with nothing", () => {
    // 12.50 + 0.20 would be 12.700000000000001 in floats.
    expect(volumeSeries(buckets, "gateway", "EUR")).toEqual([
      { label: "alpha", amounts: ["12.50", "0.00", "0.20"], total: "12.70" },
      { label: "beta", amounts: ["0.10", "0.00", "0.00"], total: "0.10" },
    ]);
    expect(volumeSeries(buckets, "currency", "EUR")).toEqual([{ label: "EUR", amounts: ["12.60", "0.00", "0.20"], total: "12.80" }]);
    expect(volumeSeries(buckets, "gateway", "KWD")).toEqual([{ label: "beta", amounts: ["0.000", "0.000", "12.345"], total: "12.345" }]);
    expect(volumeSeries(buckets, "gateway", "JPY")[0]!.total).toBe("1000");
    expect(volumeSeries(buckets, "gateway", "USD")).toEqual([]);
    expect(sumAmounts(["12.70", "0.10"])).toBe("12.80");
    expect([isZero("0.000"), isZero("0"), isZero("0.01")]).toEqual([true, true, false]);
  });

  it("counts authorization attempts per gateway or currency, across currencies, and leaves out lines without any", () => {
    expect(rateSeries(buckets, "gateway")).toEqual([
      { label: "alpha", succeeded: [7, 0, 1], finished: [7, 0, 1] },
      { label: "beta", succeeded: [1, 0, 0], finished: [2, 0, 1] },
    ]);
    expect(rateSeries(buckets, "currency").map((s) => s.label)).toEqual(["EUR", "JPY", "KWD"]);
    expect([percent(1, 2), percent(2, 3), percent(3, 3), percent(0, 0)]).toEqual(["50 %", "66.7 %", "100 %", null]);
  });

  it("lists the currencies busiest first and counts the payments", () => {
    expect(currenciesOf(buckets)).toEqual(["EUR", "JPY", "KWD"]);
    expect(paymentsIn(buckets)).toBe(13);
  });
});

describe("the live sets", () => {
  const held = (id: string, version: number, status = "REQUIRES_REVIEW") => ({ id, version, status });

  it("keeps the higher version of a payment, whichever comes first", () => {
    const known = applyLive(new Map(), [held("pay_a", 1)], byVersion);
    const approved = applyLive(known, [held("pay_a", 3, "PROCESSING")], byVersion);
    expect(approved.get("pay_a")!.status).toBe("PROCESSING");
    // A late, older copy changes nothing (the same map back: no re-render).
    expect(applyLive(approved, [held("pay_a", 2)], byVersion)).toBe(approved);
  });

  it("after a read: its answer is the set, with what was pushed meanwhile laid over it", () => {
    // The read answered before pay_a was approved (pushed meanwhile) and before pay_c was held.
    const set = afterRead([held("pay_a", 1), held("pay_b", 1)], [held("pay_a", 2, "PROCESSING"), held("pay_c", 1)], byVersion);
    expect([...set.values()].map((p) => `${p.id}:${p.status}`)).toEqual(["pay_a:PROCESSING", "pay_b:REQUIRES_REVIEW", "pay_c:REQUIRES_REVIEW"]);
  });

  it("never reopens a resolved alert from a late FIRING copy", () => {
    const resolved = applyLive(new Map(), [{ id: "alt_1", state: "RESOLVED" }], byAlertState);
    expect(applyLive(resolved, [{ id: "alt_1", state: "FIRING" }], byAlertState)).toBe(resolved);
    const firing = applyLive(new Map(), [{ id: "alt_1", state: "FIRING" }], byAlertState);
    expect(applyLive(firing, [{ id: "alt_1", state: "RESOLVED" }], byAlertState).get("alt_1")!.state).toBe("RESOLVED");
  });

  it("as pushes arrive: a decided payment or a resolved alert leaves the panel, and a late older copy does not bring it back", () => {
    const isHeld = (p: { status: string }) => p.status === "REQUIRES_REVIEW";
    const gone = new Map<string, ReturnType<typeof held>>();
    let queue = pushLive(new Map(), gone, held("pay_a", 1), byVersion, isHeld);
    expect([...queue.keys()]).toEqual(["pay_a"]);
    queue = pushLive(queue, gone, held("pay_a", 3, "PROCESSING"), byVersion, isHeld);
    expect(queue.size).toBe(0);
    expect(pushLive(queue, gone, held("pay_a", 2), byVersion, isHeld)).toBe(queue);
    // A payment never held changes nothing, and is not remembered (a page open all day stays small).
    expect(pushLive(queue, gone, held("pay_b", 1, "CAPTURED"), byVersion, isHeld)).toBe(queue);
    expect([...gone.keys()]).toEqual(["pay_a"]);

    const isFiring = (a: { state: string }) => a.state === "FIRING";
    const goneAlerts = new Map<string, { id: string; state: string }>();
    let open = pushLive(new Map(), goneAlerts, { id: "alt_1", state: "FIRING" }, byAlertState, isFiring);
    open = pushLive(open, goneAlerts, { id: "alt_1", state: "RESOLVED" }, byAlertState, isFiring);
    expect(open.size).toBe(0);
    expect(pushLive(open, goneAlerts, { id: "alt_1", state: "FIRING" }, byAlertState, isFiring)).toBe(open);
  });
});
