// One api process's OAuth state: its signing keys, the client standing cache, and where tokens come
// from (the issuer is the server's public URL, known once it listens on its port). Both caches
// follow Redis: a revoked client's id and the rotate command's notice clear them in every process.
import { LRUCache } from "lru-cache";
import type { JWTPayload } from "jose";
import type { App } from "../../app/app.js";
import { ClientCache, clientInvalidationChannel } from "./clients.js";
import { SigningKeys, signingKeyChannel } from "./signing-keys.js";
import type { AccessTokenVerifier, AccessTokenAudience } from "./access-tokens.js";

/** The issuer is PUBLIC_URL when set; otherwise the URL this server listens on, as `paygraph start` prints it. */
export function accessTokenAudience(app: App, listening: () => string | undefined): AccessTokenAudience {
  const issuer = (): string => {
    const url = app.config.publicUrl ?? listening();
    if (!url) throw new Error("the OAuth issuer is not known before the server listens");
    return url.replace(/\/+$/, "");
  };
  return { issuer, audience: () => app.config.oauthAudience ?? `${issuer()}/graphql` };
}

export async function createOAuthRuntime(app: App, listening: () => string | undefined): Promise<{ verifier: AccessTokenVerifier; stop: () => Promise<unknown> }> {
  const keys = new SigningKeys(app);
  const clients = new ClientCache(app.db, app.config.authCacheMs);
  const stops = [
    await app.pubsub.follow<{ clientId?: unknown }>(clientInvalidationChannel(app.config.redisPrefix), (m) => typeof m.clientId === "string" && clients.delete(m.clientId), () => clients.clear(), app.log),
    await app.pubsub.follow(signingKeyChannel(app.config.redisPrefix), () => keys.invalidate(), () => keys.invalidate(), app.log),
  ];
  const verified = new LRUCache<string, JWTPayload>({ max: 10_000 }); // entries expire with their token (tokens.ts)
  return { verifier: { keys, clients, to: accessTokenAudience(app, listening), verified }, stop: async () => Promise.all(stops.map((s) => s())) };
}
