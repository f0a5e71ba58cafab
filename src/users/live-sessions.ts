// Subscriptions already running when their session ends. A request is checked on arrival, but a
// graphql-ws connection lives on: when a session is revoked (sign-out, user removed) or its user's
// role changes, its id goes out on Redis pub/sub and every api process closes the WebSockets that
// were opened with it (close code 4403); a client re-connecting is checked afresh.
// Pub/sub loses what is sent while a process is disconnected from Redis: such a connection then
// lives until the client leaves (a known gap, as for API keys' live subscriptions).
import type { App, Ctx } from "../app/app.js";

export const sessionEndedChannel = (redisPrefix: string): string => `${redisPrefix}:sessions:ended`;

/** After commit: tells every api process to drop these sessions' live connections. */
export async function announceSessionsEnded(ctx: Pick<Ctx, "app">, sessionIds: string[]): Promise<void> {
  if (sessionIds.length === 0) return;
  await ctx.app.pubsub
    .publish([{ channels: [sessionEndedChannel(ctx.app.config.redisPrefix)], message: { sessionIds } }])
    .catch((err: unknown) => ctx.app.log.warn({ err }, "could not announce ended sessions; their live subscriptions continue"));
}

interface Closable { close(code?: number, reason?: string): void; once(event: "close", listener: () => void): unknown }

/** This process's WebSockets by the session that opened them. */
export class LiveSessions {
  private readonly sockets = new Map<string, Set<Closable>>();

  track(sessionId: string, socket: Closable): void {
    let set = this.sockets.get(sessionId);
    if (!set) this.sockets.set(sessionId, (set = new Set()));
    if (set.has(socket)) return;
    set.add(socket);
    socket.once("close", () => {
      set.delete(socket);
      if (set.size === 0 && this.sockets.get(sessionId) === set) this.sockets.delete(sessionId);
    });
  }

  end(sessionId: string): void {
    for (const socket of this.sockets.get(sessionId) ?? []) socket.close(4403, "Session ended: sign in again");
    this.sockets.delete(sessionId);
  }
}

/** Follows the announcements; `stop` when the server closes. */
export async function followEndedSessions(app: App): Promise<{ live: LiveSessions; stop: () => Promise<unknown> }> {
  const live = new LiveSessions();
  // After a reconnect nothing is closed: what was missed is a known gap (header).
  const stop = await app.pubsub.follow<{ sessionIds?: string[] }>(sessionEndedChannel(app.config.redisPrefix), (m) => m.sessionIds?.forEach((id) => live.end(id)), () => undefined, app.log);
  return { live, stop };
}
