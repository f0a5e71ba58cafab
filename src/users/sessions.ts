// User sessions: created at sign-in (or on accepting an invitation), verified on every request,
// revoked at sign-out and when the user is removed. Not cached: each request reads the session
// and its user in one indexed query, so a revoked session, a removed user or a changed role takes
// effect on the very next request, on every api process, with no invalidation to lose.
import type { Principal } from "../auth/principal.js";
import type { Db, Tx } from "../platform/db.js";
import { unauthenticated } from "../platform/errors.js";
import { newId } from "../platform/ids.js";
import { scopesOf } from "./roles.js";
import { hashToken, newSessionToken } from "./tokens.js";

export interface NewSession { id: string; token: string; expiresAt: Date }

export async function createSession(tx: Tx, user: { id: string; merchantId: string }, ttlSeconds: number): Promise<NewSession> {
  const token = newSessionToken();
  const expiresAt = new Date(Date.now() + ttlSeconds * 1000);
  const row = await tx.userSession.create({ data: { id: newId("ses"), merchantId: user.merchantId, userId: user.id, tokenHash: hashToken(token), expiresAt } });
  return { id: row.id, token, expiresAt };
}

/** The principal a session token speaks for; UNAUTHENTICATED (one message for every reason) otherwise. */
export async function authenticateSession(db: Db, token: string): Promise<Principal> {
  const session = await db.userSession.findUnique({ where: { tokenHash: hashToken(token) }, select: { id: true, userId: true, merchantId: true, expiresAt: true, revokedAt: true } });
  const user = session && !session.revokedAt && session.expiresAt.getTime() > Date.now()
    ? await db.user.findFirst({ where: { id: session.userId, merchantId: session.merchantId, disabledAt: null }, select: { id: true, role: true } })
    : null;
  if (!session || !user) throw unauthenticated("Unknown, expired or revoked session: sign in again");
  return {
    merchantId: session.merchantId, role: "MERCHANT", via: "USER", credentialId: session.id, actor: `user:${user.id}`,
    rateLimitPerSecond: null, scopes: scopesOf(user.role), expiresAt: session.expiresAt.getTime(),
  };
}

export async function revokeSessionsOf(tx: Tx, merchantId: string, userId: string, now: Date): Promise<number> {
  return (await tx.userSession.updateMany({ where: { merchantId, userId, revokedAt: null, expiresAt: { gt: now } }, data: { revokedAt: now } })).count;
}
