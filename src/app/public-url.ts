// Where shoppers' browsers reach paygraph: PUBLIC_URL, or else the URL an api process of this
// instance listens on, which it leaves in Redis when it starts (development and tests, where ports
// are picked at start). The worker needs it too: the 3-D Secure notification URL it gives the
// directory server is the api's.
import type { App } from "./app.js";

const keyOf = (app: Pick<App, "config">): string => `${app.config.redisPrefix}:public-url`;

/** The URL an api process listens on, as browsers reach it (an unspecified bind address is loopback). */
export function listeningUrl(tls: boolean, host: string, port: number): string {
  const reachable = host === "0.0.0.0" || host === "::" || host === "" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
  return `${tls ? "https" : "http"}://${reachable}:${port}`;
}

/** Called by an api process once it listens, when no PUBLIC_URL is set. */
export async function notePublicUrl(app: Pick<App, "config" | "redis">, url: string): Promise<void> {
  if (!app.config.publicUrl) await app.redis.set(keyOf(app), url);
}

/**
 * The base URL of paygraph's pages, without a trailing slash; undefined when unknown. In production
 * only PUBLIC_URL counts: behind a load balancer the address an api listens on is not the shoppers'.
 */
export async function publicUrl(app: Pick<App, "config" | "redis">): Promise<string | undefined> {
  const url = app.config.publicUrl ?? (app.config.env === "production" ? undefined : await app.redis.get(keyOf(app))) ?? undefined;
  return url?.replace(/\/+$/, "");
}
