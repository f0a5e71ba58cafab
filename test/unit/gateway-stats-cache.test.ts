// The route planner's read of the gateways' window is reused for readCacheMs, then read afresh.
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { GatewayStats } from "../../src/routing/gateway-stats.js";

const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
const prefix = `t_stats_${randomUUID().slice(0, 8)}`;
afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

describe("GatewayStats.read cache", () => {
  it("answers from its last read within readCacheMs, and reads Redis again after", async () => {
    let now = 1_000_000;
    const policy = { windowMs: 60_000, buckets: 6, breaker: { failureThreshold: 5, openMs: 30_000 }, readCacheMs: 1_000 };
    const stats = new GatewayStats(redis, prefix, policy, () => now);
    await stats.record("ga_1", "USD:visa", "approved");
    expect((await stats.read(["ga_1"], "USD:visa")).get("ga_1")).toMatchObject({ approved: 1, calls: 1 });
    await stats.record("ga_1", "USD:visa", "declined");
    now += 999;
    expect((await stats.read(["ga_1"], "USD:visa")).get("ga_1")).toMatchObject({ approved: 1, calls: 1 });
    now += 1;
    expect((await stats.read(["ga_1"], "USD:visa")).get("ga_1")).toMatchObject({ approved: 1, calls: 2 });
    // Without a cache every read is fresh.
    const fresh = new GatewayStats(redis, prefix, { ...policy, readCacheMs: 0 }, () => now);
    await stats.record("ga_1", "USD:visa", "approved");
    expect((await fresh.read(["ga_1"], "USD:visa")).get("ga_1")).toMatchObject({ approved: 2, calls: 3 });
  });
});
