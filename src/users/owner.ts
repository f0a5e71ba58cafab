// The first OWNER of a merchant, made from the command line (`paygraph merchant create
// --owner-email … --owner-password …`): nobody can invite the first user.
import { recordAudit } from "../audit/audit.js";
import type { Db, Tx } from "../platform/db.js";
import { AppError, ErrorCode, badInput } from "../platform/errors.js";
import { newId } from "../platform/ids.js";
import { hashPassword, passwordProblem } from "./password.js";
import { cleanName, normaliseEmail, rethrowEmailTaken, userView, type User } from "./users.data.js";

export interface OwnerInput { email: string; password: string; name?: string | undefined }

/** An owner checked and with its password hashed: everything slow or refusable, before any write. */
export interface PreparedOwner { email: string; name: string; passwordHash: string }

/** Checks the owner's details and hashes the password, before the merchant is written. */
export async function prepareOwner(db: Db, input: OwnerInput): Promise<PreparedOwner> {
  const email = normaliseEmail(input.email);
  const problem = passwordProblem(input.password);
  if (problem) throw badInput(problem, "password");
  if (await db.user.findUnique({ where: { email }, select: { id: true } })) throw new AppError(ErrorCode.CONFLICT, "A user with this email exists already", { field: "email" });
  return { email, name: cleanName(input.name ?? email.split("@")[0]!), passwordHash: await hashPassword(input.password) };
}

/** The OWNER row, in the transaction that creates its merchant (a merchant never exists without it). */
export async function insertOwner(tx: Tx, merchantId: string, owner: PreparedOwner, actor = "cli"): Promise<User> {
  const user = await tx.user.create({ data: { id: newId("usr"), merchantId, email: owner.email, name: owner.name, role: "OWNER", passwordHash: owner.passwordHash } });
  await recordAudit(tx, { merchantId, requestId: actor, actor }, { action: "user.created", entityType: "user", entityId: user.id, after: userView(user) });
  return user;
}

export { rethrowEmailTaken };
