// Changing a user's role and removing a user, under the rules of roles.ts: the actor must be
// allowed to manage both the target's current role and the new one, and the last active OWNER can
// be neither demoted nor removed (checked under a lock on the owners' rows).
import { recordAudit } from "../audit/audit.js";
import type { Ctx } from "../app/app.js";
import { AppError, ErrorCode } from "../platform/errors.js";
import { forbiddenRole } from "./invitations.js";
import { mayManage, type UserRole } from "./roles.js";
import { announceSessionsEnded } from "./live-sessions.js";
import { activeSessionIds, revokeSessionsOf } from "./sessions.js";
import { actingUser, activeUser, lastOwner, lockedOwnerCount, userView, type User } from "./users.data.js";

const changedMeanwhile = (id: string): AppError => new AppError(ErrorCode.CONFLICT, `User '${id}' changed meanwhile; read it again`, { id });

export async function updateUserRole(ctx: Ctx, input: { id: string; role: UserRole }): Promise<User> {
  const actor = await actingUser(ctx);
  const target = await activeUser(ctx.app.db, ctx.merchantId, input.id);
  if (!mayManage(actor.role, target.role)) throw forbiddenRole(actor.role, target.role);
  if (!mayManage(actor.role, input.role)) throw forbiddenRole(actor.role, input.role);
  if (target.role === input.role) return target;
  const updated = await ctx.app.db.$transaction(async (tx) => {
    if (target.role === "OWNER" && (await lockedOwnerCount(tx, ctx.merchantId)) <= 1) throw lastOwner(target.id);
    const { count } = await tx.user.updateMany({ where: { id: target.id, merchantId: ctx.merchantId, role: target.role, disabledAt: null }, data: { role: input.role } });
    if (count === 0) throw changedMeanwhile(target.id);
    const updated = { ...target, role: input.role };
    await recordAudit(tx, ctx, { action: "user.role_changed", entityType: "user", entityId: target.id, before: userView(target), after: userView(updated) });
    return updated;
  });
  // Requests see the new role at once; live subscriptions were authorized under the old one.
  await announceSessionsEnded(ctx, await activeSessionIds(ctx.app.db, ctx.merchantId, target.id));
  return updated;
}

/** Disables the user and revokes every session: their tokens are refused from the next request on. */
export async function removeUser(ctx: Ctx, input: { id: string }): Promise<User> {
  const actor = await actingUser(ctx);
  const target = await activeUser(ctx.app.db, ctx.merchantId, input.id);
  if (!mayManage(actor.role, target.role)) throw forbiddenRole(actor.role, target.role);
  const now = new Date();
  const { removed, sessionIds } = await ctx.app.db.$transaction(async (tx) => {
    if (target.role === "OWNER" && (await lockedOwnerCount(tx, ctx.merchantId)) <= 1) throw lastOwner(target.id);
    const { count } = await tx.user.updateMany({ where: { id: target.id, merchantId: ctx.merchantId, role: target.role, disabledAt: null }, data: { disabledAt: now } });
    if (count === 0) throw changedMeanwhile(target.id);
    const sessionIds = await revokeSessionsOf(tx, ctx.merchantId, target.id, now);
    const removed = { ...target, disabledAt: now };
    await recordAudit(tx, ctx, { action: "user.removed", entityType: "user", entityId: target.id, before: userView(target), after: { ...userView(removed), sessionsRevoked: sessionIds } });
    return { removed, sessionIds };
  });
  await announceSessionsEnded(ctx, sessionIds);
  return removed;
}
