// Failed sign-ins are counted per email (15 minutes) and per client IP (an hour) in Redis, so every
// api process shares the counts (rate-limiter-flexible, as the request limiter in
// src/server/rate-limit.ts). Over either limit, sign-in answers RATE_LIMITED before any password
// is checked; a success clears the email's count. While Redis is unreachable each process counts
// in memory (insuranceLimiter), so losing Redis does not open an unthrottled window; only an
// unexpected limiter error lets an attempt through (logged), as a limiter must never lock everyone out.
import { createHash } from "node:crypto";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import type { App } from "../app/app.js";
import { AppError, ErrorCode } from "../platform/errors.js";

const EMAIL_WINDOW_S = 15 * 60;
const IP_WINDOW_S = 3600;

const limiter = (app: App, what: string, points: number, duration: number): RateLimiterRedis =>
  new RateLimiterRedis({
    storeClient: app.redis,
    keyPrefix: `${app.config.redisPrefix}:signin:${what}`,
    points,
    duration,
    rejectIfRedisNotReady: true,
    insuranceLimiter: new RateLimiterMemory({ keyPrefix: `${app.config.redisPrefix}:signin:${what}`, points, duration }),
  });

export class SignInThrottle {
  private readonly byEmail: RateLimiterRedis;
  private readonly byIp: RateLimiterRedis;

  constructor(private readonly app: App) {
    this.byEmail = limiter(app, "email", app.config.signInFailuresPerEmail, EMAIL_WINDOW_S);
    this.byIp = limiter(app, "ip", app.config.signInFailuresPerIp, IP_WINDOW_S);
  }

  // Emails are kept out of Redis: the counter's key is a hash.
  private static emailKey = (email: string): string => createHash("sha256").update(email).digest("hex").slice(0, 32);

  /**
   * Counts this attempt against the email and the IP before the password is checked (so parallel
   * guesses cannot all slip in before the first failure is counted); RATE_LIMITED once either has
   * used up its allowance. `succeeded` hands the attempt back.
   */
  async attempt(email: string, ip: string): Promise<void> {
    const results = await Promise.allSettled([this.byEmail.consume(SignInThrottle.emailKey(email)), this.byIp.consume(ip)]);
    const blocked: RateLimiterRes[] = [];
    for (const r of results) {
      if (r.status === "fulfilled") continue;
      if (r.reason instanceof RateLimiterRes) blocked.push(r.reason);
      else this.app.log.warn({ err: r.reason }, "sign-in throttle failed; checking the password anyway");
    }
    if (blocked.length) {
      const retryAfterMs = Math.max(1, ...blocked.map((r) => r.msBeforeNext));
      throw new AppError(ErrorCode.RATE_LIMITED, `Too many failed sign-ins; retry in ${Math.ceil(retryAfterMs / 1000)} s`, { retryAfterMs });
    }
  }

  /** A success clears the email's count and gives the IP its attempt back. */
  async succeeded(email: string, ip: string): Promise<void> {
    await Promise.all([this.byEmail.delete(SignInThrottle.emailKey(email)), this.byIp.reward(ip, 1)].map((p) => p.catch(() => undefined)));
  }
}

const throttles = new WeakMap<App, SignInThrottle>();
/** One throttle per process (its limiters hold the insurance counts). */
export function signInThrottle(app: App): SignInThrottle {
  let t = throttles.get(app);
  if (!t) throttles.set(app, (t = new SignInThrottle(app)));
  return t;
}
