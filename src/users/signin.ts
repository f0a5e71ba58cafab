// Signing in and out. One answer for a wrong email and a wrong password (and a removed user), the
// same scrypt cost for all of them, and failed attempts throttled per email and per IP.
import { recordAudit } from "../audit/audit.js";
import type { Ctx } from "../app/app.js";
import { unauthenticated } from "../platform/errors.js";
import type { Anonymous } from "./invitations.js";
import { PASSWORD_MAX, burnVerification, hashPassword, needsRehash, verifyPassword } from "./password.js";
import { announceSessionsEnded } from "./live-sessions.js";
import { createSession, revokeSessionsOf } from "./sessions.js";
import { signInThrottle } from "./signin-throttle.js";
import { activeUser, type User } from "./users.data.js";

const wrongCredentials = () => unauthenticated("Wrong email or password");

export async function signIn(req: Anonymous & { clientIp: string }, input: { email: string; password: string }): Promise<{ user: User; token: string; expiresAt: Date }> {
  const email = input.email.trim().toLowerCase().slice(0, 320);
  const throttle = signInThrottle(req.app);
  await throttle.attempt(email, req.clientIp);
  const user = await req.app.db.user.findUnique({ where: { email } });
  // An over-long password fails without hashing (it could not have been set): the cost is the
  // same whether or not the email exists, so nothing is revealed.
  const matches = [...input.password].length > PASSWORD_MAX ? false
    : user ? await verifyPassword(input.password, user.passwordHash) : await burnVerification(input.password);
  if (!user || !matches || user.disabledAt) throw wrongCredentials(); // the attempt stays counted
  await throttle.succeeded(email, req.clientIp);
  const ctx = { merchantId: user.merchantId, requestId: req.requestId, actor: `user:${user.id}` };
  // Parameters raised since this hash was made: re-hash now, while the password is at hand.
  const rehashed = needsRehash(user.passwordHash) ? await hashPassword(input.password) : undefined;
  const session = await req.app.db.$transaction(async (tx) => {
    if (rehashed) await tx.user.update({ where: { id: user.id }, data: { passwordHash: rehashed } });
    const s = await createSession(tx, user, req.app.config.userSessionTtlSeconds);
    await recordAudit(tx, ctx, { action: "session.created", entityType: "user_session", entityId: s.id, after: { userId: user.id, expiresAt: s.expiresAt.toISOString() } });
    return s;
  });
  return { user, token: session.token, expiresAt: session.expiresAt };
}

/** Revokes the session the request came with. */
/** Revokes this session, or (everywhere) every live session of its user; answers how many. */
export async function signOut(ctx: Ctx, sessionId: string, everywhere: boolean): Promise<number> {
  const now = new Date();
  const revoked = await ctx.app.db.$transaction(async (tx) => {
    const live = { merchantId: ctx.merchantId, revokedAt: null };
    const session = await tx.userSession.findFirst({ where: { id: sessionId, ...live } });
    if (!session) return [];
    // Everywhere: the user's live sessions (not the long-expired ones), as removing a user revokes them.
    const ids = everywhere
      ? await revokeSessionsOf(tx, ctx.merchantId, session.userId, now)
      : (await tx.userSession.updateMany({ where: { id: sessionId, ...live }, data: { revokedAt: now } })).count ? [sessionId] : [];
    for (const id of ids) await recordAudit(tx, ctx, { action: "session.revoked", entityType: "user_session", entityId: id, after: { revokedAt: now.toISOString(), reason: everywhere ? "sign_out_everywhere" : "sign_out" } });
    return ids;
  });
  if (revoked.length) await announceSessionsEnded(ctx, revoked);
  return revoked.length;
}

export async function me(ctx: Ctx): Promise<User> {
  return activeUser(ctx.app.db, ctx.merchantId, ctx.actor.replace(/^user:/, ""));
}
