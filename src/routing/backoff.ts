// How long the worker waits before retrying a transient gateway error on the same gateway, with
// the same idempotency key. Exponential from a base, capped, with "equal jitter": half of the
// delay is fixed and half random, so a burst of failures (a gateway hiccup hits every in-flight
// payment at once) does not come back in lockstep, yet no retry ever fires immediately.

export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
}

/** Delay before retry number `retry` (1 = the first retry). `random` is injectable for tests. */
export function retryDelayMs(retry: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, retry - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
