// A credential may only hand out what it holds. The `admin` scope lets a caller make keys and OAuth
// clients; without these checks a RESTRICTED key or OAuth client holding only `admin` could mint a
// SECRET key (every scope), and any `admin` holder could roll the CLI-issued platform ADMIN key into
// a fresh ADMIN secret. Requests carry `ctx.caller`; the CLI and background work do not (trusted).
import type { Ctx } from "../app/app.js";
import { AppError, ErrorCode } from "../platform/errors.js";

/** FORBIDDEN unless every scope of the credential being made is one the caller holds. */
export function assertMayGrant(ctx: Pick<Ctx, "caller">, scopes: readonly string[]): void {
  if (!ctx.caller) return;
  const beyond = scopes.find((s) => !ctx.caller!.scopes.includes(s));
  if (beyond !== undefined) {
    throw new AppError(ErrorCode.FORBIDDEN, `A credential cannot grant the scope '${beyond}', which it does not hold itself`, { missingScope: beyond });
  }
}

/** FORBIDDEN unless the caller may manage a key of this platform role (ADMIN keys: platform ADMINs only). */
export function assertMayManageRole(ctx: Pick<Ctx, "caller">, role: "ADMIN" | "MERCHANT"): void {
  if (ctx.caller && role === "ADMIN" && ctx.caller.role !== "ADMIN") {
    throw new AppError(ErrorCode.FORBIDDEN, "Keys with the platform ADMIN role are managed by platform admins only", { requiredRoles: ["ADMIN"] });
  }
}
