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
}

/** How a call ended, for the figures: an approval, a refusal (the gateway worked), or no usable answer. */
export type CallResult = "approved" | "declined" | "failed";

const READ_TIMEOUT_MS = 50;

export const segmentOf = (currency: string, brand: string): string => `${currency}:${brand}`;

export class GatewayStats {
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

  /** Counts a call in the window and feeds the account's breaker. Never throws. */
  async record(accountId: string, segment: string, result: CallResult): Promise<void> {
    const bucket = Math.floor(this.now() / this.bucketMs);
    const key = this.windowKey(accountId, segment, bucket);
    try {
      await this.redis.multi()
        .hincrby(key, "calls", 1)
        .hincrby(key, "approved", result === "approved" ? 1 : 0)
        .pexpire(key, this.policy.windowMs + this.bucketMs)
        .exec();
      await this.updateBreaker(accountId, (b) => recordResult(b, result !== "failed", this.now(), this.policy.breaker));
    } catch {
      // Figures are advice: a Redis outage must not fail a payment.
    }
  }

  /** May the worker call this account now? A HALF_OPEN breaker lets one probe through. */
  async admit(accountId: string): Promise<boolean> {
    try {
      let allowed = true;
      await this.updateBreaker(accountId, (b) => {
        const answer = admit(b, this.now(), this.policy.breaker);
        allowed = answer.allowed;
        return answer.breaker;
      });
      return allowed;
    } catch {
      return true;
    }
  }

  /** Last writer wins: two workers racing on one breaker can lose a failure count, never a state. */
  private async updateBreaker(accountId: string, change: (b: Breaker) => Breaker): Promise<void> {
    const before = await this.breaker(accountId);
    const after = change(before);
    if (after !== before) await this.redis.set(this.breakerKey(accountId), JSON.stringify(after), "PX", 86_400_000);
  }

  private async breaker(accountId: string): Promise<Breaker> {
    const raw = await this.redis.get(this.breakerKey(accountId));
    return raw ? (JSON.parse(raw) as Breaker) : closedBreaker();
  }

  /** Each account's window totals for the segment and its circuit, in one round trip. */
  async read(accountIds: readonly string[], segment: string): Promise<Map<string, GatewayStat>> {
    const result = new Map<string, GatewayStat>();
    if (accountIds.length === 0) return result;
    const last = Math.floor(this.now() / this.bucketMs);
    const pipeline = this.redis.pipeline();
    for (const id of accountIds) {
      pipeline.get(this.breakerKey(id));
      for (let b = last - this.policy.buckets + 1; b <= last; b++) pipeline.hmget(this.windowKey(id, segment, b), "approved", "calls");
    }
    let timer: NodeJS.Timeout | undefined;
    const replies = await Promise.race([
      pipeline.exec(),
      new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), READ_TIMEOUT_MS))),
    ]).catch(() => null).finally(() => clearTimeout(timer));
    if (!replies) return result;
    let i = 0;
    for (const id of accountIds) {
      const [, raw] = replies[i++]!;
      const breaker = typeof raw === "string" ? (JSON.parse(raw) as Breaker) : closedBreaker();
      const stat: GatewayStat = { approved: 0, calls: 0, circuit: visibleState(breaker, this.now(), this.policy.breaker) };
      for (let b = 0; b < this.policy.buckets; b++) {
        const [, fields] = replies[i++]!;
        const [approved, calls] = (fields as (string | null)[] | null) ?? [];
        stat.approved += Number(approved ?? 0);
        stat.calls += Number(calls ?? 0);
      }
      result.set(id, stat);
    }
    return result;
  }

  /** The breaker as readers see it, for the `gateways` query. */
  async circuit(accountId: string): Promise<{ state: GatewayStat["circuit"]; failures: number; openedAt: Date | null }> {
    try {
      const b = await this.breaker(accountId);
      return { state: visibleState(b, this.now(), this.policy.breaker), failures: b.failures, openedAt: b.openedAt ? new Date(b.openedAt) : null };
    } catch {
      return { state: "CLOSED", failures: 0, openedAt: null };
    }
  }
}
