// The key-rotation commands: `paygraph oauth rotate-signing-key` (a new signing key for OAuth access
// tokens) and `paygraph vault …` (the card vault's key-encryption keys; src/vault/cli.ts).
import { loadConfig } from "../config.js";
import { createProcess } from "../app/process.js";
import { rotateOAuthSigningKey } from "../auth/oauth/rotate-command.js";
import { createDb } from "../platform/db.js";
import { createLogger } from "../platform/logger.js";
import { runVaultCommand } from "../vault/cli.js";
import { fail, ready, say } from "./common.js";

export async function rotateOAuthSigningKeyCommand(values: { json?: boolean }): Promise<void> {
  const config = loadConfig();
  await ready(config);
  const proc = createProcess(config, createLogger(config.logLevel));
  const rotated = await rotateOAuthSigningKey(proc.app);
  say(values.json ? JSON.stringify(rotated) : `signing key ${rotated.kid} signs from now on; earlier keys stay published until their tokens expired`);
  await proc.close();
}

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
