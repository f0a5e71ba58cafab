// The GraphQL context. Resolvers ask `merchantCtx` for a domain Ctx; it throws UNAUTHENTICATED
// (with the reason) when the request carried no valid key. server/http.ts builds one per request;
// it is declared here beside App, not in server/, because every domain's resolvers read it and
// domains never import server/.
import type { App, Ctx } from "./app.js";
import type { AppError } from "../platform/errors.js";
import type { PaymentLoaders } from "../payments/payment.queries.js";
import type { Principal } from "../auth/principal.js";

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
