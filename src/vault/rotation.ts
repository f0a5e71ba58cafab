// KEK rotation: re-wrap every data key still wrapped by a non-active KEK, in small batches, each
// row conditionally updated (only if its KEK is still the one read), so concurrent runs and
// concurrent readers are safe: a reader sees the old wrap (its KEK is still in the keyring) or
// the new one. The same pass migrates pre-envelope rows (sealed directly by VAULT_KEY) into
// data keys. Every re-wrap and re-encryption is audited with the caller's actor.
import type { Db } from "../platform/db.js";
import { recordAudit } from "../audit/audit.js";
import { CONFIG_PURPOSE } from "../gateways/accounts/gateway-accounts.js";
import { VaultError } from "./errors.js";
import { decryptLegacy, isEnvelope } from "./envelope.js";
import { wrapContext } from "./data-keys.js";
import type { KekInfo } from "./provider.js";
import { encryptPan, seal, type Vault } from "./vault.js";

export interface RewrapFailure {
  id: string;
  kekId: string;
  code: string;
}

export interface RewrapReport {
  rewrapped: number;
  legacyCards: number;
  legacySecrets: number;
  failed: RewrapFailure[];
}

export interface RewrapOptions {
  batchSize?: number;
  actor?: string;
  /** Keep passing until this long after the start, so DEKs created by processes that had not yet reloaded the keyring are caught too. */
  settleMs?: number;
  onBatch?: (report: RewrapReport) => void;
}

/** One batch of data keys not under the active KEK, after `cursor` (ids ascending). */
async function rewrapBatch(vault: Vault, db: Db, active: string, cursor: string, size: number, actor: string, report: RewrapReport): Promise<string | undefined> {
  const rows = await db.vaultDataKey.findMany({ where: { kekId: { not: active }, id: { gt: cursor } }, orderBy: { id: "asc" }, take: size });
  for (const row of rows) {
    let wrapped: { kekId: string; wrapped: Buffer };
    try {
      const key = await vault.keys.unwrap(row);
      wrapped = await vault.provider.wrap(key, wrapContext(row));
    } catch (err) {
      if (!(err instanceof VaultError)) throw err;
      report.failed.push({ id: row.id, kekId: row.kekId, code: err.code });
      continue;
    }
    await db.$transaction(async (tx) => {
      const moved = await tx.vaultDataKey.updateMany({
        where: { id: row.id, kekId: row.kekId },
        data: { kekId: wrapped.kekId, wrapped: new Uint8Array(wrapped.wrapped), rewrappedAt: new Date() },
      });
      if (moved.count !== 1) return; // a concurrent run re-wrapped it first
      report.rewrapped += 1;
      await recordAudit(tx, { merchantId: row.merchantId, requestId: `vault:rewrap:${row.id}`, actor }, {
        action: "vault_data_key.rewrapped", entityType: "vault_data_key", entityId: row.id, before: { kekId: row.kekId }, after: { kekId: wrapped.kekId },
      });
    });
  }
  return rows.length === size ? rows.at(-1)!.id : undefined;
}

/** Pre-envelope cards (key_id is a VAULT_KEY id, not a `dek_…`): re-encrypted under the merchant's data key. */
async function migrateLegacyCards(vault: Vault, db: Db, size: number, actor: string, report: RewrapReport, skip: Set<string>): Promise<boolean> {
  const rows = await db.paymentMethod.findMany({ where: { NOT: { keyId: { startsWith: "dek_" } }, id: { notIn: [...skip] } }, orderBy: { id: "asc" }, take: size });
  for (const row of rows) {
    let sealed: { ciphertext: Buffer; dataKeyId: string };
    try {
      if (!vault.legacy || vault.legacy.id !== row.keyId) throw new VaultError("vault_legacy_key_missing", "legacy key missing", { kekId: row.keyId });
      sealed = await encryptPan(vault, row.merchantId, decryptLegacy(vault.legacy.key, row.keyId, row.merchantId, row.ciphertext));
    } catch (err) {
      if (!(err instanceof VaultError)) throw err;
      report.failed.push({ id: row.id, kekId: row.keyId, code: err.code });
      skip.add(row.id);
      continue;
    }
    await db.$transaction(async (tx) => {
      const moved = await tx.paymentMethod.updateMany({ where: { id: row.id, keyId: row.keyId }, data: { keyId: sealed.dataKeyId, ciphertext: new Uint8Array(sealed.ciphertext) } });
      if (moved.count !== 1) return;
      report.legacyCards += 1;
      await recordAudit(tx, { merchantId: row.merchantId, requestId: `vault:rewrap:${row.id}`, actor }, {
        action: "payment_method.reencrypted", entityType: "payment_method", entityId: row.id, before: { keyId: row.keyId }, after: { keyId: sealed.dataKeyId },
      });
    });
  }
  return rows.length > 0;
}

/** Pre-envelope gateway account configs: re-sealed under the merchant's data key. */
async function migrateLegacySecrets(vault: Vault, db: Db, actor: string, report: RewrapReport): Promise<void> {
  const rows = await db.$queryRaw<{ id: string; merchant_id: string; config_ciphertext: Uint8Array }[]>`
    SELECT id, merchant_id, config_ciphertext FROM gateway_account WHERE substring(config_ciphertext from 1 for 4) <> '\\x50475632'::bytea`;
  for (const row of rows) {
    if (isEnvelope(row.config_ciphertext) || !vault.legacy) continue;
    let blob: Buffer;
    try {
      const plain = decryptLegacy(vault.legacy.key, vault.legacy.id, row.merchant_id, row.config_ciphertext, CONFIG_PURPOSE);
      blob = await seal(vault, row.merchant_id, plain, CONFIG_PURPOSE);
    } catch (err) {
      if (!(err instanceof VaultError)) throw err;
      report.failed.push({ id: row.id, kekId: vault.legacy.id, code: err.code });
      continue;
    }
    await db.$transaction(async (tx) => {
      const moved = await tx.$executeRaw`UPDATE gateway_account SET config_ciphertext = ${new Uint8Array(blob)} WHERE id = ${row.id} AND config_ciphertext = ${row.config_ciphertext}`;
      if (moved !== 1) return;
      report.legacySecrets += 1;
      await recordAudit(tx, { merchantId: row.merchant_id, requestId: `vault:rewrap:${row.id}`, actor }, {
        action: "gateway_account.config_reencrypted", entityType: "gateway_account", entityId: row.id, before: { keyId: vault.legacy!.id }, after: { keyId: "envelope" },
      });
    });
  }
}

/** Re-wraps until a full pass finds nothing left (and the settle time is over); failures are reported, not retried. */
export async function rewrapAll(vault: Vault, db: Db, options: RewrapOptions = {}): Promise<RewrapReport> {
  const size = options.batchSize ?? 50;
  const actor = options.actor ?? "cli";
  const report: RewrapReport = { rewrapped: 0, legacyCards: 0, legacySecrets: 0, failed: [] };
  const until = Date.now() + (options.settleMs ?? 0);
  const skipCards = new Set<string>();
  if (vault.legacy) {
    while (await migrateLegacyCards(vault, db, size, actor, report, skipCards)) options.onBatch?.(report);
    await migrateLegacySecrets(vault, db, actor, report);
  }
  for (;;) {
    await vault.provider.reload();
    const active = await vault.provider.activeKekId();
    const before = report.rewrapped;
    const failedBefore = report.failed.length;
    for (let cursor: string | undefined = ""; cursor !== undefined; ) {
      cursor = await rewrapBatch(vault, db, active, cursor, size, actor, report);
      options.onBatch?.(report);
    }
    const quiet = report.rewrapped === before;
    if (quiet && Date.now() >= until) break;
    if (report.failed.length > failedBefore && quiet) break; // only unreadable rows remain
    if (quiet) await new Promise((r) => setTimeout(r, Math.min(1000, Math.max(0, until - Date.now()))));
    // Rows that failed are reported once: do not count them again on the next pass.
    report.failed.splice(failedBefore);
  }
  return report;
}

export interface VaultStatus {
  keks: (KekInfo & { dataKeys: number })[];
  /** Data keys wrapped by a KEK the keyring does not list (unreadable until it is added back). */
  orphans: { kekId: string; dataKeys: number }[];
  dataKeys: { kekId: string; kind: string; count: number }[];
  legacyCards: number;
}

export async function vaultStatus(vault: Vault, db: Db): Promise<VaultStatus> {
  await vault.provider.reload();
  const [groups, legacyCards, keks] = await Promise.all([
    db.vaultDataKey.groupBy({ by: ["kekId", "kind"], _count: { _all: true }, orderBy: [{ kekId: "asc" }, { kind: "asc" }] }),
    db.paymentMethod.count({ where: { NOT: { keyId: { startsWith: "dek_" } } } }),
    vault.provider.list(),
  ]);
  const dataKeys = groups.map((g) => ({ kekId: g.kekId, kind: g.kind, count: g._count._all }));
  const per = new Map<string, number>();
  for (const g of dataKeys) per.set(g.kekId, (per.get(g.kekId) ?? 0) + g.count);
  const known = new Set(keks.map((k) => k.id));
  return {
    keks: keks.map((k) => ({ ...k, dataKeys: per.get(k.id) ?? 0 })),
    orphans: [...per].filter(([id]) => !known.has(id)).map(([kekId, n]) => ({ kekId, dataKeys: n })),
    dataKeys,
    legacyCards,
  };
}

/** How many data keys a KEK still wraps: retiring it is refused until none. */
export function dataKeysUnder(db: Db, kekId: string): Promise<number> {
  return db.vaultDataKey.count({ where: { kekId } });
}
