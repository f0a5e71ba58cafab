// Data access of the users domain: every read is scoped by merchant; another merchant's ids are NOT_FOUND.
import { Prisma, type User, type UserInvitation } from "../generated/prisma/client.js";
import type { Ctx } from "../app/app.js";
import type { Db, Tx } from "../platform/db.js";
import { AppError, ErrorCode, badInput, notFound } from "../platform/errors.js";
import { planPage, type Page, type PageArgs } from "../platform/pagination.js";

export type { User, UserInvitation };

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Trimmed and lower-cased: one person, one identity, however they type it. */
export function normaliseEmail(email: string): string {
  const e = email.trim().toLowerCase();
  if (e.length > 254 || !EMAIL.test(e)) throw badInput("email must be a valid address of at most 254 characters", "email");
  return e;
}

export function cleanName(name: string): string {
  const n = name.trim();
  if (!n || n.length > 100) throw badInput("name must be 1 to 100 characters", "name");
  return n;
}

/** The acting user (from `ctx.actor`, `user:usr_…`), active, with their current role. */
export async function actingUser(ctx: Ctx): Promise<User> {
  const id = ctx.actor.startsWith("user:") ? ctx.actor.slice("user:".length) : undefined;
  const user = id ? await ctx.app.db.user.findFirst({ where: { id, merchantId: ctx.merchantId, disabledAt: null } }) : null;
  if (!user) throw new AppError(ErrorCode.FORBIDDEN, "Only a signed-in user may manage users", { missingScope: "users:manage" });
  return user;
}

export async function activeUser(db: Db | Tx, merchantId: string, id: string): Promise<User> {
  const user = await db.user.findFirst({ where: { id, merchantId, disabledAt: null } });
  if (!user) throw notFound("user", id);
  return user;
}

export async function listUsers(ctx: Ctx, args: PageArgs): Promise<Page<User>> {
  const plan = planPage(args);
  return plan.finish(await ctx.app.db.user.findMany({ where: { merchantId: ctx.merchantId, ...plan.where }, orderBy: plan.orderBy, take: plan.take }));
}

/**
 * Locks the merchant's active OWNER rows (FOR UPDATE) and counts them: two owners demoting or
 * removing each other at once are serialised here, so the second sees the first's change and the
 * merchant always keeps an owner.
 */
export async function lockedOwnerCount(tx: Tx, merchantId: string): Promise<number> {
  const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM merchant_user WHERE merchant_id = ${merchantId} AND role = 'OWNER' AND disabled_at IS NULL FOR UPDATE`;
  return rows.length;
}

export const lastOwner = (id: string): AppError =>
  new AppError(ErrorCode.CONFLICT, "The last OWNER can be neither removed nor demoted: make another user OWNER first", { id, reason: "LAST_OWNER" });

/** An email taken by another user (any merchant): CONFLICT, not a database error. */
export function rethrowEmailTaken(err: unknown): never {
  if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") {
    throw new AppError(ErrorCode.CONFLICT, "A user with this email exists already", { field: "email" });
  }
  throw err;
}

/**
 * What the audit log keeps of a user: never the password hash, and not the email either — the log
 * is readable with the `admin` scope, emails only with `users:manage` (and an append-only log
 * could never forget one).
 */
export const userView = (u: User): Prisma.InputJsonObject => ({
  id: u.id, name: u.name, role: u.role, disabledAt: u.disabledAt?.toISOString() ?? null,
});
