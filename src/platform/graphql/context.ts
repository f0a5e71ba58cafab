// The GraphQL context and the one authorization check. Resolvers ask `merchantCtx` for a domain
// Ctx; it throws UNAUTHENTICATED (with the reason) when the request carried no valid key.
import type { App, Ctx } from "../../app/app.js";
import type { AppError } from "../errors.js";
import type { PaymentLoaders } from "../../payments/payment.queries.js";
import type { Principal } from "../../auth/principal.js";

export interface GqlContext {
  app: App;
  requestId: string;
  /** Set when the request authenticated (its merchant, role, scopes); otherwise `authError` says why not. */
  principal?: Principal;
  authError?: AppError;
  loaders?: PaymentLoaders;
  /** The `Idempotency-Key` HTTP header, used when an input has no idempotencyKey field value. */
  idempotencyKey?: string;
  /** The client's address (the socket's peer): sign-in failures are throttled per IP. */
  clientIp?: string;
}

export function merchantCtx(context: GqlContext): Ctx & { loaders: PaymentLoaders } {
  const principal = context.principal;
  if (!principal || !context.loaders) throw context.authError ?? new Error("unauthenticated context");
  return { app: context.app, merchantId: principal.merchantId, requestId: context.requestId, actor: principal.actor, caller: { role: principal.role, scopes: principal.scopes }, loaders: context.loaders };
}
