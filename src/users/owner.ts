// The first OWNER of a merchant, made from the command line (`paygraph merchant create
// --owner-email … --owner-password …`): nobody can invite the first user.
import { recordAudit } from "../audit/audit.js";
import type { Db } from "../platform/db.js";
import { AppError, ErrorCode, badInput } from "../platform/errors.js";
import { newId } from "../platform/ids.js";
import { hashPassword, passwordProblem } from "./password.js";
import { cleanName, normaliseEmail, rethrowEmailTaken, userView, type User } from "./users.data.js";

export interface OwnerInput { email: string; password: string; name?: string | undefined }

/** Checks the owner's details before anything is written (the CLI calls it before creating the merchant). */
export async function checkOwnerInput(db: Db, input: OwnerInput): Promise<{ email: string; name: string }> {
  const email = normaliseEmail(input.email);
  const problem = passwordProblem(input.password);
  if (problem) throw badInput(problem, "password");
  if (await db.user.findUnique({ where: { email }, select: { id: true } })) throw new AppError(ErrorCode.CONFLICT, "A user with this email exists already", { field: "email" });
  return { email, name: cleanName(input.name ?? email.split("@")[0]!) };
}

export async function createOwnerUser(db: Db, merchantId: string, input: OwnerInput): Promise<User> {
  const { email, name } = await checkOwnerInput(db, input);
  const passwordHash = await hashPassword(input.password);
  return db
    .$transaction(async (tx) => {
      const user = await tx.user.create({ data: { id: newId("usr"), merchantId, email, name, role: "OWNER", passwordHash } });
      await recordAudit(tx, { merchantId, requestId: "cli", actor: "cli" }, { action: "user.created", entityType: "user", entityId: user.id, after: userView(user) });
      return user;
    })
    .catch(rethrowEmailTaken);
}
