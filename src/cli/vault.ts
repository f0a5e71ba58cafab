// `paygraph vault …`: the card vault's key-encryption keys (status, rotate-kek, rewrap, retire-kek;
// src/vault/cli.ts). Needs the database and the vault only.
import { loadConfig } from "../config.js";
import { createDb } from "../platform/db.js";
import { createLogger } from "../platform/logger.js";
import { runVaultCommand } from "../vault/cli.js";
import { fail, say } from "./io.js";
import { ready } from "./ready.js";

export async function vaultCommand(sub: string | undefined, arg: string | undefined, values: Parameters<typeof runVaultCommand>[2]): Promise<void> {
  const config = loadConfig();
  await ready(config);
  const { db, pool } = createDb(config.databaseUrl, 2, false);
  try {
    await runVaultCommand(sub, arg, values, config, db, createLogger(config.logLevel), { say, fail });
  } finally {
    await db.$disconnect();
    await pool.end().catch(() => undefined);
  }
}
