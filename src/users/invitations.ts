// Inviting a person (a manager, within the role rules) and accepting the invitation (the invitee,
// unauthenticated, with the token the inviter passed on: a real deployment would email it).
import { recordAudit } from "../audit/audit.js";
import type { Ctx } from "../app/app.js";
import { AppError, ErrorCode, badInput, notFound, unauthenticated } from "../platform/errors.js";
import { newId } from "../platform/ids.js";
import { actingUser, cleanName, normaliseEmail, rethrowEmailTaken, userView, type User, type UserInvitation } from "./users.data.js";
import { hashPassword, passwordProblem } from "./password.js";
import { mayManage, type UserRole } from "./roles.js";
import { createSession, type NewSession } from "./sessions.js";
import { looksLikeInviteToken, newInviteToken } from "./secrets.js";
import { hashSecret } from "../platform/ids.js";
import { planPage, type Page, type PageArgs } from "../platform/pagination.js";

/** Who is asking when nobody is signed in yet: the request, before a merchant is known. */
export type Anonymous = Pick<Ctx, "app" | "requestId">;

/** What the audit log keeps of an invitation: no token hash, no email (see userView). */
export const invitationView = (i: UserInvitation) => ({
  id: i.id, name: i.name, role: i.role, expiresAt: i.expiresAt.toISOString(), invitedBy: i.invitedBy,
});

export const forbiddenRole = (actor: UserRole, role: UserRole): AppError =>
  new AppError(ErrorCode.FORBIDDEN, `A ${actor} cannot grant or manage the ${role} role`, { role, actorRole: actor });

export async function inviteUser(ctx: Ctx, input: { email: string; role: UserRole; name: string }): Promise<{ invitation: UserInvitation; inviteToken: string }> {
  const email = normaliseEmail(input.email);
  const name = cleanName(input.name);
  const actor = await actingUser(ctx);
  if (!mayManage(actor.role, input.role)) throw forbiddenRole(actor.role, input.role);
  if (await ctx.app.db.user.findUnique({ where: { email }, select: { id: true } })) {
    throw new AppError(ErrorCode.CONFLICT, "A user with this email exists already", { field: "email" });
  }
  const inviteToken = newInviteToken();
  const invitation = await ctx.app.db.$transaction(async (tx) => {
    const row = await tx.userInvitation.create({
      data: {
        id: newId("inv"), merchantId: ctx.merchantId, email, name, role: input.role, tokenHash: hashSecret(inviteToken), invitedBy: actor.id,
        expiresAt: new Date(Date.now() + ctx.app.config.userInvitationTtlSeconds * 1000),
      },
    });
    await recordAudit(tx, ctx, { action: "user_invitation.created", entityType: "user_invitation", entityId: row.id, after: invitationView(row) });
    return row;
  });
  return { invitation, inviteToken };
}

/** One answer for every unusable token (unknown, expired, used, revoked): nothing to probe. */
const badInvitation = (): AppError => unauthenticated("Unknown, expired or already used invitation");

export async function acceptInvitation(req: Anonymous, input: { token: string; password: string; name?: string | null }): Promise<{ user: User; session: NewSession }> {
  const problem = passwordProblem(input.password);
  if (problem) throw badInput(problem, "password");
  if (!looksLikeInviteToken(input.token)) throw badInvitation();
  const now = new Date();
  const invitation = await req.app.db.userInvitation.findUnique({ where: { tokenHash: hashSecret(input.token) } });
  if (!invitation || invitation.acceptedAt || invitation.revokedAt || invitation.expiresAt <= now) throw badInvitation();
  const name = input.name == null ? invitation.name : cleanName(input.name);
  const passwordHash = await hashPassword(input.password); // outside the transaction: ~0.1 s of CPU
  const userId = newId("usr");
  const ctx = { merchantId: invitation.merchantId, requestId: req.requestId, actor: `user:${userId}` };
  return req.app.db
    .$transaction(async (tx) => {
      // Conditional: of two concurrent acceptances one wins, the other rolls back.
      const { count } = await tx.userInvitation.updateMany({ where: { id: invitation.id, acceptedAt: null, revokedAt: null }, data: { acceptedAt: now } });
      if (count === 0) throw badInvitation();
      const user = await tx.user.create({ data: { id: userId, merchantId: invitation.merchantId, email: invitation.email, name, role: invitation.role, passwordHash } });
      const session = await createSession(tx, user, req.app.config.userSessionTtlSeconds);
      await recordAudit(tx, ctx,
        { action: "user_invitation.accepted", entityType: "user_invitation", entityId: invitation.id, after: { acceptedAt: now.toISOString(), userId } },
        { action: "user.created", entityType: "user", entityId: user.id, after: userView(user) },
        { action: "session.created", entityType: "user_session", entityId: session.id, after: { userId, expiresAt: session.expiresAt.toISOString() } },
      );
      return { user, session };
    })
    .catch(rethrowEmailTaken);
}

/** Invitations still open (not accepted, revoked or expired), newest first. */
export async function listInvitations(ctx: Ctx, args: PageArgs): Promise<Page<UserInvitation>> {
  const plan = planPage(args);
  return plan.finish(await ctx.app.db.userInvitation.findMany({
    where: { merchantId: ctx.merchantId, acceptedAt: null, revokedAt: null, expiresAt: { gt: new Date() }, ...plan.where },
    orderBy: plan.orderBy,
    take: plan.take,
  }));
}

/** Withdraws an open invitation (within the role rules: an ADMIN cannot withdraw an OWNER's invitation of an ADMIN). */
export async function revokeInvitation(ctx: Ctx, input: { id: string }): Promise<UserInvitation> {
  const actor = await actingUser(ctx);
  const now = new Date();
  const invitation = await ctx.app.db.userInvitation.findFirst({ where: { id: input.id, merchantId: ctx.merchantId, acceptedAt: null, revokedAt: null, expiresAt: { gt: now } } });
  if (!invitation) throw notFound("open invitation", input.id);
  if (!mayManage(actor.role, invitation.role)) throw forbiddenRole(actor.role, invitation.role);
  return ctx.app.db.$transaction(async (tx) => {
    const { count } = await tx.userInvitation.updateMany({ where: { id: invitation.id, acceptedAt: null, revokedAt: null }, data: { revokedAt: now } });
    if (count === 0) throw notFound("open invitation", input.id);
    await recordAudit(tx, ctx, { action: "user_invitation.revoked", entityType: "user_invitation", entityId: invitation.id, before: invitationView(invitation), after: { revokedAt: now.toISOString() } });
    return { ...invitation, revokedAt: now };
  });
}
