import { describe, expect, it } from "vitest";
import { retryDelayMs } from "../../src/routing/backoff.js";
import { admit, closedBreaker, recordResult, visibleState, type Breaker } from "../../src/routing/circuit-breaker.js";

describe("retry backoff", () => {
  const policy = { baseMs: 100, capMs: 1000 };

  it("doubles from the base up to the cap, with half of each delay random", () => {
    const low = [1, 2, 3, 4, 5, 6].map((n) => retryDelayMs(n, policy, () => 0));
    const high = [1, 2, 3, 4, 5, 6].map((n) => retryDelayMs(n, policy, () => 1));
    expect(low).toEqual([50, 100, 200, 400, 500, 500]);
    expect(high).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it("never retries at once, and spreads a burst of failures", () => {
    const delays = Array.from({ length: 1000 }, () => retryDelayMs(3, policy));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(200);
    expect(Math.max(...delays)).toBeLessThanOrEqual(400);
    expect(new Set(delays).size).toBeGreaterThan(50);
  });
});

describe("circuit breaker", () => {
  const policy = { failureThreshold: 3, openMs: 1000 };
  const fail = (b: Breaker, now: number) => recordResult(b, false, now, policy);

  it("opens after consecutive failures only; an answer resets the count", () => {
    let b = closedBreaker();
    b = fail(fail(b, 0), 1);
    expect(b).toMatchObject({ state: "CLOSED", failures: 2 });
    b = recordResult(b, true, 2, policy);
    expect(b).toEqual(closedBreaker());
    b = fail(fail(fail(b, 3), 4), 5);
    expect(b).toMatchObject({ state: "OPEN", openedAt: 5 });
  });

  it("refuses calls while open, then lets exactly one probe through", () => {
    const open: Breaker = { state: "OPEN", failures: 3, openedAt: 0, probeSince: null };
    expect(admit(open, 999, policy).allowed).toBe(false);
    expect(visibleState(open, 999, policy)).toBe("OPEN");
    expect(visibleState(open, 1000, policy)).toBe("HALF_OPEN");
    const probe = admit(open, 1000, policy);
    expect(probe).toMatchObject({ allowed: true, breaker: { state: "HALF_OPEN", probeSince: 1000 } });
    expect(admit(probe.breaker, 1001, policy).allowed).toBe(false);
  });

  it("closes when the probe succeeds, and opens again when it fails", () => {
    const halfOpen: Breaker = { state: "HALF_OPEN", failures: 3, openedAt: 0, probeSince: 1000 };
    expect(recordResult(halfOpen, true, 1100, policy)).toEqual(closedBreaker());
    expect(fail(halfOpen, 1100)).toMatchObject({ state: "OPEN", openedAt: 1100, probeSince: null });
  });

  it("gives up on a probe that never reported, so it cannot stay half-open", () => {
    const stuck: Breaker = { state: "HALF_OPEN", failures: 3, openedAt: 0, probeSince: 1000 };
    expect(admit(stuck, 1999, policy).allowed).toBe(false);
    expect(admit(stuck, 2000, policy)).toMatchObject({ allowed: true, breaker: { probeSince: 2000 } });
  });
});
