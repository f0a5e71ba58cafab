// GET /metrics (Prometheus): on the api's port by default; with METRICS_PORT on a port of its own
// (so a firewall or a Kubernetes NetworkPolicy can keep it to the scraper) and then not on the
// api's; with METRICS_TOKEN behind `Authorization: Bearer <token>`, wherever it is served.
import { createHash, timingSafeEqual } from "node:crypto";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import type { Config } from "../config.js";
import { metricsText, registry } from "../platform/metrics.js";

const digest = (text: string): Buffer => createHash("sha256").update(text).digest();

/** Compared as digests in constant time: response timing says nothing of how much of a guess was right. */
function bearerMatches(authorization: string | undefined, token: string): boolean {
  const given = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "")?.[1];
  return given !== undefined && timingSafeEqual(digest(given), digest(token));
}

export function metricsHandler(token: string | undefined) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    if (token !== undefined && !bearerMatches(req.headers.authorization, token)) {
      return reply.code(401).header("www-authenticate", 'Bearer realm="metrics"').send({ error: "unauthorized", message: "Send Authorization: Bearer <METRICS_TOKEN>" });
    }
    return reply.type(registry.contentType).send(await metricsText());
  };
}

/** The metrics' own server on `host`:METRICS_PORT (plain HTTP: it is meant for a private network). */
export async function startMetricsServer(config: Config): Promise<{ url: string; server: FastifyInstance }> {
  const server = Fastify({ logger: false });
  server.get("/metrics", metricsHandler(config.metricsToken));
  await server.listen({ port: config.metricsPort ?? 0, host: config.host });
  const address = server.server.address();
  const port = typeof address === "object" && address ? address.port : config.metricsPort;
  return { url: `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}/metrics`, server };
}
