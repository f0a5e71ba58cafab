// Redis Sentinel and subscription bounds (issue 9 §4): read by src/config.ts, turned into ioredis
// options by src/platform/redis.ts (the one place connections are made). No sentinel runs here:
// the options are what ioredis is given.
import { describe, expect, it } from "vitest";
import { loadConfig, redisSentinelFrom } from "../../src/config.js";
import { redisConnectionOptions } from "../../src/platform/redis.js";

const env = (extra: Record<string, string>) => ({ NODE_ENV: "test", ...extra });

describe("REDIS_SENTINELS / REDIS_SENTINEL_NAME", () => {
  it("is off unless set", () => {
    expect(loadConfig({}, env({})).redisSentinel).toBeUndefined();
    expect(redisConnectionOptions(loadConfig({}, env({})))).toEqual({});
  });

  it("reads host:port pairs, the default sentinel port and bracketed IPv6", () => {
    const config = loadConfig({}, env({ REDIS_SENTINELS: " s1.internal:26380, s2.internal ,[::1]:26381", REDIS_SENTINEL_NAME: "paygraph-main" }));
    expect(config.redisSentinel).toEqual({
      name: "paygraph-main",
      sentinels: [{ host: "s1.internal", port: 26380 }, { host: "s2.internal", port: 26379 }, { host: "::1", port: 26381 }],
    });
  });

  it("gives every connection the sentinels and the group, with REDIS_URL's password and db", () => {
    const config = loadConfig({}, env({ REDIS_URL: "redis://:s%40cret@ignored:6379/3", REDIS_SENTINELS: "a:1,b:2", REDIS_SENTINEL_NAME: "mymaster" }));
    expect(redisConnectionOptions(config)).toEqual({ sentinels: [{ host: "a", port: 1 }, { host: "b", port: 2 }], name: "mymaster", password: "s@cret", db: 3 });
  });

  it("refuses one without the other, and a malformed entry", () => {
    expect(() => redisSentinelFrom("a:1", undefined)).toThrow(/REDIS_SENTINEL_NAME/);
    expect(() => redisSentinelFrom(undefined, "mymaster")).toThrow(/REDIS_SENTINELS/);
    expect(() => redisSentinelFrom("a:notaport", "m")).toThrow(/not host:port/);
    expect(() => redisSentinelFrom("a:70000", "m")).toThrow(/not host:port/);
  });
});

describe("subscription bounds", () => {
  it("default to 100 per socket, 1000 per credential and 4 MiB of unread data", () => {
    expect(loadConfig({}, env({}))).toMatchObject({ subscriptionsPerSocket: 100, subscriptionsPerCredential: 1000, subscriptionSocketBufferBytes: 4 * 1024 * 1024 });
  });

  it("are read from the environment", () => {
    const config = loadConfig({}, env({ SUBSCRIPTIONS_PER_SOCKET: "5", SUBSCRIPTIONS_PER_CREDENTIAL: "7", SUBSCRIPTION_SOCKET_BUFFER_BYTES: "65536" }));
    expect(config).toMatchObject({ subscriptionsPerSocket: 5, subscriptionsPerCredential: 7, subscriptionSocketBufferBytes: 65536 });
    expect(() => loadConfig({}, env({ SUBSCRIPTIONS_PER_SOCKET: "-1" }))).toThrow(/SUBSCRIPTIONS_PER_SOCKET/);
  });
});
