// Data keys (DEKs): created, handed out and unwrapped here, stored wrapped by the KeyProvider.
//
// Granularity: one current `data` key per merchant, replaced after VAULT_DEK_MAX_USES cards or
// secrets or VAULT_DEK_MAX_AGE_DAYS (the Tink / AWS Encryption SDK pattern). Per-card keys would
// cost a provider unwrap for every charge (a KMS round trip); one key for everything would make a
// rotation re-encrypt every card. Per merchant, a re-wrap touches a few rows per merchant, a
// compromised DEK exposes one merchant's cards of one period, and the DEK cache stays small.
//
// Fingerprints use a separate `fingerprint` key per merchant that is never replaced, only
// re-wrapped: re-wrapping keeps its bytes, so fingerprints survive any number of KEK rotations
// (a key derived from a never-rotated root would need a secret outside the rotation).
import { randomBytes } from "node:crypto";
import { LRUCache } from "lru-cache";
import type { Db } from "../platform/db.js";
import type { Logger } from "../platform/logger.js";
import { newId } from "../platform/ids.js";
import { recordAudit } from "../audit/audit.js";
import type { VaultDataKey } from "../generated/prisma/client.js";
import { VaultError } from "./errors.js";
import type { KeyProvider, WrapContext } from "./provider.js";

export type DataKeyKind = "data" | "fingerprint";
export const VAULT_ACTOR = "system:vault";

export interface DataKeyOptions {
  maxUses: number;
  maxAgeMs: number;
  cacheMs: number;
  cacheSize: number;
  /** Seeds a new fingerprint key (the pre-envelope VAULT_KEY's fingerprint subkey keeps old fingerprints valid). */
  fingerprintSeed?: Buffer;
}

/** What a wrapped DEK is bound to: moved to another row or merchant, it no longer unwraps. */
export const wrapContext = (row: Pick<VaultDataKey, "id" | "merchantId" | "kind">): WrapContext => ({ merchant: row.merchantId, dek: row.id, kind: row.kind });

/** Uses reserved per database round trip: vaulting a card costs one UPDATE per block, not per card. */
const RESERVE = 100;

interface Current {
  id: string;
  key: Buffer;
  createdAt: number;
  left: number;
}

export class DataKeys {
  private readonly cache: LRUCache<string, Buffer>;
  /** Each merchant's current data key with its reserved uses left: bounded and short-lived like the cache. */
  private readonly current: LRUCache<string, Current>;
  /** One lookup or creation at a time per merchant and process: a burst of first cards makes one DEK, not one each. */
  private readonly pending = new Map<string, Promise<Current>>();

  constructor(
    readonly db: Db,
    readonly provider: KeyProvider,
    private readonly log: Logger,
    private readonly options: DataKeyOptions,
  ) {
    // Bounded and short-lived: plaintext keys stay in memory only as long as they save unwraps.
    this.cache = new LRUCache<string, Buffer>({ max: options.cacheSize, ttl: Math.max(1, options.cacheMs), ttlAutopurge: false });
    this.current = new LRUCache<string, Current>({ max: options.cacheSize, ttl: Math.max(1, options.cacheMs), ttlAutopurge: false });
  }

  /** The merchant's current data key, replaced when used up or too old. */
  async currentKey(merchantId: string): Promise<{ id: string; key: Buffer }> {
    for (;;) {
      const mine = this.current.get(merchantId);
      if (mine && mine.left > 0 && Date.now() - mine.createdAt < this.options.maxAgeMs) {
        mine.left -= 1;
        return mine;
      }
      let next = this.pending.get(merchantId);
      if (!next) {
        next = this.nextKey(merchantId).finally(() => this.pending.delete(merchantId));
        this.pending.set(merchantId, next);
      }
      await next; // then take a use of it (or of a later one) like every other caller
    }
  }

  private async nextKey(merchantId: string): Promise<Current> {
    const now = Date.now();
    const block = Math.min(RESERVE, this.options.maxUses);
    const row = await this.db.vaultDataKey.findFirst({
      where: { merchantId, kind: "data", createdAt: { gt: new Date(now - this.options.maxAgeMs) }, uses: { lte: this.options.maxUses - block } },
      orderBy: { createdAt: "desc" },
    });
    if (row && (await this.reserve(row.id, block))) return this.remember(merchantId, row.id, await this.unwrap(row), row.createdAt.getTime(), block);
    const key = randomBytes(32);
    const created = await this.create(merchantId, "data", key, undefined, block);
    return this.remember(merchantId, created.id, key, created.createdAt.getTime(), block);
  }

  private remember(merchantId: string, id: string, key: Buffer, createdAt: number, block: number): Current {
    const entry = { id, key, createdAt, left: block };
    this.current.set(merchantId, entry);
    this.cache.set(`${merchantId}/${id}`, key);
    return entry;
  }

  /** Atomic, outside the caller's transaction (so concurrent vaulting does not queue on the row). */
  private async reserve(id: string, block: number): Promise<boolean> {
    const n = await this.db.$executeRaw`UPDATE vault_data_key SET uses = uses + ${block} WHERE id = ${id} AND uses + ${block} <= ${this.options.maxUses}`;
    return n === 1;
  }

  /** The key a ciphertext names; tenancy-scoped (another merchant's DEK id is missing). */
  async byId(id: string, merchantId: string): Promise<Buffer> {
    const hit = this.cache.get(`${merchantId}/${id}`);
    if (hit) return hit;
    const row = await this.db.vaultDataKey.findFirst({ where: { id, merchantId } });
    if (!row) throw this.loud(new VaultError("vault_dek_missing", `Data key ${id} does not exist for this merchant`, { dataKeyId: id }));
    const key = await this.unwrap(row);
    this.cache.set(`${merchantId}/${id}`, key);
    return key;
  }

  /** The merchant's fingerprint key: created once (the slot is unique), never replaced. */
  async fingerprintKey(merchantId: string): Promise<Buffer> {
    const slot = `fp:${merchantId}`;
    const hit = this.cache.get(slot);
    if (hit) return hit;
    let row = await this.db.vaultDataKey.findUnique({ where: { slot } });
    if (!row) {
      await this.create(merchantId, "fingerprint", this.options.fingerprintSeed ?? randomBytes(32), slot, 0);
      row = await this.db.vaultDataKey.findUniqueOrThrow({ where: { slot } }); // ours, or a concurrent creator's
    }
    const key = await this.unwrap(row);
    this.cache.set(slot, key);
    return key;
  }

  async unwrap(row: VaultDataKey): Promise<Buffer> {
    try {
      return await this.provider.unwrap(row.kekId, Buffer.from(row.wrapped), wrapContext(row));
    } catch (err) {
      if (err instanceof VaultError) throw this.loud(new VaultError(err.code, `${err.message} (data key ${row.id})`, { kekId: row.kekId, dataKeyId: row.id }));
      throw err;
    }
  }

  private loud(err: VaultError): VaultError {
    this.log.error({ code: err.code, kekId: err.kekId, dataKeyId: err.dataKeyId }, err.message);
    return err;
  }

  /** A DEK row and its audit record in one transaction; a slot taken concurrently inserts nothing. */
  private async create(merchantId: string, kind: DataKeyKind, key: Buffer, slot: string | undefined, uses: number): Promise<{ id: string; createdAt: Date }> {
    const id = newId("dek");
    const { kekId, wrapped } = await this.provider.wrap(key, wrapContext({ id, merchantId, kind }));
    const createdAt = new Date();
    await this.db.$transaction(async (tx) => {
      const made = await tx.vaultDataKey.createMany({
        data: [{ id, merchantId, kind, slot: slot ?? null, kekId, wrapped: new Uint8Array(wrapped), uses, createdAt }],
        skipDuplicates: true,
      });
      if (made.count === 1) {
        await recordAudit(tx, { merchantId, requestId: `vault:${id}`, actor: VAULT_ACTOR }, {
          action: "vault_data_key.created", entityType: "vault_data_key", entityId: id, after: { kind, kekId },
        });
      }
    });
    return { id, createdAt };
  }
}
