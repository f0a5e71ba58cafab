// The GraphQL context and the one authorization check. Resolvers ask `merchantCtx` for a domain
// Ctx; it throws UNAUTHENTICATED (with the reason) when the request carried no valid key.
import type { App, Ctx } from "../app.js";
import type { AppError } from "../errors.js";
import type { PaymentLoaders } from "../../payments/payment.queries.js";
import type { ApiKeyKind, ApiKeyRole } from "../../generated/prisma/enums.js";

export interface GqlContext {
  app: App;
  requestId: string;
  /** Set when the request authenticated; otherwise `authError` says why not. */
  merchantId?: string;
  /** The key's role, set with merchantId: `@Authorized("ADMIN")` fields need ADMIN. */
  role?: ApiKeyRole;
  /** The key's kind and effective scopes, set with merchantId: `@Authorized("payments:read")` fields need that scope. */
  keyKind?: ApiKeyKind;
  scopes?: readonly string[];
  authError?: AppError;
  loaders?: PaymentLoaders;
  /** The `Idempotency-Key` HTTP header, used when an input has no idempotencyKey field value. */
  idempotencyKey?: string;
}

export function merchantCtx(context: GqlContext): Ctx & { loaders: PaymentLoaders } {
  if (!context.merchantId || !context.loaders) throw context.authError ?? new Error("unauthenticated context");
  return { app: context.app, merchantId: context.merchantId, requestId: context.requestId, loaders: context.loaders };
}
