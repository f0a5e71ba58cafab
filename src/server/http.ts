// The api process's HTTP surface: Fastify with Apollo Server 5 on /graphql (POST and GET), the
// graphql-ws server on the same path, the playground, and health/metrics endpoints. Given TLS
// options, everything (WebSocket upgrades included) is served over HTTPS/WSS only.
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import { fastifyApolloDrainPlugin, fastifyApolloHandler } from "@as-integrations/fastify";
import type { GraphQLSchema } from "graphql";
import { createFailFastRedis } from "../platform/redis.js";
import { WebSocketServer } from "ws";
import { useServer } from "graphql-ws/use/ws";
import { randomUUID } from "node:crypto";
import { GraphQLError, getOperationAST } from "graphql";
import type { App } from "../app/app.js";
import { AppError, ErrorCode } from "../platform/errors.js";
import type { GqlContext } from "../app/graphql-context.js";
import { httpRequests } from "../platform/metrics.js";
import { metricsHandler } from "./metrics-endpoint.js";
import { requestScope, type RequestScope } from "../platform/request-context.js";
import { KeyCache, keyInvalidationChannel } from "../merchants/api-keys.js";
import { identify, type Verifiers } from "../auth/identify.js";
import { createOAuthRuntime } from "../auth/oauth/runtime.js";
import { registerOAuthRoutes } from "./routes/oauth.js";
import { followEndedSessions } from "../users/live-sessions.js";
import type { Principal } from "../auth/principal.js";
import { paymentLoaders } from "../payments/payment.queries.js";
import { formatError } from "./errors.js";
import { sendGraphiql } from "./graphiql.js";
import { readiness } from "./health.js";
import type { TlsOptions } from "./tls.js";
import { checkDocument, queryLimitRules } from "./query-limits.js";
import { asRequestError, unstorableText, unstorableTextPlugin } from "./text-input.js";
import { clientAddress } from "./client-ip.js";
import { CredentialLimiter, rateLimitHeaders, rateLimited, type RateDecision } from "./rate-limit.js";
import { registerTokenizationRoutes } from "./routes/tokenization.js";
import { registerBatchRoutes } from "./routes/batches.js";
import { registerThreeDSecureRoutes } from "./routes/three-d-secure.js";
import { registerCheckoutPage } from "./routes/checkout-page.js";
import { registerElementsRoutes } from "./routes/elements.js";
import { registerDashboard } from "./routes/dashboard.js";
import { SubscriptionLimits } from "./subscription-limits.js";
import { asUnavailable } from "../platform/unavailable.js";

function contextFor(app: App, requestId: string, auth: Principal | AppError, cache: boolean, idempotencyKey?: string, clientIp?: string): GqlContext {
  const base: GqlContext = { app, requestId, ...(idempotencyKey ? { idempotencyKey } : {}), ...(clientIp ? { clientIp } : {}) };
  if (auth instanceof AppError) return { ...base, authError: auth };
  return { ...base, principal: auth, loaders: paymentLoaders(app.db, auth.merchantId, cache) };
}

/**
 * This process's KeyCache, kept honest across processes: a revoked or rolled key's hash arrives on
 * Redis pub/sub and is dropped here. Pub/sub loses what is sent while disconnected, so a reconnect
 * drops everything.
 */
async function keyCacheFollowingRevocations(app: App): Promise<{ keys: KeyCache; stop: () => Promise<unknown> }> {
  const keys = new KeyCache(app.config.authCacheMs);
  const stop = await app.pubsub.follow<{ hash?: string }>(keyInvalidationChannel(app.config.redisPrefix), (m) => m.hash && keys.delete(m.hash), () => keys.clear(), app.log);
  return { keys, stop };
}

const wsAuthorization = (params: Record<string, unknown> | undefined): string | undefined =>
  (params?.Authorization ?? params?.authorization) as string | undefined;

const header = (req: FastifyRequest, name: string): string | undefined => {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

export async function createHttpServer(app: App, schema: GraphQLSchema, tls?: TlsOptions): Promise<FastifyInstance> {
  const options = { logger: false, bodyLimit: 1_000_000, trustProxy: app.config.trustProxy.length ? app.config.trustProxy : false, genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => {
    // A caller's request id is kept for tracing only if it is short and plain: it goes into logs and the audit trail.
    const given = req.headers["x-request-id"];
    return typeof given === "string" && /^[\w.:-]{1,64}$/.test(given) ? given : randomUUID();
  } };
  // An https.Server is an http.Server to everything used here (listen, address, close, upgrade
  // events for ws); the cast keeps one instance type for callers.
  const fastify = tls ? (Fastify({ ...options, https: tls }) as unknown as FastifyInstance) : Fastify(options);

  const { keys, stop: stopInvalidations } = await keyCacheFollowingRevocations(app);
  // The OAuth issuer is this server's URL, known once it listens (PUBLIC_URL overrides it).
  const listening = (): string | undefined => {
    const address = fastify.server.address();
    return typeof address === "object" && address ? `${tls ? "https" : "http"}://${app.config.host}:${address.port}` : undefined;
  };
  const oauth = await createOAuthRuntime(app, listening);
  const verifiers: Verifiers = { keys, oauth: oauth.verifier };
  fastify.addHook("onClose", async () => void (await Promise.all([stopInvalidations(), oauth.stop()])));
  // A user's live subscriptions end with their session (src/users/live-sessions.ts).
  const { live: liveSessions, stop: stopSessionFollow } = await followEndedSessions(app);
  fastify.addHook("onClose", async () => void (await stopSessionFollow()));
  // Fail-fast like the publisher: a limiter waits for no Redis (it falls back to memory, rate-limit.ts).
  const limiterRedis = createFailFastRedis(app.config, "limiter", app.log);
  fastify.addHook("onClose", async () => void limiterRedis.disconnect());
  const limiter = new CredentialLimiter(limiterRedis, app.config.redisPrefix, app.config.rateLimitPerSecond, app.log, app.config.rateLimitPerIpPerSecond);
  const take = (auth: Principal | AppError, ip: string) => limiter.takeFor(auth, ip);
  const addressOf = clientAddress(app.config.trustProxy); // WebSocket upgrades; HTTP requests use req.ip (same rule)
  const refusal = (auth: Principal | AppError, decision: RateDecision): AppError => rateLimited(decision, auth instanceof AppError ? "this address" : auth.via === "OAUTH" ? "this OAuth client" : "this API key");
  registerOAuthRoutes(fastify, app, { verifier: oauth.verifier, limiter });
  const limits = app.config.graphqlLimits;
  const rules = queryLimitRules(limits, app.config.graphqlIntrospection);
  const hideSuggestions = !app.config.graphqlSuggestions;
  const wsServer = new WebSocketServer({ server: fastify.server, path: "/graphql" });
  const subscriptionLimits = new SubscriptionLimits({
    perSocket: app.config.subscriptionsPerSocket,
    perCredential: app.config.subscriptionsPerCredential,
    socketBufferBytes: app.config.subscriptionSocketBufferBytes,
  });
  const ws = useServer<Record<string, unknown>>(
    {
      schema,
      // Each subscription gets a fresh context; its DataLoaders do not cache, since one context
      // lives as long as the subscription and must not serve stale children.
      context: async (ctx) => contextFor(app, randomUUID(), await identify(app, verifiers, wsAuthorization(ctx.connectionParams)), false, undefined, addressOf(ctx.extra.request)),
      // Each subscription operation counts against its key, and is parsed and validated with the
      // same limits as HTTP (this hook replaces graphql-ws's own parse and validate).
      onSubscribe: async (ctx, id, payload) => {
        const auth = await identify(app, verifiers, wsAuthorization(ctx.connectionParams));
        if (!(auth instanceof AppError) && auth.via === "USER") liveSessions.track(auth.credentialId, ctx.extra.socket);
        const decision = await take(auth, addressOf(ctx.extra.request));
        if (decision && !decision.allowed) {
          const err = refusal(auth, decision);
          return [new GraphQLError(err.message, { originalError: err })];
        }
        const checked = checkDocument(schema, payload.query, limits, rules);
        if ("errors" in checked) return checked.errors;
        const operation = getOperationAST(checked.document, payload.operationName);
        const unstorable = operation ? unstorableText(checked.document, operation, payload.variables ?? undefined) : undefined;
        if (unstorable) return [asRequestError(unstorable)];
        // Counted last, once nothing else refuses it; released by onComplete or onClose.
        if (operation?.operation === "subscription" && !(auth instanceof AppError)) {
          const tooMany = subscriptionLimits.admit(ctx.extra.socket, id, `${auth.via}:${auth.credentialId}`);
          if (tooMany) return [new GraphQLError(tooMany.message, { originalError: tooMany })];
        }
        return { schema, document: checked.document, operationName: payload.operationName, variableValues: payload.variables };
      },
      onNext: (ctx, _id, _payload, _args, result) => {
        subscriptionLimits.closeIfBacklogged(ctx.extra.socket);
        return result.errors ? { ...result, errors: result.errors.map((e) => formatError(e.toJSON(), e, app.log, hideSuggestions)) } : undefined;
      },
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => formatError(e.toJSON(), e, app.log, hideSuggestions)),
      onComplete: (ctx, id) => subscriptionLimits.release(ctx.extra.socket, id),
      onClose: (ctx) => subscriptionLimits.releaseAll(ctx.extra.socket),
    },
    wsServer,
  );

  const apollo = new ApolloServer<GqlContext>({
    schema,
    introspection: app.config.graphqlIntrospection,
    validationRules: rules,
    parseOptions: { maxTokens: limits.maxTokens },
    // One operation per request: a batch would multiply a request's cost past every limit above.
    allowBatchedHttpRequests: false,
    includeStacktraceInErrorResponses: false,
    formatError: (formatted, error) => formatError(formatted, error, app.log, hideSuggestions),
    plugins: [
      fastifyApolloDrainPlugin(fastify),
      { serverWillStart: async () => ({ drainServer: async () => void (await ws.dispose()) }) },
      ApolloServerPluginLandingPageDisabled(),
      unstorableTextPlugin,
      {
        // One Idempotency-Key header cannot name several mutations' effects: ask for the input field.
        requestDidStart: async () => ({
          didResolveOperation: async ({ contextValue, operation }) => {
            if (contextValue.idempotencyKey && operation?.operation === "mutation" && operation.selectionSet.selections.length > 1) {
              throw new AppError(ErrorCode.BAD_USER_INPUT, "An Idempotency-Key header covers one mutation; for several, give each its idempotencyKey input", { field: "Idempotency-Key" });
            }
          },
        }),
      },
    ],
  });
  await apollo.start();
  const graphql = fastifyApolloHandler<GqlContext>(apollo, {
    context: async (req) => contextFor(app, String(req.id), authOf.get(req) ?? (await identify(app, verifiers, header(req, "authorization"))), true, header(req, "idempotency-key"), req.ip),
  }) as unknown as (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

  // The credential is checked once per request, before the limiter; Apollo's context reuses it.
  const authOf = new WeakMap<FastifyRequest, Principal | AppError>();
  const handleGraphQL = async (req: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    if (req.method === "GET" && (req.headers.accept ?? "").includes("text/html")) return sendGraphiql(reply);
    const scope: RequestScope = { requestId: String(req.id), sqlQueries: 0 };
    return requestScope.run(scope, async () => {
      void reply.header("x-request-id", scope.requestId);
      if (Array.isArray(req.body)) {
        // Apollo would refuse it too (batching is off), but as a generic BAD_REQUEST.
        const err = new AppError(ErrorCode.QUERY_TOO_COMPLEX, "Batched operations are not accepted: send one operation per request", { limit: "batch" });
        return reply.code(400).type("application/json").send({ errors: [formatError({ message: err.message }, err, app.log)] });
      }
      const auth = await identify(app, verifiers, header(req, "authorization"));
      authOf.set(req, auth);
      const decision = await take(auth, req.ip);
      if (decision) void reply.headers(rateLimitHeaders(decision));
      if (decision && !decision.allowed) {
        const err = refusal(auth, decision);
        return reply.code(429).type("application/json").send({ errors: [formatError({ message: err.message }, err, app.log)] });
      }
      const body = await graphql.call(fastify, req, reply);
      if (app.config.exposeQueryCount) void reply.header("x-sql-queries", String(scope.sqlQueries));
      return body;
    }).catch((err: unknown) => {
      // Resolver errors are Apollo's to format; this is one before or around execution.
      const unavailable = asUnavailable(err);
      if (!unavailable || reply.sent) throw err;
      return reply.code(503).header("retry-after", "1").type("application/json").send({ errors: [formatError({ message: unavailable.message }, unavailable, app.log)] });
    });
  };
  fastify.route({ method: ["GET", "POST", "OPTIONS"], url: "/graphql", handler: handleGraphQL });
  await registerTokenizationRoutes(fastify, app, { verifiers, limiter });
  await registerBatchRoutes(fastify, app, { verifiers, limiter });
  await registerThreeDSecureRoutes(fastify, app);
  await registerCheckoutPage(fastify);
  await registerElementsRoutes(fastify, app);
  await registerDashboard(fastify);
  fastify.get("/graphiql", (_req, reply) => sendGraphiql(reply));
  fastify.get("/healthz", async () => ({ status: "ok" }));
  fastify.get("/readyz", async (_req, reply) => {
    const checks = await readiness(app);
    return reply.code(Object.values(checks).every((c) => c === "ok") ? 200 : 503).send({ checks });
  });
  // With METRICS_PORT, /metrics lives on its own port only (src/server/metrics-endpoint.ts).
  if (app.config.metricsPort === undefined) fastify.get("/metrics", metricsHandler(app.config.metricsToken));
  fastify.addHook("onResponse", async (req, reply) => {
    httpRequests.inc({ route: req.routeOptions.url ?? "unknown", status: String(reply.statusCode) });
  });
  return fastify;
}
