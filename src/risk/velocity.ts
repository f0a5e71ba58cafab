// Velocity counters for the risk step, in Redis sorted sets over a sliding 10-minute window: the
// confirmations made with a card (one member per payment version, so a retried request is counted
// once), and the distinct cards tried per customer, per email and per shopper IP; and the card's
// history here (its confirmations and their sum, per currency, forgotten 30 days after its last
// use), for the model's "N× this card's usual amount". Read and bumped in one script call per
// confirmation. Like the gateways' figures this is advice: on its own
// fail-fast connection, a Redis that errs or is late reads as "no counts" (counted on /metrics),
// never as a refusal.
import type { Redis } from "ioredis";
import ipaddr from "ipaddr.js";

export const VELOCITY_WINDOW_MS = 10 * 60_000;
export const CARD_HISTORY_MS = 30 * 24 * 3_600_000;
/** Longest a confirmation waits for the counts (an event loop busy with other work is part of it). */
const REDIS_TIMEOUT_MS = 250;

// KEYS[1]: the card's confirmations; KEYS[2]: the card's history in this currency (a hash n, sum);
// KEYS[3..]: cards per customer, email, IP. ARGV: now ms, window ms, this confirmation's member, the
// card's fingerprint, the amount in minor units, the history's lifetime ms. Answers the counts, then
// the history as it was before this confirmation (which it adds once, however often it is retried).
const SCRIPT = `
local now, window = tonumber(ARGV[1]), tonumber(ARGV[2])
local counts = {}
local first = redis.call('ZADD', KEYS[1], now, ARGV[3])
for i = 1, #KEYS do
  if i ~= 2 then
    if i > 2 then redis.call('ZADD', KEYS[i], now, ARGV[4]) end
    redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window)
    redis.call('PEXPIRE', KEYS[i], window)
    counts[#counts + 1] = redis.call('ZCARD', KEYS[i])
  end
end
local history = redis.call('HMGET', KEYS[2], 'n', 'sum')
if first == 1 then
  redis.call('HINCRBY', KEYS[2], 'n', 1)
  redis.call('HINCRBY', KEYS[2], 'sum', ARGV[5])
  redis.call('PEXPIRE', KEYS[2], ARGV[6])
end
counts[#counts + 1] = history[1] or '0'
counts[#counts + 1] = history[2] or '0'
return counts`;

export interface VelocitySubject {
  merchantId: string;
  /** This confirmation: counted once however often its request is retried (the payment and its version). */
  confirmation: string;
  /** The card's keyed fingerprint (the vault's: same card, same merchant, same value). */
  fingerprint: string;
  currency: string;
  amountMinor: bigint;
  customerId?: string | null;
  /** Keyed digests (never the email or address itself): see `signalKey`. */
  emailKey?: string | null;
  ipKey?: string | null;
}

export interface VelocityCounts {
  /** Confirmations with this card in the window, this one included. */
  cardAttempts: number;
  /** The card's confirmations here in this currency before this one (its history), and their sum. */
  cardPayments: number;
  cardAmountSum: bigint;
  /** Distinct cards tried in the window, this one included (absent when the signal is absent). */
  cardsPerCustomer?: number;
  cardsPerEmail?: number;
  cardsPerIp?: number;
}

/** An IP address as counted: IPv4 (also when IPv4-mapped), or an IPv6 address's /64 (one subscriber's network). */
export function ipForVelocity(ip: string): string {
  const parsed = ipaddr.process(ip);
  if (parsed.kind() === "ipv4") return parsed.toString();
  return `${(parsed as ipaddr.IPv6).parts.slice(0, 4).map((p) => p.toString(16)).join(":")}::/64`;
}

export class RiskVelocity {
  constructor(private readonly redis: Redis, private readonly prefix: string) {
    // EVALSHA after the first call (ioredis loads the script once per connection).
    redis.defineCommand("paygraphRiskVelocity", { lua: SCRIPT });
  }

  /** Counts this confirmation and answers the window's counts; undefined when Redis did not answer in time. */
  async count(s: VelocitySubject): Promise<VelocityCounts | undefined> {
    const key = (kind: string, value: string): string => `${this.prefix}:risk:${s.merchantId}:${kind}:${value}`;
    const sets: [keyof VelocityCounts, string][] = [];
    if (s.customerId) sets.push(["cardsPerCustomer", key("customer", s.customerId)]);
    if (s.emailKey) sets.push(["cardsPerEmail", key("email", s.emailKey)]);
    if (s.ipKey) sets.push(["cardsPerIp", key("ip", s.ipKey)]);
    const keys = [key("card", s.fingerprint), key("card-amounts", `${s.fingerprint}:${s.currency}`), ...sets.map(([, k]) => k)];
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), REDIS_TIMEOUT_MS)));
    const script = (this.redis as unknown as { paygraphRiskVelocity(...args: (string | number)[]): Promise<(number | string)[]> }).paygraphRiskVelocity;
    const counted = script.call(this.redis, keys.length, ...keys, String(Date.now()), String(VELOCITY_WINDOW_MS), s.confirmation, s.fingerprint, s.amountMinor.toString(), String(CARD_HISTORY_MS))
      .catch(() => undefined);
    const counts = await Promise.race([counted, late]).finally(() => clearTimeout(timer));
    if (!counts) return undefined;
    const result: VelocityCounts = { cardAttempts: Number(counts[0]), cardPayments: Number(counts[sets.length + 1]), cardAmountSum: BigInt(counts[sets.length + 2]!) };
    sets.forEach(([name], i) => ((result as unknown as Record<string, number>)[name] = Number(counts[i + 1])));
    return result;
  }
}
