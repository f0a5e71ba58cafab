// A client's address, for per-IP limits and the sign-in throttle. Behind a load balancer every
// socket comes from the balancer, so X-Forwarded-For is believed, but only from the proxies named in
// TRUST_PROXY (never from anyone: a client could claim any address and escape its limit). Fastify's
// `req.ip` uses the same rule; WebSocket upgrades are plain IncomingMessages and use this.
import type { IncomingMessage } from "node:http";
import proxyaddr from "@fastify/proxy-addr";

export function clientAddress(trustProxy: string[]): (req: IncomingMessage) => string {
  if (trustProxy.length === 0) return (req) => req.socket.remoteAddress ?? "unknown";
  const trusted = proxyaddr.compile(trustProxy);
  return (req) => proxyaddr(req, trusted);
}
