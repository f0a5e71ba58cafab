// The gateways' recent record, shared by every process through Redis: per (account, segment) an
// approval count in time buckets — a sliding window the route planner ranks by — and per account
// the circuit breaker (src/routing/circuit-breaker.ts), stored whole so that every worker and the
// api's planner see one breaker. Redis is advice here, never a dependency of a payment: on its own
// fail-fast connection, any error or slow answer reads as "no data, circuit closed".
import type { Redis } from "ioredis";
import { admit, closedBreaker, recordResult, visibleState, type Breaker, type BreakerPolicy } from "./circuit-breaker.js";
import type { GatewayStat } from "./route-plan.js";

export interface StatsPolicy {
  /** Length of the success-rate window; it slides in `buckets` steps. */
  windowMs: number;
  buckets: number;
  breaker: BreakerPolicy;
  /**
   * How long `read` reuses an answer (per accounts and segment). A ten-minute window moves little
   * in a second, and the worker's `admit` still asks the breaker itself before every call; the
   * saving is ~11 Redis commands per routed payment (a GET and a bucket's HMGET each per account).
   */
  readCacheMs?: number;
}

/** How a call ended, for the figures: an approval, a refusal (the gateway worked), or no usable answer. */
export type CallResult = "approved" | "declined" | "failed";

/** Longest a payment waits for Redis here; past it, the answer is "no data, circuit closed". */
const REDIS_TIMEOUT_MS = 200;

/** `work`, or `fallback` when it fails or takes longer than REDIS_TIMEOUT_MS (a stalled Redis). */
async function within<T>(work: Promise<T>, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((resolve) => (timer = setTimeout(() => resolve(fallback), REDIS_TIMEOUT_MS)));
  return Promise.race([work.catch(() => fallback), late]).finally(() => clearTimeout(timer));
}

/** A breaker as stored; anything unreadable counts as closed. */
function parseBreaker(raw: unknown): Breaker {
  if (typeof raw !== "string") return closedBreaker();
  try {
    const b = JSON.parse(raw) as Breaker;
    return b && typeof b === "object" && typeof b.state === "string" ? b : closedBreaker();
  } catch {
    return closedBreaker();
  }
}

export const segmentOf = (currency: string, brand: string): string => `${currency}:${brand}`;
/** The pseudo-segment every call is also counted in. */
export const ALL_SEGMENTS = "*";

export class GatewayStats {
  private readonly recent = new Map<string, { until: number; stats: Promise<Map<string, GatewayStat>> }>();

  constructor(private readonly redis: Redis, private readonly prefix: string, readonly policy: StatsPolicy, private readonly now: () => number = Date.now) {}

  private get bucketMs(): number {
    return Math.max(1, Math.floor(this.policy.windowMs / this.policy.buckets));
  }
  private windowKey(accountId: string, segment: string, bucket: number): string {
    return `${this.prefix}:sr:${accountId}:${segment}:${bucket}`;
  }
  private breakerKey(accountId: string): string {
    return `${this.prefix}:cb:${accountId}`;
  }

  /** Counts a call in the window and feeds the account's breaker. Never throws, never waits long. */
  async record(accountId: string, segment: string, result: CallResult): Promise<void> {
    const bucket = Math.floor(this.now() / this.bucketMs);
    const work = async (): Promise<void> => {
      const multi = this.redis.multi();
      // The segment's window for routing, and the account's whole window for the `gateways` query.
      for (const key of [this.windowKey(accountId, segment, bucket), this.windowKey(accountId, ALL_SEGMENTS, bucket)]) {
        multi.hincrby(key, "calls", 1).hincrby(key, "approved", result === "approved" ? 1 : 0).pexpire(key, this.policy.windowMs + this.bucketMs);
      }
      await multi.exec();
      await this.updateBreaker(accountId, (b) => recordResult(b, result !== "failed", this.now(), this.policy.breaker));
    };
    await within(work(), undefined);
  }

  /** May the worker call this account now? A HALF_OPEN breaker lets one probe through. */
  async admit(accountId: string): Promise<boolean> {
    const work = async (): Promise<boolean> => {
      let allowed = true;
      await this.updateBreaker(accountId, (b) => {
        const answer = admit(b, this.now(), this.policy.breaker);
        allowed = answer.allowed;
        return answer.breaker;
      });
      return allowed;
    };
    return within(work(), true);
  }

  /** Last writer wins: two workers racing on one breaker can lose a failure count, never a state. */
  private async updateBreaker(accountId: string, change: (b: Breaker) => Breaker): Promise<void> {
    const before = await this.breaker(accountId);
    const after = change(before);
    if (after !== before) await this.redis.set(this.breakerKey(accountId), JSON.stringify(after), "PX", 86_400_000);
  }

  private async breaker(accountId: string): Promise<Breaker> {
    return parseBreaker(await this.redis.get(this.breakerKey(accountId)));
  }

  /** Each account's window totals for the segment and its circuit, in one round trip (or none, see readCacheMs). */
  read(accountIds: readonly string[], segment: string): Promise<Map<string, GatewayStat>> {
    const ttl = this.policy.readCacheMs ?? 0;
    if (ttl <= 0) return this.readNow(accountIds, segment);
    const key = `${segment}\0${accountIds.join(",")}`;
    const now = this.now();
    const hit = this.recent.get(key);
    if (hit && hit.until > now) return hit.stats;
    if (this.recent.size > 10_000) this.recent.clear(); // bounded: segments × account sets of a process
    const stats = this.readNow(accountIds, segment);
    this.recent.set(key, { until: now + ttl, stats });
    return stats;
  }

  /**
   * Every call of each account (all segments) over the last `windowMs` (rounded up to whole
   * buckets, at most the policy's window), read now: what alert rules on success rates measure.
   */
  recentTotals(accountIds: readonly string[], windowMs: number): Promise<Map<string, GatewayStat>> {
    const buckets = Math.min(this.policy.buckets, Math.max(1, Math.ceil(windowMs / this.bucketMs)));
    return this.readNow(accountIds, ALL_SEGMENTS, buckets);
  }

  private async readNow(accountIds: readonly string[], segment: string, buckets = this.policy.buckets): Promise<Map<string, GatewayStat>> {
    const result = new Map<string, GatewayStat>();
    if (accountIds.length === 0) return result;
    const last = Math.floor(this.now() / this.bucketMs);
    const pipeline = this.redis.pipeline();
    for (const id of accountIds) {
      pipeline.get(this.breakerKey(id));
      for (let b = last - buckets + 1; b <= last; b++) pipeline.hmget(this.windowKey(id, segment, b), "approved", "calls");
    }
    const replies = await within(pipeline.exec(), null);
    if (!replies) return result;
    let i = 0;
    for (const id of accountIds) {
      const [, raw] = replies[i++]!;
      const breaker = parseBreaker(raw);
      const stat: GatewayStat = { approved: 0, calls: 0, circuit: visibleState(breaker, this.now(), this.policy.breaker) };
      for (let b = 0; b < buckets; b++) {
        const [, fields] = replies[i++]!;
        const [approved, calls] = (fields as (string | null)[] | null) ?? [];
        stat.approved += Number(approved ?? 0);
        stat.calls += Number(calls ?? 0);
      }
      result.set(id, stat);
    }
    return result;
  }

  /** The breaker's state, or undefined when Redis does not answer in time (alerts must not read that as closed). */
  async circuitIfKnown(accountId: string): Promise<GatewayStat["circuit"] | undefined> {
    const b = await within(this.breaker(accountId).then((v): Breaker | undefined => v), undefined);
    return b && visibleState(b, this.now(), this.policy.breaker);
  }

  /** The breaker as readers see it, for the `gateways` query. */
  async circuit(accountId: string): Promise<{ state: GatewayStat["circuit"]; failures: number; openedAt: Date | null }> {
    const b = await within(this.breaker(accountId), closedBreaker());
    return { state: visibleState(b, this.now(), this.policy.breaker), failures: b.failures, openedAt: b.openedAt ? new Date(b.openedAt) : null };
  }
}
