// POST /v1/tokens: a browser turns card details into a single-use `tok_…` with the merchant's
// publishable key, so the merchant's own server never handles a card number. The route lives in its
// own Fastify scope: CORS (any origin; the publishable key, not the origin, says who is calling),
// a JSON error format and a body parser error that never echoes the body stay on this route only.
// Publishable keys work here and nowhere else (src/server/authorize.ts refuses them on /graphql); secret and
// restricted keys are refused here, so nobody is led to put a secret key in a web page — a server
// that holds card details vaults them with createPaymentMethod.
import cors from "@fastify/cors";
import type { FastifyInstance, FastifyReply } from "fastify";
import type { App } from "../../app/app.js";
import { AppError, ErrorCode } from "../../platform/errors.js";
import { requestScope } from "../../platform/request-context.js";
import { identify, type Verifiers } from "../../auth/identify.js";
import { rateLimitHeaders, rateLimited, type CredentialLimiter } from "../rate-limit.js";
import { scrubInput } from "../errors.js";
import { createCardToken } from "../../tokenization/card-tokens.js";

const STATUS: Partial<Record<ErrorCode, number>> = {
  [ErrorCode.BAD_USER_INPUT]: 400, [ErrorCode.UNAUTHENTICATED]: 401, [ErrorCode.FORBIDDEN]: 403, [ErrorCode.RATE_LIMITED]: 429,
};

function sendError(app: App, reply: FastifyReply, err: unknown, requestId: string): FastifyReply {
  if (err instanceof AppError && STATUS[err.code]) {
    const details = Object.fromEntries(Object.entries(err.details).map(([k, v]) => [k, typeof v === "string" ? scrubInput(v) : v]));
    return reply.code(STATUS[err.code]!).send({ error: { ...details, code: err.code, message: scrubInput(err.message), field: err.details.field ?? null, requestId } });
  }
  app.log.error({ err, requestId }, "token request failed");
  return reply.code(500).send({ error: { code: ErrorCode.INTERNAL, message: "Internal server error", field: null, requestId } });
}

const TOKENS_PATH = "/v1/tokens";
const TOKENS_CORS = { origin: "*", methods: ["POST"], allowedHeaders: ["Authorization", "Content-Type"], maxAge: 600 };

export interface TokenizationRouteDeps {
  verifiers: Verifiers;
  limiter: CredentialLimiter;
}

export async function registerTokenizationRoutes(fastify: FastifyInstance, app: App, deps: TokenizationRouteDeps): Promise<void> {
  await fastify.register(async (scope) => {
    // Answers the preflight itself (204) and adds Access-Control-Allow-Origin to every answer,
    // errors included, so a browser can read why a tokenization failed. The plugin's preflight
    // route is `OPTIONS *` (Fastify routes are global), so the delegator turns CORS off for every
    // other path: OPTIONS elsewhere stays a 404, as before.
    await scope.register(cors, {
      delegator: (req, callback) => callback(null, req.url.split("?")[0] === TOKENS_PATH ? TOKENS_CORS : { origin: false }),
    });
    // Fastify's own messages for an unparsable body quote the body (V8's JSON.parse error shows a
    // snippet of the input): the card number must not come back that way.
    scope.setErrorHandler((err, req, reply) => {
      const status = (err as { statusCode?: number }).statusCode;
      if (status && status < 500) {
        return sendError(app, reply, new AppError(ErrorCode.BAD_USER_INPUT, "The body must be JSON: { card: { number, expMonth, expYear, cvc } }", { field: "card" }), String(req.id));
      }
      return sendError(app, reply, err, String(req.id));
    });
    scope.post(TOKENS_PATH, async (req, reply) => {
      const requestId = String(req.id);
      void reply.header("x-request-id", requestId);
      return requestScope.run({ requestId, sqlQueries: 0 }, async () => {
        try {
          const authorization = typeof req.headers.authorization === "string" ? req.headers.authorization : undefined;
          const principal = await identify(app, deps.verifiers, authorization);
          // Counted before anything else is answered: a bad key is counted against its address.
          const decision = await deps.limiter.takeFor(principal, req.ip);
          if (decision) void reply.headers(rateLimitHeaders(decision));
          if (decision && !decision.allowed) throw rateLimited(decision, principal instanceof AppError ? "this address" : "this API key");
          if (principal instanceof AppError) throw principal;
          if (principal.keyKind !== "PUBLISHABLE") {
            throw new AppError(ErrorCode.FORBIDDEN, "Tokenize with a publishable key (pk_…); a server holding card details uses createPaymentMethod", { keyKind: principal.keyKind ?? principal.via });
          }
          const token = await createCardToken(app, { merchantId: principal.merchantId, requestId, actor: principal.actor }, req.body);
          return reply.code(201).send(token);
        } catch (err) {
          return sendError(app, reply, err, requestId);
        }
      });
    });
  });
}
