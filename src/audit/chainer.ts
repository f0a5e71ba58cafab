// The chainer: seals committed audit records into each merchant's hash chain, in the worker, every
// AUDIT_CHAIN_MS. Why not seal in the writing transaction: the chain is a total order per merchant,
// so every write would queue on the merchant's head row lock for the rest of its transaction,
// serialising all of a merchant's payments. Instead writers only insert (no shared row), and one
// sealer per merchant (a transaction-scoped advisory lock, so several workers can run this) gives
// the records committed so far their seq, prevHash and hash, and moves the head, in one transaction.
// The price: a record is unsealed from its commit until the next tick (≈ AUDIT_CHAIN_MS plus the
// tick's own time); in that window a DB writer could remove it without breaking the chain.
// seq is the order of sealing: a record committing late gets a later seq than one written after it.
import { Prisma } from "../generated/prisma/client.js";
import type { App } from "../app/app.js";
import { PLATFORM_TENANT } from "../platform/ids.js";
import { every } from "../platform/loop.js";
import { GENESIS_HASH, recordHash } from "./hash.js";

/** Advisory lock class of the chainer (the fold uses 72707370 alone); the merchant is the second key. */
const CHAIN_LOCK = 72707371;
const BATCH = 2_000;

export interface SealResult {
  sealed: number;
  /** The head after sealing, per merchant whose chain grew. */
  heads: { merchantId: string; seq: bigint; hash: string }[];
}

/** Seals up to BATCH of one merchant's unsealed records; 0 when none or another sealer holds it. */
export async function sealMerchant(app: Pick<App, "db">, merchantId: string): Promise<{ sealed: number; seq: bigint; hash: string }> {
  return app.db.$transaction(async (tx) => {
    const [lock] = await tx.$queryRaw<{ held: boolean }[]>`SELECT pg_try_advisory_xact_lock(${CHAIN_LOCK}::int, hashtext(${merchantId})) AS held`;
    if (!lock?.held) return { sealed: 0, seq: 0n, hash: "" };
    const head = await tx.auditHead.findUnique({ where: { merchantId } });
    const rows = await tx.auditRecord.findMany({ where: { merchantId, seq: null }, orderBy: [{ createdAt: "asc" }, { id: "asc" }], take: BATCH });
    let seq = head?.seq ?? 0n;
    let hash = head?.hash ?? GENESIS_HASH;
    if (rows.length === 0) return { sealed: 0, seq, hash };
    const ids: string[] = [], seqs: string[] = [], prevs: string[] = [], hashes: string[] = [];
    for (const r of rows) {
      seq += 1n;
      const next = recordHash({ ...r, seq, prevHash: hash });
      ids.push(r.id); seqs.push(seq.toString()); prevs.push(hash); hashes.push(next);
      hash = next;
    }
    // One statement for the batch; the append-only trigger admits exactly this update.
    await tx.$executeRaw`
      UPDATE audit_record a SET seq = v.seq, prev_hash = v.prev, hash = v.hash
      FROM unnest(${ids}::text[], ${seqs}::bigint[], ${prevs}::text[], ${hashes}::text[]) AS v(id, seq, prev, hash)
      WHERE a.id = v.id AND a.seq IS NULL`;
    await tx.auditHead.upsert({ where: { merchantId }, create: { merchantId, seq, hash }, update: { seq, hash, updatedAt: new Date() } });
    return { sealed: rows.length, seq, hash };
  }, { timeout: 60_000 });
}

/**
 * One pass: every merchant (and the platform tenant) with unsealed records, each until none are left. Finding them probes
 * the (merchant_id, seq) index once per merchant (seq IS NULL is indexable), with no extra index
 * on the write path.
 */
export async function sealAll(app: Pick<App, "db">): Promise<SealResult> {
  const pending = await app.db.$queryRaw<{ id: string }[]>`
    SELECT m.id FROM (SELECT id FROM merchant UNION ALL SELECT ${PLATFORM_TENANT}) m
     WHERE EXISTS (SELECT 1 FROM audit_record a WHERE a.merchant_id = m.id AND a.seq IS NULL)`;
  const result: SealResult = { sealed: 0, heads: [] };
  for (const { id } of pending) {
    let last: { sealed: number; seq: bigint; hash: string } | undefined;
    for (;;) {
      const step = await sealMerchant(app, id);
      if (step.sealed === 0) break;
      result.sealed += step.sealed;
      last = step;
      if (step.sealed < BATCH) break;
    }
    if (last) result.heads.push({ merchantId: id, seq: last.seq, hash: last.hash });
  }
  return result;
}

/** The worker's chainer loop: every auditChainMs, one pass at a time. */
export function startAuditChainer(app: App): { stop(): Promise<void> } {
  return every(app.config.auditChainMs, () =>
    sealAll(app)
      .then((r) => {
        // Heads in the log: a copy of each chain's anchor outside the database (see README).
        for (const h of r.heads) app.log.info({ merchantId: h.merchantId, seq: h.seq.toString(), hash: h.hash }, "audit chain sealed");
      })
      .catch((err: unknown) => app.log.warn({ err: err instanceof Prisma.PrismaClientKnownRequestError ? err.message : err }, "audit chainer failed; will retry")));
}
