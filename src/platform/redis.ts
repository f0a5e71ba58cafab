// Redis connections. BullMQ needs `maxRetriesPerRequest: null` on every connection it blocks on.
import { Redis } from "ioredis";

export function createRedis(url: string, name: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, connectionName: `paygraph:${name}`, lazyConnect: false });
}

/** BullMQ loses jobs under any eviction policy but `noeviction`: say so at start. */
export async function evictionPolicy(redis: Redis): Promise<string> {
  const reply = (await redis.call("CONFIG", "GET", "maxmemory-policy")) as string[];
  return reply[1] ?? "unknown";
}
