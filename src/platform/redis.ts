// Redis connections. BullMQ needs `maxRetriesPerRequest: null` on every connection it blocks on.
import { Redis } from "ioredis";

export function createRedis(url: string, name: string): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: null, connectionName: `paygraph:${name}` });
  // ioredis reconnects by itself; without a listener an outage would crash the process.
  redis.on("error", () => undefined);
  return redis;
}

/** For publishing: a command fails at once while disconnected instead of waiting in a queue. */
export function createFailFastRedis(url: string, name: string): Redis {
  const redis = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectionName: `paygraph:${name}` });
  redis.on("error", () => undefined);
  return redis;
}

/** BullMQ loses jobs under any eviction policy but `noeviction`: say so at start. */
export async function evictionPolicy(redis: Redis): Promise<string> {
  const reply = (await redis.call("CONFIG", "GET", "maxmemory-policy")) as string[];
  return reply[1] ?? "unknown";
}
