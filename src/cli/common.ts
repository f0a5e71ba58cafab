// What every command of the CLI shares: printing, failing with a one-line reason, and making sure
// the database answers and is migrated before a command uses it.
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Config } from "../config.js";
import { preflight } from "../app/preflight.js";
import { createLogger } from "../platform/logger.js";
import { applyMigrations, ensureDatabase } from "../platform/migrate.js";

const MIGRATIONS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../prisma/migrations");

export const say = (line: string): void => void process.stdout.write(`${line}\n`);

export function fail(line: string): never {
  process.stderr.write(`paygraph: ${line}\n`);
  process.exit(1);
}

/** PostgreSQL and Redis answer (or the process exits saying which does not), the database exists and is migrated. */
export async function ready(config: Config): Promise<void> {
  const log = createLogger(config.logLevel);
  const problem = await preflight(config, log);
  if (problem) fail(problem);
  await ensureDatabase(config.databaseUrl);
  const applied = await applyMigrations(config.databaseUrl, MIGRATIONS);
  if (applied.length) log.info({ applied }, "migrations applied");
}
