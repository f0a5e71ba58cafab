// The pure parts of analytics: ranges and buckets, the latency histogram, the trailing throttle.
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { LATENCY_BOUNDS_MS, latencyBin, percentileBin } from "../../src/analytics/latency.js";
import { analyticsRange, bucketOf, bucketStart, dailyGrain, offsetDays, subRange } from "../../src/analytics/range.js";
import { throttle } from "../../src/analytics/throttle.js";
import { AppError } from "../../src/platform/errors.js";

const at = (iso: string): Date => new Date(iso);

describe("analytics ranges", () => {
  it("cuts HOUR and DAY buckets from `from`, `to` exclusive", () => {
    const hours = analyticsRange(at("2026-11-25T12:00:00+02:00"), at("2026-11-25T13:00:00Z"), "HOUR");
    expect(hours.buckets).toBe(3);
    expect(bucketStart(hours, 0).toISOString()).toBe("2026-11-25T10:00:00.000Z");
    expect(bucketOf(hours, at("2026-11-25T10:59:59.999Z"))).toBe(0);
    expect(bucketOf(hours, at("2026-11-25T11:00:00.000Z"))).toBe(1);
    expect(bucketOf(hours, at("2026-11-25T13:00:00.000Z"))).toBeUndefined();
    expect(bucketOf(hours, at("2026-11-25T09:59:59.999Z"))).toBeUndefined();
    const part = subRange(hours, 1, 2);
    expect([part.from.toISOString(), part.to.toISOString(), part.buckets]).toEqual(["2026-11-25T11:00:00.000Z", "2026-11-25T13:00:00.000Z", 2]);

    const days = analyticsRange(at("2026-11-24T22:00:00Z"), at("2026-11-26T22:00:00Z"), "DAY");
    expect(days.buckets).toBe(2);
    expect(bucketOf(days, at("2026-11-25T21:59:59.999Z"))).toBe(0);
    expect(bucketOf(days, at("2026-11-25T22:00:00Z"))).toBe(1);
    expect(dailyGrain(days)).toBe(false);
    expect(dailyGrain(analyticsRange(at("2026-11-24T00:00:00Z"), at("2026-11-26T00:00:00Z"), "DAY"))).toBe(true);
  });

  it.each([
    ["from after to", "2026-11-25T11:00:00Z", "2026-11-25T10:00:00Z", "HOUR"],
    ["an empty range", "2026-11-25T10:00:00Z", "2026-11-25T10:00:00Z", "HOUR"],
    ["from inside an hour", "2026-11-25T10:00:01Z", "2026-11-25T11:00:01Z", "HOUR"],
    ["a half-hour offset that is not a whole UTC hour", "2026-11-25T10:00:00+05:30", "2026-11-25T11:00:00+05:30", "HOUR"],
    ["a partial last day", "2026-11-25T00:00:00Z", "2026-11-26T01:00:00Z", "DAY"],
    ["745 hours", "2026-11-01T00:00:00Z", "2026-12-02T01:00:00Z", "HOUR"],
  ] as const)("refuses %s as BAD_USER_INPUT", (_what, from, to, interval) => {
    expect(() => analyticsRange(at(from), at(to), interval)).toThrow(AppError);
    try {
      analyticsRange(at(from), at(to), interval);
    } catch (err) {
      expect((err as AppError).code).toBe("BAD_USER_INPUT");
    }
  });
});

describe("DAY buckets off UTC midnight", () => {
  const iso = (d: Date): string => d.toISOString();
  const plan = (from: string, to: string) => {
    const o = offsetDays(analyticsRange(at(from), at(to), "DAY"));
    return o && { days: [iso(o.days.from), iso(o.days.to)], edges: [iso(o.edges.from), o.edges.hours, o.edges.sign] };
  };

  it("anchors a bucket starting before noon on its first day: minus that day's hours before it, plus the next day's inside it", () => {
    expect(plan("2026-11-24T02:00:00Z", "2026-11-26T02:00:00Z")).toEqual({
      days: ["2026-11-24T00:00:00.000Z", "2026-11-26T00:00:00.000Z"], edges: ["2026-11-24T00:00:00.000Z", 2, -1] });
    expect(plan("2026-11-24T12:00:00Z", "2026-11-25T12:00:00Z")?.edges).toEqual(["2026-11-24T00:00:00.000Z", 12, -1]);
  });

  it("anchors a later bucket on the day it ends in: plus its hours of the day before, minus the hours after it", () => {
    expect(plan("2026-11-24T22:00:00Z", "2026-11-26T22:00:00Z")).toEqual({
      days: ["2026-11-25T00:00:00.000Z", "2026-11-27T00:00:00.000Z"], edges: ["2026-11-24T22:00:00.000Z", 2, 1] });
    expect(plan("2026-11-24T13:00:00Z", "2026-11-25T13:00:00Z")?.edges).toEqual(["2026-11-24T13:00:00.000Z", 11, 1]);
  });

  it("leaves HOUR and midnight DAY ranges as they are", () => {
    expect(plan("2026-11-24T00:00:00Z", "2026-11-26T00:00:00Z")).toBeUndefined();
    expect(offsetDays(analyticsRange(at("2026-11-24T02:00:00Z"), at("2026-11-24T05:00:00Z"), "HOUR"))).toBeUndefined();
  });
});

describe("latency histogram", () => {
  it("puts a round trip in the bin whose upper bound is the first not below it", () => {
    expect([0, 10, 11, 25, 26, 120, 60_000, 60_001].map(latencyBin)).toEqual([0, 0, 1, 1, 2, 5, 20, 21]);
  });

  it("has the same bounds as the database's analytics_latency_bin", () => {
    const dir = path.resolve(import.meta.dirname, "../../prisma/migrations");
    const migration = readdirSync(dir).find((d) => d.endsWith("_analytics_triggers")) ?? "";
    const sql = readFileSync(path.join(dir, migration, "migration.sql"), "utf8");
    const bounds = /unnest\(ARRAY\[([\d, ]+)\]\)/.exec(sql)?.[1]?.split(",").map(Number);
    expect(bounds).toEqual([...LATENCY_BOUNDS_MS]);
  });

  it("reports nearest-rank percentiles as the bin holding them", () => {
    // samples: 3 in (0,10], 1 in (100,150], 1 above 60 s
    const bins = new Map([[0, 3], [5, 1], [21, 1]]);
    expect(percentileBin(bins, 50)).toEqual({ percentile: 50, aboveMs: 0, atMostMs: 10 });
    expect(percentileBin(bins, 80)).toEqual({ percentile: 80, aboveMs: 100, atMostMs: 150 });
    expect(percentileBin(bins, 99)).toEqual({ percentile: 99, aboveMs: 60_000, atMostMs: null });
    expect(percentileBin(new Map([[3, 0]]), 50)).toBeUndefined();
    // the same histogram as an array indexed by bin (a rollup row's count columns)
    expect(percentileBin(Array.from({ length: 22 }, (_, bin) => bins.get(bin) ?? 0), 80)).toEqual({ percentile: 80, aboveMs: 100, atMostMs: 150 });
  });
});

/** A source the test pushes into. */
function pushable<T>() {
  const queue: T[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  const source: AsyncIterator<T> = {
    next: async () => {
      while (queue.length === 0 && !ended) await new Promise<void>((r) => (wake = r));
      return queue.length ? { done: false, value: queue.shift() as T } : { done: true, value: undefined };
    },
    return: async () => {
      ended = true;
      wake?.();
      return { done: true, value: undefined };
    },
  };
  return { source, push: (v: T) => (queue.push(v), wake?.()), end: () => ((ended = true), wake?.()) };
}

describe("throttle", () => {
  it("sends a burst as few messages, the last one with the final state", async () => {
    const { source, push, end } = pushable<number>();
    let state = 0;
    const sent: number[] = [];
    const stream = throttle<number, number, number>(source, {
      intervalMs: 100,
      first: async () => state,
      merge: (_pending, item) => item,
      produce: async () => state,
    });
    const reading = (async () => {
      for await (const value of stream) sent.push(value);
    })();
    for (let i = 1; i <= 50; i += 1) {
      state = i;
      push(i);
      if (i % 10 === 0) await new Promise((r) => setTimeout(r, 30));
    }
    end();
    await reading;
    expect(sent[0]).toBe(0);
    expect(sent.at(-1)).toBe(50);
    expect(sent.length).toBeLessThan(10);
  });

  it("stops at once when the consumer leaves, and releases the source", async () => {
    const { source, push } = pushable<number>();
    let released = false;
    const wrapped: AsyncIterator<number> = { next: () => source.next(), return: async () => ((released = true), { done: true, value: undefined }) };
    const stream = throttle<number, number, number>(wrapped, { intervalMs: 10_000, first: async () => 0, merge: (_p, i) => i, produce: async (p) => p });
    expect(await stream.next()).toEqual({ done: false, value: 0 });
    push(1);
    const pending = stream.next(); // waits for the interval
    await stream.return?.();
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(released).toBe(true);
  });
});
