// Velocity counters for the risk step, in Redis: in fixed 10-minute windows, the attempts made with
// a card, and the distinct cards tried per customer, per email and per shopper IP. Read and bumped
// in one script call per confirmation. Like the gateways' figures, this is advice: on its own
// fail-fast connection, a Redis that errs or stalls reads as "no counts", never as a refusal.
import { createHash } from "node:crypto";
import type { Redis } from "ioredis";

export const VELOCITY_WINDOW_MS = 10 * 60_000;
const REDIS_TIMEOUT_MS = 100;

// KEYS[1]: the card's attempt counter; KEYS[2..]: sets of card fingerprints. ARGV: fingerprint, TTL ms.
const SCRIPT = `
local counts = { redis.call('INCR', KEYS[1]) }
if counts[1] == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
for i = 2, #KEYS do
  if redis.call('SADD', KEYS[i], ARGV[1]) == 1 and redis.call('PTTL', KEYS[i]) < 0 then redis.call('PEXPIRE', KEYS[i], ARGV[2]) end
  counts[i] = redis.call('SCARD', KEYS[i])
end
return counts`;

export interface VelocitySubject {
  merchantId: string;
  /** The card's keyed fingerprint (the vault's: same card, same merchant, same value). */
  fingerprint: string;
  customerId?: string | null;
  email?: string | null;
  ip?: string | null;
}

export interface VelocityCounts {
  /** Attempts with this card in the window, this one included. */
  cardAttempts: number;
  /** Distinct cards tried in the window, this one included (absent when the signal is absent). */
  cardsPerCustomer?: number;
  cardsPerEmail?: number;
  cardsPerIp?: number;
}

/** Emails and addresses do not appear in Redis keys as such. */
const digest = (value: string): string => createHash("sha256").update(value).digest("base64url").slice(0, 22);

export class RiskVelocity {
  constructor(private readonly redis: Redis, private readonly prefix: string, private readonly now: () => number = Date.now) {}

  /** Counts this attempt and answers the window's counts; undefined when Redis did not answer in time. */
  async count(s: VelocitySubject): Promise<VelocityCounts | undefined> {
    const bucket = Math.floor(this.now() / VELOCITY_WINDOW_MS);
    const key = (kind: string, value: string): string => `${this.prefix}:risk:${s.merchantId}:${kind}:${value}:${bucket}`;
    const sets: [keyof VelocityCounts, string][] = [];
    if (s.customerId) sets.push(["cardsPerCustomer", key("customer", s.customerId)]);
    if (s.email) sets.push(["cardsPerEmail", key("email", digest(s.email.toLowerCase()))]);
    if (s.ip) sets.push(["cardsPerIp", key("ip", digest(s.ip))]);
    const keys = [key("card", s.fingerprint), ...sets.map(([, k]) => k)];
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), REDIS_TIMEOUT_MS)));
    const counted = (this.redis.eval(SCRIPT, keys.length, ...keys, s.fingerprint, String(VELOCITY_WINDOW_MS + 60_000)) as Promise<number[]>)
      .catch(() => undefined);
    const counts = await Promise.race([counted, late]).finally(() => clearTimeout(timer));
    if (!counts) return undefined;
    const result: VelocityCounts = { cardAttempts: Number(counts[0]) };
    sets.forEach(([name], i) => ((result as unknown as Record<string, number>)[name] = Number(counts[i + 1])));
    return result;
  }
}
