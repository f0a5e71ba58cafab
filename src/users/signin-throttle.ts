// Failed sign-ins are counted per email (15 minutes) and per client IP (an hour) in Redis, so every
// api process shares the counts (rate-limiter-flexible, as the request limiter in
// src/server/rate-limit.ts). Over either limit, sign-in answers RATE_LIMITED before any password
// is checked; a success clears the email's count. While Redis is unreachable each process counts
// in memory (insuranceLimiter): a brute force never gets an unthrottled window.
import { createHash } from "node:crypto";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import type { App } from "../platform/app.js";
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

  /** RATE_LIMITED when this email or IP has used up its failures; nothing is counted here. */
  async check(email: string, ip: string): Promise<void> {
    const [e, i] = await Promise.all([this.byEmail.get(SignInThrottle.emailKey(email)), this.byIp.get(ip)]).catch((err: unknown) => {
      this.app.log.warn({ err }, "sign-in throttle unreadable; checking the password anyway");
      return [null, null] as const;
    });
    const blocked = [
      e && e.consumedPoints >= this.app.config.signInFailuresPerEmail ? e : undefined,
      i && i.consumedPoints >= this.app.config.signInFailuresPerIp ? i : undefined,
    ].filter((r): r is RateLimiterRes => r !== undefined);
    if (blocked.length) {
      const retryAfterMs = Math.max(1, ...blocked.map((r) => r.msBeforeNext));
      throw new AppError(ErrorCode.RATE_LIMITED, `Too many failed sign-ins; retry in ${Math.ceil(retryAfterMs / 1000)} s`, { retryAfterMs });
    }
  }

  async failed(email: string, ip: string): Promise<void> {
    await Promise.all([this.byEmail.consume(SignInThrottle.emailKey(email)), this.byIp.consume(ip)].map((p) => p.catch(() => undefined)));
  }

  async succeeded(email: string): Promise<void> {
    await this.byEmail.delete(SignInThrottle.emailKey(email)).catch(() => undefined);
  }
}

const throttles = new WeakMap<App, SignInThrottle>();
/** One throttle per process (its limiters hold the insurance counts). */
export function signInThrottle(app: App): SignInThrottle {
  let t = throttles.get(app);
  if (!t) throttles.set(app, (t = new SignInThrottle(app)));
  return t;
}
