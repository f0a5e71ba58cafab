// User sessions: created at sign-in (or on accepting an invitation), verified on every request,
// revoked at sign-out and when the user is removed. Not cached: each request reads the session
// and its user in one indexed query, so a revoked session, a removed user or a changed role takes
// effect on the very next request, on every api process, with no invalidation to lose.
import type { Principal } from "../auth/principal.js";
import type { Db, Tx } from "../platform/db.js";
import { unauthenticated } from "../platform/errors.js";
import { newId } from "../platform/ids.js";
import { scopesOf, type UserRole } from "./roles.js";
import { newSessionToken } from "./secrets.js";
import { hashSecret } from "../platform/ids.js";

export interface NewSession { id: string; token: string; expiresAt: Date }

export async function createSession(tx: Tx, user: { id: string; merchantId: string }, ttlSeconds: number): Promise<NewSession> {
  const token = newSessionToken();
  const expiresAt = new Date(Date.now() + ttlSeconds * 1000);
  const row = await tx.userSession.create({ data: { id: newId("ses"), merchantId: user.merchantId, userId: user.id, tokenHash: hashSecret(token), expiresAt } });
  return { id: row.id, token, expiresAt };
}

interface SessionRow { id: string; merchant_id: string; expires_at: Date; user_id: string; role: UserRole }

/** The principal a session token speaks for; UNAUTHENTICATED (one message for every reason) otherwise. */
export async function authenticateSession(db: Db, token: string): Promise<Principal> {
  // One round trip (a join by unique key) rather than two Prisma reads: this runs on every request.
  const [row] = await db.$queryRaw<SessionRow[]>`
    SELECT s.id, s.merchant_id, s.expires_at, u.id AS user_id, u.role::text AS role
      FROM user_session s JOIN merchant_user u ON u.id = s.user_id AND u.merchant_id = s.merchant_id
     WHERE s.token_hash = ${hashSecret(token)} AND s.revoked_at IS NULL AND s.expires_at > now() AND u.disabled_at IS NULL`;
  if (!row) throw unauthenticated("Unknown, expired or revoked session: sign in again");
  return {
    merchantId: row.merchant_id, role: "MERCHANT", via: "USER", credentialId: row.id, actor: `user:${row.user_id}`,
    rateLimitKey: `user:${row.user_id}`, // signing in again does not buy a fresh budget
    rateLimitPerSecond: null, scopes: scopesOf(row.role), expiresAt: row.expires_at.getTime(),
  };
}

/** The user's sessions still in force (their live connections are told when the role changes). */
export async function activeSessionIds(db: Db | Tx, merchantId: string, userId: string, now = new Date()): Promise<string[]> {
  return (await db.userSession.findMany({ where: { merchantId, userId, revokedAt: null, expiresAt: { gt: now } }, select: { id: true } })).map((s) => s.id);
}

/** Revokes every session of the user; answers their ids. */
export async function revokeSessionsOf(tx: Tx, merchantId: string, userId: string, now: Date): Promise<string[]> {
  const ids = await activeSessionIds(tx, merchantId, userId, now);
  if (ids.length) await tx.userSession.updateMany({ where: { id: { in: ids }, merchantId, revokedAt: null }, data: { revokedAt: now } });
  return ids;
}
