// Readiness: the process can serve only when PostgreSQL and Redis both answer.
import type { App } from "../platform/app.js";

export async function readiness(app: App): Promise<Record<"postgres" | "redis", string>> {
  const check = (p: Promise<unknown>): Promise<string> =>
    Promise.race([p.then(() => "ok"), new Promise<string>((r) => setTimeout(() => r("timeout"), 2000).unref())]).catch(
      (err: unknown) => `error: ${err instanceof Error ? err.message : String(err)}`,
    );
  const [postgres, redis] = await Promise.all([check(app.db.$queryRaw`SELECT 1`), check(app.redis.ping())]);
  return { postgres, redis };
}
