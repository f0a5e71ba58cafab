// Verifies a merchant's chain against its head, streaming in seq order one page at a time (memory
// stays one page, however long the chain). It stops at the first broken link:
//   MISSING       a seq is absent (a sealed record was deleted);
//   EDITED        a record's stored hash is not the hash of its fields (the record was changed);
//   BROKEN_LINK   a record's prevHash is not its predecessor's hash (a record was changed and its
//                 own hash recomputed, or records were re-sequenced);
//   HEAD_MISMATCH the chain ends before the head, or its last hash is not the head's hash (the
//                 newest records were deleted or the chain was rewritten), or records exist with
//                 no head.
// Sealed rows never change (the trigger), so reading the head first and checking seq ≤ head.seq
// needs no snapshot: records the chainer seals meanwhile are simply left for the next run.
import { Prisma } from "../generated/prisma/client.js";
import type { Db } from "../platform/db.js";
import { GENESIS_HASH, recordHash } from "./hash.js";

export type BreakReason = "MISSING" | "EDITED" | "BROKEN_LINK" | "HEAD_MISMATCH";

export interface ChainVerdict {
  ok: boolean;
  checked: number;
  headSeq: bigint;
  /** Records written but not sealed yet (the chainer's next tick covers them). */
  unsealed: number;
  firstBroken: { seq: bigint; id: string | null; reason: BreakReason } | null;
}

export const VERIFY_PAGE = 2_000;

export async function verifyChain(db: Db, merchantId: string, pageSize = VERIFY_PAGE): Promise<ChainVerdict> {
  // The head and the unsealed count from one snapshot: read apart, a seal landing between them
  // could report "nothing unsealed" beside a head from before that seal.
  const [head, unsealed] = await db.$transaction([
    db.auditHead.findUnique({ where: { merchantId } }),
    db.auditRecord.count({ where: { merchantId, seq: null } }),
  ], { isolationLevel: Prisma.TransactionIsolationLevel.RepeatableRead });
  const headSeq = head?.seq ?? 0n;
  let checked = 0;
  let expected = 1n;
  let prevHash = GENESIS_HASH;
  const broken = (seq: bigint, id: string | null, reason: BreakReason): ChainVerdict =>
    ({ ok: false, checked, headSeq, unsealed, firstBroken: { seq, id, reason } });

  if (!head) {
    const any = await db.auditRecord.findFirst({ where: { merchantId, seq: { not: null } }, orderBy: { seq: "asc" }, select: { id: true, seq: true } });
    return any ? broken(any.seq!, any.id, "HEAD_MISMATCH") : { ok: true, checked, headSeq, unsealed, firstBroken: null };
  }
  for (;;) {
    const page = await db.auditRecord.findMany({
      where: { merchantId, seq: { gte: expected, lte: headSeq } },
      orderBy: { seq: "asc" },
      take: pageSize,
    });
    for (const r of page) {
      const seq = r.seq!;
      if (seq !== expected) return broken(expected, null, "MISSING");
      if (r.prevHash !== prevHash) return broken(seq, r.id, "BROKEN_LINK");
      if (recordHash({ ...r, seq, prevHash: r.prevHash }) !== r.hash) return broken(seq, r.id, "EDITED");
      checked += 1;
      prevHash = r.hash;
      expected += 1n;
    }
    if (page.length < pageSize) break;
  }
  // The chain must reach the head, and end on the head's hash.
  if (expected - 1n !== headSeq || prevHash !== head.hash) return broken(expected - 1n === headSeq ? headSeq : expected, null, "HEAD_MISMATCH");
  // Sealed records beyond the head were written outside the chainer, unless the chainer sealed them
  // (and moved the head) since the head was read: read it again before calling that a break.
  const beyond = await db.auditRecord.findFirst({ where: { merchantId, seq: { gt: headSeq } }, orderBy: { seq: "desc" }, select: { id: true, seq: true } });
  if (beyond) {
    const now = await db.auditHead.findUnique({ where: { merchantId }, select: { seq: true } });
    if (!now || now.seq < beyond.seq!) return broken(beyond.seq!, beyond.id, "HEAD_MISMATCH");
  }
  return { ok: true, checked, headSeq, unsealed, firstBroken: null };
}
