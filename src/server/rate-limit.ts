// Per-credential request limits, counted in Redis so every api process shares one budget per key
// (rate-limiter-flexible, fixed one-second windows). A limiter must never take the API down: while
// Redis is unreachable each process counts in memory instead (insuranceLimiter), and any other
// failure lets the request through.
import type { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { AppError, ErrorCode } from "../platform/errors.js";
import type { Logger } from "../platform/logger.js";
import type { Principal } from "../auth/principal.js";

/** One request's standing: the draft IETF RateLimit header fields are made from it. */
export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Until the window resets (and, when refused, until a retry can succeed). */
  resetMs: number;
}

export class CredentialLimiter {
  /** One limiter per distinct limit (the default and a few per-key overrides); they share the counters. */
  private readonly limiters = new Map<number, RateLimiterRedis>();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly defaultPerSecond: number,
    private readonly log: Logger,
    /** Requests a second of one address that carries no valid credential (it may be guessing one). */
    private readonly perIpPerSecond = 0,
  ) {}

  /** Counts one request: against its credential, or, without a valid one, against its address. */
  async takeFor(auth: Principal | AppError, ip: string): Promise<RateDecision | undefined> {
    return auth instanceof AppError ? this.take(`ip:${ip}`, this.perIpPerSecond) : this.take(auth.rateLimitKey ?? auth.credentialId, auth.rateLimitPerSecond);
  }

  /** Counts one request of `keyId`; undefined when the key is not limited (limit 0). */
  async take(keyId: string, override: number | null): Promise<RateDecision | undefined> {
    const limit = override ?? this.defaultPerSecond;
    if (limit <= 0) return undefined;
    try {
      const res = await this.limiter(limit).consume(keyId);
      return { allowed: true, limit, remaining: res.remainingPoints, resetMs: res.msBeforeNext };
    } catch (err) {
      if (err instanceof RateLimiterRes) return { allowed: false, limit, remaining: 0, resetMs: Math.max(1, err.msBeforeNext) };
      this.log.warn({ err }, "rate limiter failed; request let through");
      return undefined;
    }
  }

  private limiter(points: number): RateLimiterRedis {
    let limiter = this.limiters.get(points);
    if (!limiter) {
      limiter = new RateLimiterRedis({
        storeClient: this.redis,
        keyPrefix: `${this.prefix}:ratelimit`,
        points,
        duration: 1,
        // Not "ready" (reconnecting): straight to the in-memory count, no waiting on a dead Redis.
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory({ keyPrefix: `${this.prefix}:ratelimit`, points, duration: 1 }),
      });
      this.limiters.set(points, limiter);
    }
    return limiter;
  }
}

export function rateLimitHeaders(d: RateDecision): Record<string, string> {
  const resetS = String(Math.ceil(d.resetMs / 1000));
  return {
    "ratelimit-limit": String(d.limit),
    "ratelimit-remaining": String(d.remaining),
    "ratelimit-reset": resetS,
    ...(d.allowed ? {} : { "retry-after": resetS }),
  };
}

export const rateLimited = (d: RateDecision, what = "this API key"): AppError =>
  new AppError(ErrorCode.RATE_LIMITED, `Rate limit of ${d.limit} requests per second exceeded for ${what}; retry in ${d.resetMs} ms`, { retryAfterMs: d.resetMs, limit: d.limit });
