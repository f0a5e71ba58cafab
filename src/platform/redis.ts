// Redis connections: the one place they are made (BullMQ's included), so every one of them has the
// same target (REDIS_URL, or the master Sentinel names) and an 'error' listener that logs, rate
// limited, and never exits: ioredis reconnects by itself, and BullMQ's workers carry on when it has.
// BullMQ needs `maxRetriesPerRequest: null` on every connection it blocks on.
import { Redis, type RedisOptions } from "ioredis";
import type { Config } from "../config.js";
import { logConnectionError } from "./unavailable.js";

/** Where Redis is: the parts of the config every connection is made from. */
export type RedisTarget = Pick<Config, "redisUrl" | "redisSentinel">;

interface WarnLog { warn(obj: object, msg: string): void }

/**
 * ioredis options for the target. With Sentinel, REDIS_URL still gives the password, user and db
 * (the master's), and the sentinels are asked for the master of the group.
 */
export function redisConnectionOptions(target: RedisTarget): RedisOptions {
  if (!target.redisSentinel) return {};
  const url = new URL(target.redisUrl);
  const db = Number(url.pathname.slice(1) || 0);
  return {
    sentinels: target.redisSentinel.sentinels,
    name: target.redisSentinel.name,
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(Number.isInteger(db) && db > 0 ? { db } : {}),
    ...(url.protocol === "rediss:" ? { tls: {}, enableTLSForSentinelMode: true } : {}),
  };
}

/** A new connection to the target with `options` on top. */
export function connectRedis(target: RedisTarget, options: RedisOptions): Redis {
  const base = redisConnectionOptions(target);
  return target.redisSentinel ? new Redis({ ...base, ...options }) : new Redis(target.redisUrl, options);
}

/** Where a human should look when Redis does not answer. */
export const describeRedisTarget = (target: RedisTarget): string =>
  target.redisSentinel
    ? `Sentinel ${target.redisSentinel.sentinels.map((s) => `${s.host}:${s.port}`).join(",")} (master '${target.redisSentinel.name}')`
    : target.redisUrl;

function listened(redis: Redis, name: string, log: WarnLog | undefined): Redis {
  // Without a listener an 'error' event would crash the process; with one it is logged, rate limited.
  redis.on("error", (err: unknown) => logConnectionError(log, `redis:${name}`, err));
  return redis;
}

export function createRedis(target: RedisTarget, name: string, log?: WarnLog): Redis {
  return listened(connectRedis(target, { maxRetriesPerRequest: null, connectionName: `paygraph:${name}` }), name, log);
}

/** For publishing: a command fails at once while disconnected instead of waiting in a queue. */
export function createFailFastRedis(target: RedisTarget, name: string, log?: WarnLog): Redis {
  return listened(connectRedis(target, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectionName: `paygraph:${name}` }), name, log);
}

/** BullMQ loses jobs under any eviction policy but `noeviction`: say so at start. */
export async function evictionPolicy(redis: Redis): Promise<string> {
  const reply = (await redis.call("CONFIG", "GET", "maxmemory-policy")) as string[];
  return reply[1] ?? "unknown";
}
