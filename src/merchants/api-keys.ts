// Secret API keys: `sk_test_` + 32 base62 characters (~190 random bits), shown once, stored as a
// SHA-256 hash. A slow password hash buys nothing at this entropy and would cost every request.
import { createHash } from "node:crypto";
import type { Db } from "../platform/db.js";
import { unauthenticated } from "../platform/errors.js";
import { newId, randomToken } from "../platform/ids.js";

const KEY_PATTERN = /^sk_(test|live)_[0-9A-Za-z]{32}$/;

export const hashKey = (key: string): string => createHash("sha256").update(key).digest("hex");

export async function issueSecretKey(db: Db, merchantId: string): Promise<string> {
  const secretKey = `sk_test_${randomToken(32)}`;
  await db.apiKey.create({ data: { id: newId("key"), merchantId, hash: hashKey(secretKey), last4: secretKey.slice(-4) } });
  return secretKey;
}

/** The merchant a bearer credential belongs to; UNAUTHENTICATED with the reason otherwise. */
export async function authenticate(db: Db, authorization: string | undefined): Promise<string> {
  if (!authorization) throw unauthenticated("Missing credentials: send 'Authorization: Bearer <secret key>'");
  const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
  const key = match?.[1];
  if (!key || !KEY_PATTERN.test(key)) throw unauthenticated("Malformed credentials: expected 'Authorization: Bearer sk_test_…'");
  const row = await db.apiKey.findUnique({ where: { hash: hashKey(key) }, select: { merchantId: true, revokedAt: true } });
  if (!row || row.revokedAt) throw unauthenticated("Unknown or revoked API key");
  return row.merchantId;
}
