// What the REST routes (/v1/tokens, /v1/batches) share: one JSON error shape
// `{ error: { code, message, field, requestId, …details } }` with the HTTP status of its code, and
// the credential check of a request (identify, count against the rate limit, refuse what it lacks).
import type { FastifyReply, FastifyRequest } from "fastify";
import type { App } from "../../app/app.js";
import { AppError, ErrorCode } from "../../platform/errors.js";
import { identify, type Verifiers } from "../../auth/identify.js";
import type { Principal } from "../../auth/principal.js";
import { rateLimitHeaders, rateLimited, type CredentialLimiter } from "../rate-limit.js";
import { scrubInput } from "../errors.js";

const STATUS: Partial<Record<ErrorCode, number>> = {
  [ErrorCode.BAD_USER_INPUT]: 400, [ErrorCode.UNAUTHENTICATED]: 401, [ErrorCode.FORBIDDEN]: 403, [ErrorCode.NOT_FOUND]: 404,
  [ErrorCode.CONFLICT]: 409, [ErrorCode.IDEMPOTENCY_KEY_REUSED]: 422, [ErrorCode.IDEMPOTENCY_IN_PROGRESS]: 409, [ErrorCode.RATE_LIMITED]: 429,
  [ErrorCode.SERVICE_UNAVAILABLE]: 503,
};

export interface RestDeps {
  verifiers: Verifiers;
  limiter: CredentialLimiter;
}

export function sendRestError(app: App, reply: FastifyReply, err: unknown, requestId: string): FastifyReply {
  if (err instanceof AppError && STATUS[err.code]) {
    const details = Object.fromEntries(Object.entries(err.details).map(([k, v]) => [k, typeof v === "string" ? scrubInput(v) : v]));
    return reply.code(STATUS[err.code]!).send({ error: { ...details, code: err.code, message: scrubInput(err.message), field: err.details.field ?? null, requestId } });
  }
  app.log.error({ err, requestId }, "REST request failed");
  return reply.code(500).send({ error: { code: ErrorCode.INTERNAL, message: "Internal server error", field: null, requestId } });
}

/** The request's principal, counted against its rate limit; UNAUTHENTICATED, RATE_LIMITED as thrown AppErrors. */
export async function restPrincipal(app: App, deps: RestDeps, req: FastifyRequest, reply: FastifyReply): Promise<Principal> {
  const authorization = typeof req.headers.authorization === "string" ? req.headers.authorization : undefined;
  const principal = await identify(app, deps.verifiers, authorization);
  // Counted before anything else is answered: a bad key is counted against its address.
  const decision = await deps.limiter.takeFor(principal, req.ip);
  if (decision) void reply.headers(rateLimitHeaders(decision));
  if (decision && !decision.allowed) throw rateLimited(decision, principal instanceof AppError ? "this address" : "this API key");
  if (principal instanceof AppError) throw principal;
  return principal;
}
