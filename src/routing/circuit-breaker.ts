// A circuit breaker per gateway account, as a pure state machine: the worker feeds it call
// results and asks it before each call. CLOSED counts consecutive failures (a failure is a call
// with no usable answer: timeout, 5xx, refused connection — a card decline is an answer); at the
// threshold it OPENs and the gateway is skipped for `openMs`; then it is HALF_OPEN and lets one
// probe through: success closes it, failure opens it again. A probe that never reports (its
// worker died) is given up after `openMs`, so the breaker cannot stay stuck half-open.

export type CircuitState = "CLOSED" | "OPEN" | "HALF_OPEN";

export interface BreakerPolicy {
  failureThreshold: number;
  openMs: number;
}

export interface Breaker {
  state: CircuitState;
  /** Consecutive failures while CLOSED. */
  failures: number;
  /** When it last opened (ms epoch), for the cool-down. */
  openedAt: number | null;
  /** When the HALF_OPEN probe was let through, null when none is in flight. */
  probeSince: number | null;
}

export const closedBreaker = (): Breaker => ({ state: "CLOSED", failures: 0, openedAt: null, probeSince: null });

/** May a call go to this gateway now? Returns the breaker after the question (a probe is counted). */
export function admit(b: Breaker, now: number, policy: BreakerPolicy): { allowed: boolean; breaker: Breaker } {
  switch (b.state) {
    case "CLOSED":
      return { allowed: true, breaker: b };
    case "OPEN":
      if (now - (b.openedAt ?? now) < policy.openMs) return { allowed: false, breaker: b };
      return { allowed: true, breaker: { ...b, state: "HALF_OPEN", probeSince: now } };
    case "HALF_OPEN":
      if (b.probeSince !== null && now - b.probeSince < policy.openMs) return { allowed: false, breaker: b };
      return { allowed: true, breaker: { ...b, probeSince: now } };
  }
}

/** The breaker after a call's result: `ok` is false only for calls that got no usable answer. */
export function recordResult(b: Breaker, ok: boolean, now: number, policy: BreakerPolicy): Breaker {
  if (ok) return b.state === "CLOSED" && b.failures === 0 ? b : closedBreaker();
  if (b.state === "HALF_OPEN") return { state: "OPEN", failures: b.failures + 1, openedAt: now, probeSince: null };
  if (b.state === "OPEN") return b; // a call admitted before it opened: already counted as open
  const failures = b.failures + 1;
  return failures >= policy.failureThreshold ? { state: "OPEN", failures, openedAt: now, probeSince: null } : { ...b, failures };
}

/** What a reader (the route planner, the `gateways` query) should assume at `now`. */
export function visibleState(b: Breaker, now: number, policy: BreakerPolicy): CircuitState {
  return b.state === "OPEN" && now - (b.openedAt ?? now) >= policy.openMs ? "HALF_OPEN" : b.state;
}
