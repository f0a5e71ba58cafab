// Readiness: the process can serve only when PostgreSQL and Redis both answer.
import type { App } from "../app/app.js";

export async function readiness(app: App): Promise<Record<"postgres" | "redis", string>> {
  // Unauthenticated callers see only ok / timeout / unavailable; the cause goes to the log.
  const check = (p: Promise<unknown>): Promise<string> =>
    Promise.race([p.then(() => "ok"), new Promise<string>((r) => setTimeout(() => r("timeout"), 2000).unref())]).catch((err: unknown) => {
      app.log.warn({ err }, "readiness check failed");
      return "unavailable";
    });
  const [postgres, redis] = await Promise.all([check(app.db.$queryRaw`SELECT 1`), check(app.redis.ping())]);
  return { postgres, redis };
}
