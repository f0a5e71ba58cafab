// What a record's hash covers, and how: SHA-256 over the RFC 8785 (JSON Canonicalization Scheme)
// serialisation of every field of the record plus its predecessor's hash. JCS fixes key order,
// number and string forms, so the chainer and any later verifier (or an outside auditor's own
// script) compute the same bytes from the same stored values.
import { createHash } from "node:crypto";
import canonicalize from "canonicalize";
import type { Prisma } from "../generated/prisma/client.js";

/** The hash a merchant's first record links to. */
export const GENESIS_HASH = "0".repeat(64);
/** Bumped if what the hash covers ever changes; part of the hashed bytes. */
export const HASH_VERSION = 1;

/** The fields of an audit record the hash covers (all of them but the hash itself). */
export interface HashedRecord {
  id: string;
  merchantId: string;
  seq: bigint;
  actor: string;
  action: string;
  entityType: string;
  entityId: string;
  requestId: string;
  before: Prisma.JsonValue | null;
  after: Prisma.JsonValue | null;
  createdAt: Date;
  prevHash: string;
}

/** The exact bytes hashed: the record as canonical JSON. */
export function canonicalRecord(r: HashedRecord): string {
  const text = canonicalize({
    v: HASH_VERSION,
    id: r.id,
    merchantId: r.merchantId,
    // A JSON number is exact up to 2^53: no chain gets near that.
    seq: Number(r.seq),
    actor: r.actor,
    action: r.action,
    entityType: r.entityType,
    entityId: r.entityId,
    requestId: r.requestId,
    before: r.before ?? null,
    after: r.after ?? null,
    createdAt: r.createdAt.toISOString(),
    prevHash: r.prevHash,
  });
  if (text === undefined) throw new Error(`audit record ${r.id} cannot be canonicalised`);
  return text;
}

export const recordHash = (r: HashedRecord): string => createHash("sha256").update(canonicalRecord(r), "utf8").digest("hex");
