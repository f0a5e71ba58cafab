// When a request is tried again, and after how long. Only failures that say nothing was done, or
// that a second try under the same idempotency key makes safe, are retried; an answer about the
// request itself (BAD_USER_INPUT, CARD_DECLINED, FORBIDDEN, …) would only come back the same.
import type { PaygraphError } from "./errors.js";

export interface RetryOptions {
  /** Retries after the first try (default 3); 0 turns retrying off. */
  retries?: number;
  /** The first back-off (default 250 ms); each retry doubles it, with jitter. */
  baseDelayMs?: number;
  /**
   * The longest wait (default 5000 ms). A server asking for longer (`retryAfterMs`, `Retry-After`)
   * is not waited for: its error is thrown, so the caller decides.
   */
  maxDelayMs?: number;
}

export type RetryPolicy = Required<RetryOptions>;

export const retryPolicy = (options: RetryOptions = {}): RetryPolicy => ({
  retries: options.retries ?? 3,
  baseDelayMs: options.baseDelayMs ?? 250,
  maxDelayMs: options.maxDelayMs ?? 5000,
});

/**
 * Exponential back-off with equal jitter (half fixed, half random): retries spread out instead of
 * arriving together, and none comes sooner than half its step.
 */
export function backoffMs(retry: number, baseDelayMs: number, maxDelayMs: number): number {
  const step = Math.min(maxDelayMs, baseDelayMs * 2 ** retry);
  return step / 2 + Math.random() * (step / 2);
}

/** Codes that mean "not now", not "no": the same request may succeed later. */
const TRANSIENT_CODES = new Set(["IDEMPOTENCY_IN_PROGRESS", "SERVICE_UNAVAILABLE"]);

/**
 * The delay before retry number `retry` (0-based), or undefined when the error must be thrown.
 * `repeatable`: the request may run twice without harm (a query, or a mutation under an
 * idempotency key). Otherwise only a refusal made before anything ran (RATE_LIMITED) is retried.
 */
export function retryDelayMs(error: PaygraphError, retry: number, policy: RetryPolicy, repeatable: boolean): number | undefined {
  if (retry >= policy.retries) return undefined;
  const refusedBeforeRunning = error.code === "RATE_LIMITED";
  const transient = refusedBeforeRunning
    || TRANSIENT_CODES.has(error.code)
    || error.extensions.retryable === true
    || error.code === "NETWORK_ERROR"
    || (error.status !== undefined && error.status >= 500);
  if (!transient || (!repeatable && !refusedBeforeRunning)) return undefined;
  const wait = error.retryAfterMs ?? backoffMs(retry, policy.baseDelayMs, policy.maxDelayMs);
  return wait > policy.maxDelayMs ? undefined : wait;
}

/** Resolves after `ms`, or rejects with the signal's reason once it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
