// POST /v1/tokens: a browser turns card details into a single-use `tok_…` with the merchant's
// publishable key, so the merchant's own server never handles a card number. The route lives in its
// own Fastify scope: CORS (any origin; the publishable key, not the origin, says who is calling),
// a JSON error format and a body parser error that never echoes the body stay on this route only.
// Publishable keys work here and nowhere else (src/server/authorize.ts refuses them on /graphql); secret and
// restricted keys are refused here, so nobody is led to put a secret key in a web page — a server
// that holds card details vaults them with createPaymentMethod.
import cors from "@fastify/cors";
import type { FastifyInstance } from "fastify";
import type { App } from "../../app/app.js";
import { AppError, ErrorCode } from "../../platform/errors.js";
import { requestScope } from "../../platform/request-context.js";
import { createCardToken } from "../../tokenization/card-tokens.js";
import { restPrincipal, sendRestError, type RestDeps } from "./rest.js";

const TOKENS_PATH = "/v1/tokens";
const TOKENS_CORS = { origin: "*", methods: ["POST"], allowedHeaders: ["Authorization", "Content-Type"], maxAge: 600 };

export async function registerTokenizationRoutes(fastify: FastifyInstance, app: App, deps: RestDeps): Promise<void> {
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
        return sendRestError(app, reply, new AppError(ErrorCode.BAD_USER_INPUT, "The body must be JSON: { card: { number, expMonth, expYear, cvc } }", { field: "card" }), String(req.id));
      }
      return sendRestError(app, reply, err, String(req.id));
    });
    scope.post(TOKENS_PATH, async (req, reply) => {
      const requestId = String(req.id);
      void reply.header("x-request-id", requestId);
      return requestScope.run({ requestId, sqlQueries: 0 }, async () => {
        try {
          const principal = await restPrincipal(app, deps, req, reply);
          if (principal.keyKind !== "PUBLISHABLE") {
            throw new AppError(ErrorCode.FORBIDDEN, "Tokenize with a publishable key (pk_…); a server holding card details uses createPaymentMethod", { keyKind: principal.keyKind ?? principal.via });
          }
          const token = await createCardToken(app, { merchantId: principal.merchantId, requestId, actor: principal.actor }, req.body);
          return reply.code(201).send(token);
        } catch (err) {
          return sendRestError(app, reply, err, requestId);
        }
      });
    });
  });
}
