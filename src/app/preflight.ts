// Says in one line what is missing when PostgreSQL or Redis cannot be reached, before a command
// connects for real. Its own module, light to load: every CLI command runs it, and most of them
// need none of the app (see src/main.ts).
import pg from "pg";
import type { Config } from "../config.js";
import type { Logger } from "../platform/logger.js";
import { connectRedis, describeRedisTarget, evictionPolicy } from "../platform/redis.js";

/** A line a human can act on, or undefined when both services answer. */
export async function preflight(config: Config, log: Logger): Promise<string | undefined> {
  const adminUrl = new URL(config.databaseUrl);
  adminUrl.pathname = "/postgres";
  const client = new pg.Client({ connectionString: adminUrl.toString(), connectionTimeoutMillis: 3000 });
  client.on("error", () => undefined); // the failing connect or query below reports it
  try {
    await client.connect();
    await client.query("SELECT 1");
  } catch (err) {
    return `PostgreSQL is not reachable at ${adminUrl.host} (${(err as Error).message}): start it (e.g. 'pg_ctlcluster --skip-systemctl-redirect 15 main start') or set DATABASE_URL`;
  } finally {
    await client.end().catch(() => undefined);
  }
  const redis = connectRedis(config, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, sentinelRetryStrategy: () => null, connectTimeout: 3000 });
  let cause: Error | undefined;
  redis.on("error", (err: Error) => (cause ??= err));
  try {
    await redis.connect();
    const policy = await evictionPolicy(redis);
    if (policy !== "noeviction") {
      log.warn(`Redis maxmemory-policy is '${policy}': BullMQ can lose jobs under eviction; set 'maxmemory-policy noeviction'`);
    }
  } catch (err) {
    return `Redis is not reachable at ${describeRedisTarget(config)} (${(cause ?? (err as Error)).message}): start it (e.g. 'redis-server --daemonize yes') or set REDIS_URL`;
  } finally {
    redis.disconnect();
  }
  return undefined;
}
