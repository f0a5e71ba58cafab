// The OAuth HTTP surface: POST /oauth/token (RFC 6749 §4.4 client credentials), the RFC 8414
// metadata and the JWKS. Registered as one encapsulated Fastify plugin: its form-body parser and
// its error handler (every failure is a §5.2 JSON error) apply to these routes only.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { App } from "../../app/app.js";
import { rateLimitHeaders, type CredentialLimiter } from "../rate-limit.js";
import { isScope } from "../../merchants/api-keys.js";
import { authenticateClient } from "../../auth/oauth/clients.js";
import { JWKS_PATH, METADATA_PATH, TOKEN_PATH, jwks, serverMetadata } from "../../auth/oauth/metadata.js";
import { publishedKeys } from "../../auth/oauth/signing-keys.js";
import { TokenError, formParams, grantedScopes, readTokenRequest } from "../../auth/oauth/token-request.js";
import { issueAccessToken, type AccessTokenVerifier } from "../../auth/oauth/access-tokens.js";

const FORM = "application/x-www-form-urlencoded";
/** A token request is a few short parameters. */
const BODY_LIMIT = 8 * 1024;

function sendError(reply: FastifyReply, err: TokenError, realm: string): FastifyReply {
  if (err.status === 401 && err.basic) void reply.header("www-authenticate", `Basic realm="${realm}", charset="UTF-8"`);
  return reply.code(err.status).header("cache-control", "no-store").header("pragma", "no-cache").type("application/json").send({ error: err.error, error_description: err.description });
}

export function registerOAuthRoutes(fastify: FastifyInstance, app: App, deps: { verifier: AccessTokenVerifier; limiter: CredentialLimiter }): void {
  const { verifier, limiter } = deps;
  const realm = (): string => verifier.to.issuer();

  void fastify.register(async (scope) => {
    scope.addContentTypeParser(FORM, { parseAs: "string", bodyLimit: BODY_LIMIT }, (_req, body, done) => done(null, body));
    scope.setErrorHandler((err, _req, reply) => {
      if (err instanceof TokenError) return sendError(reply, err, realm());
      const status = (err as { statusCode?: number }).statusCode ?? 500;
      if (status >= 500) {
        app.log.error({ err }, "token endpoint failed");
        return reply.code(500).header("cache-control", "no-store").send({ error: "server_error", error_description: "The token could not be issued" });
      }
      // Fastify's own refusals (wrong content type, body too large, bad encoding): a malformed request.
      return sendError(reply, new TokenError("invalid_request", `Send grant_type and the client credentials as ${FORM}`), realm());
    });

    scope.post(TOKEN_PATH, async (req: FastifyRequest, reply: FastifyReply) => {
      // Each request may be a guess at a secret: counted per address before anything else.
      const decision = await limiter.take(`ip:${req.ip}`, app.config.rateLimitPerIpPerSecond);
      if (decision) void reply.headers(rateLimitHeaders(decision));
      if (decision && !decision.allowed) {
        // No §5.2 code fits; the shape is §5.2's so OAuth clients can read it, the code is the API's own.
        return reply.code(429).header("cache-control", "no-store").send({
          error: "rate_limited", error_description: `Too many token requests from this address; retry in ${decision.resetMs} ms`, retry_after_ms: decision.resetMs,
        });
      }
      if (!(req.headers["content-type"] ?? "").toLowerCase().startsWith(FORM) || typeof req.body !== "string") {
        throw new TokenError("invalid_request", `The body must be ${FORM}`);
      }
      const request = readTokenRequest(formParams(req.body), req.headers.authorization);
      const client = await authenticateClient(app.db, request.clientId, request.clientSecret);
      if (!client) throw new TokenError("invalid_client", "Unknown client, wrong secret or revoked client", request.method === "client_secret_basic");
      if (request.grantType !== "client_credentials") throw new TokenError("unsupported_grant_type", "Only grant_type=client_credentials is supported");
      // A client whose scopes the server no longer knows (SCOPES shrank) may not be issued anything.
      const clientScopes = client.scopes.filter(isScope);
      if (clientScopes.length === 0) throw new TokenError("unauthorized_client", "This client holds no scope this server grants");
      const scopes = grantedScopes(clientScopes, request.scopes);
      const token = await issueAccessToken(verifier.keys, verifier.to, app.config.oauthTokenTtlSeconds, client, scopes);
      return reply.header("cache-control", "no-store").header("pragma", "no-cache").send({
        access_token: token.accessToken, token_type: "Bearer", expires_in: token.expiresIn, scope: token.scope,
      });
    });
  });

  fastify.get(METADATA_PATH, async (_req, reply) => reply.header("cache-control", "public, max-age=3600").send(serverMetadata(verifier.to.issuer())));
  // Short-lived in caches: a resource server that sees an unknown kid refetches anyway.
  fastify.get(JWKS_PATH, async (_req, reply) => {
    await verifier.keys.current(); // a key to sign with exists, so it is published before its first token
    return reply.header("cache-control", "public, max-age=300").send(jwks(await publishedKeys(app)));
  });
}
