// Secret API keys: `sk_test_` + 32 base62 characters (~190 random bits), shown once, stored as a
// SHA-256 hash. A slow password hash buys nothing at this entropy and would cost every request.
import { createHash } from "node:crypto";
import type { ApiKeyRole } from "../generated/prisma/enums.js";
import type { Db } from "../platform/db.js";
import { unauthenticated } from "../platform/errors.js";
import { newId, randomToken } from "../platform/ids.js";

const KEY_PATTERN = /^sk_(test|live)_[0-9A-Za-z]{32}$/;

export const hashKey = (key: string): string => createHash("sha256").update(key).digest("hex");

export type { ApiKeyRole };

/** Who a verified key speaks for, and what it may do. */
export interface KeyIdentity {
  merchantId: string;
  role: ApiKeyRole;
  keyId: string;
  /** This key's own requests-per-second limit; null: the server's default. */
  rateLimitPerSecond: number | null;
}

export async function issueSecretKey(db: Db, merchantId: string, role: ApiKeyRole = "MERCHANT"): Promise<string> {
  const secretKey = `sk_test_${randomToken(32)}`;
  await db.apiKey.create({ data: { id: newId("key"), merchantId, role, hash: hashKey(secretKey), last4: secretKey.slice(-4) } });
  return secretKey;
}

/**
 * Known keys, by hash, for a short while: authentication would otherwise be one query on every
 * request (half the cost of a `payment(id)` read). Unknown keys are never cached. Revoking a key
 * (issue #4) must clear this cache across processes, or wait out its TTL; so does a change of a
 * key's rate limit.
 */
export class KeyCache {
  private readonly entries = new Map<string, { identity: KeyIdentity; until: number }>();
  constructor(private readonly ttlMs: number) {}

  get(hash: string, now = Date.now()): KeyIdentity | undefined {
    const hit = this.entries.get(hash);
    if (hit && hit.until > now) return hit.identity;
    if (hit) this.entries.delete(hash);
    return undefined;
  }

  set(hash: string, identity: KeyIdentity, now = Date.now()): void {
    if (this.ttlMs <= 0) return;
    if (this.entries.size >= 10_000) this.entries.clear(); // bounded: a full clear is cheap and rare
    this.entries.set(hash, { identity, until: now + this.ttlMs });
  }
}

/** The merchant a bearer credential belongs to, and its role; UNAUTHENTICATED with the reason otherwise. */
export async function authenticate(db: Db, authorization: string | undefined, cache?: KeyCache): Promise<KeyIdentity> {
  if (!authorization) throw unauthenticated("Missing credentials: send 'Authorization: Bearer <secret key>'");
  const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
  const key = match?.[1];
  if (!key || !KEY_PATTERN.test(key)) throw unauthenticated("Malformed credentials: expected 'Authorization: Bearer sk_test_…'");
  const hash = hashKey(key);
  const cached = cache?.get(hash);
  if (cached) return cached;
  const row = await db.apiKey.findUnique({ where: { hash }, select: { id: true, merchantId: true, role: true, revokedAt: true, rateLimitPerSecond: true } });
  if (!row || row.revokedAt) throw unauthenticated("Unknown or revoked API key");
  const identity: KeyIdentity = { merchantId: row.merchantId, role: row.role, keyId: row.id, rateLimitPerSecond: row.rateLimitPerSecond };
  cache?.set(hash, identity);
  return identity;
}
