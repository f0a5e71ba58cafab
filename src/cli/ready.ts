// Before a command uses the database: PostgreSQL and Redis answer (or the process exits saying
// which does not), the database exists and is migrated.
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Config } from "../config.js";
import { preflight } from "../app/preflight.js";
import { createLogger } from "../platform/logger.js";
import { applyMigrations, ensureDatabase } from "../platform/migrate.js";
import { fail } from "./io.js";

const MIGRATIONS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../prisma/migrations");

export async function ready(config: Config): Promise<void> {
  const log = createLogger(config.logLevel);
  const problem = await preflight(config, log);
  if (problem) fail(problem);
  await ensureDatabase(config.databaseUrl);
  const applied = await applyMigrations(config.databaseUrl, MIGRATIONS);
  if (applied.length) log.info({ applied }, "migrations applied");
}
