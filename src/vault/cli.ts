// `paygraph vault …`: status, rotate-kek, rewrap, retire-kek. Runs in its own process while the
// api and workers keep serving: they read data keys under any KEK the keyring holds, and pick up
// a rotated key file within VAULT_KEYRING_RELOAD_MS (or at once, on meeting an unknown KEK id).
import type { Config } from "../config.js";
import type { Db } from "../platform/db.js";
import type { Logger } from "../platform/logger.js";
import { readKeyringFile, withNewActiveKek, withRetiredKek, writeKeyringFile } from "./keyring.js";
import { createKeyProvider, createVault } from "./vault.js";
import { dataKeysUnder, rewrapAll, vaultStatus, type RewrapReport } from "./rotation.js";

export const VAULT_USAGE = `  paygraph vault status [--json]
  paygraph vault rotate-kek [--id KEK_ID] [--no-rewrap] [--batch N]
  paygraph vault rewrap [--batch N]
  paygraph vault retire-kek KEK_ID`;

export interface VaultCliFlags {
  id?: string;
  json?: boolean;
  "no-rewrap"?: boolean;
  batch?: string;
}

interface Io {
  say(line: string): void;
  fail(line: string): never;
}

const stamp = (): string => new Date().toISOString().replace(/[-:T]/g, "").slice(0, 14);

export async function runVaultCommand(sub: string | undefined, arg: string | undefined, flags: VaultCliFlags, config: Config, db: Db, log: Logger, io: Io): Promise<void> {
  const provider = createKeyProvider(config);
  const vault = createVault(config, db, log, provider);
  const batchSize = flags.batch === undefined ? 50 : Number(flags.batch);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 1000) io.fail(`--batch must be 1-1000, got '${flags.batch}'`);
  const source = config.vaultKeyring;

  const rewrap = async (settleMs: number): Promise<RewrapReport> => {
    const report = await rewrapAll(vault, db, { batchSize, actor: "cli", settleMs });
    io.say(`re-wrapped ${report.rewrapped} data key(s) under KEK ${await provider.activeKekId()}` +
      (report.legacyCards || report.legacySecrets ? `; re-encrypted ${report.legacyCards} pre-envelope card(s) and ${report.legacySecrets} secret(s)` : ""));
    if (report.failed.length) {
      for (const f of report.failed.slice(0, 20)) io.say(`  cannot re-wrap ${f.id} (KEK ${f.kekId}): ${f.code}`);
      io.fail(`${report.failed.length} row(s) could not be re-wrapped: add their KEK back to the keyring and run 'paygraph vault rewrap' again`);
    }
    return report;
  };

  switch (sub) {
    case "status": {
      const status = await vaultStatus(vault, db);
      if (flags.json) return io.say(JSON.stringify(status));
      io.say(`keyring: ${provider.description}`);
      for (const k of status.keks) io.say(`  ${k.id.padEnd(24)} ${k.state.padEnd(8)} ${k.dataKeys} data key(s)`);
      for (const o of status.orphans) io.say(`  ${o.kekId.padEnd(24)} MISSING  ${o.dataKeys} data key(s) wrapped by a KEK the keyring does not hold`);
      if (status.legacyCards) io.say(`pre-envelope cards (sealed by VAULT_KEY): ${status.legacyCards}: run 'paygraph vault rewrap'`);
      return;
    }
    case "rotate-kek": {
      if (source.kind === "file") {
        const id = flags.id ?? `kek-${stamp()}`;
        const ring = withNewActiveKek(readKeyringFile(source.path), id);
        writeKeyringFile(source.path, ring);
        await provider.reload();
        io.say(`KEK ${id} added to ${source.path} and made active`);
      } else {
        if (flags.id) io.fail(`--id needs VAULT_KEYRING_FILE; with ${provider.description}, put the new KEK first in VAULT_KEYS (it is then active) and run this again`);
        io.say(`${provider.description} is not written by paygraph: its first KEK (${await provider.activeKekId()}) is active; re-wrapping to it`);
      }
      if (flags["no-rewrap"]) return io.say("not re-wrapped (--no-rewrap): run 'paygraph vault rewrap'");
      // Passes continue until the other processes have had time to notice the rotated file.
      await rewrap(source.kind === "file" ? config.vaultKeyringReloadMs + 1000 : 0);
      return;
    }
    case "rewrap":
      await rewrap(0);
      return;
    case "retire-kek": {
      if (!arg) io.fail("retire-kek needs a KEK id: paygraph vault retire-kek KEK_ID");
      await provider.reload();
      if (arg === (await provider.activeKekId())) io.fail(`KEK ${arg} is the active one: rotate to a new KEK first`);
      const left = await dataKeysUnder(db, arg);
      if (left > 0) io.fail(`KEK ${arg} still wraps ${left} data key(s): run 'paygraph vault rewrap' first (refused)`);
      if (source.kind !== "file") return io.say(`no data key uses KEK ${arg}: remove it from ${provider.description}`);
      writeKeyringFile(source.path, withRetiredKek(readKeyringFile(source.path), arg));
      return io.say(`KEK ${arg} retired: its key was removed from ${source.path}`);
    }
    default:
      io.fail(`unknown vault command '${sub ?? ""}'\n${VAULT_USAGE}`);
  }
}
