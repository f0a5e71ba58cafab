// All of the dashboard's network access goes through @paygraph/client (client/), the same typed
// client merchants use: typed documents from schema/operations/dashboard*.graphql, queries and
// mutations over HTTP with the session as a bearer token (a mutation carries the Idempotency-Key
// its view keeps per action), subscriptions on one graphql-ws socket re-connected with back-off.
// What this file adds for the views: the link's state for the "Live" badge, `onConnected` so a
// view can fill what it missed while the socket was down, and one exit to sign-in for every sign
// that the session ended (an UNAUTHENTICATED answer, the socket closed with 4403).
import { createClient, type PaygraphClient } from "@paygraph/client";

export type LinkState = "connecting" | "live" | "offline";

export interface ApiOptions {
  /** The current session token; undefined when signed out. Read on every request and (re)connect. */
  getToken(): string | undefined;
  onUnauthenticated(): void;
}

export interface DashboardApi extends Pick<PaygraphClient, "query" | "mutate" | "subscribe"> {
  readonly state: LinkState;
  /** Called on every connection of the socket; `reconnected` is true after a drop (fill the gap then). */
  onConnected(listener: (reconnected: boolean) => void): () => void;
  onState(listener: (state: LinkState) => void): () => void;
  /** Drops the socket (sign-out): the next subscription connects afresh with the then token. */
  close(): Promise<void>;
}

export function dashboardApi(options: ApiOptions): DashboardApi {
  const connectedListeners = new Set<(reconnected: boolean) => void>();
  const stateListeners = new Set<(state: LinkState) => void>();
  let state: LinkState = "connecting";
  const setState = (next: LinkState): void => {
    state = next;
    for (const listener of stateListeners) listener(next);
  };
  const client = createClient({
    url: `${location.origin}/graphql`,
    getToken: options.getToken,
    // Signed in, yet refused as unauthenticated (or the socket closed with 4403): the session
    // expired or was revoked. Signing in with a wrong password is UNAUTHENTICATED too, but there is
    // no session to end then.
    onAuthError: () => options.onUnauthenticated(),
    // Going from the list to a payment swaps subscriptions without a new socket (and without a gap).
    lazyCloseTimeoutMs: 3000,
    // Keep trying while the page is open (a laptop lid, a deploy).
    reconnect: { attempts: Number.POSITIVE_INFINITY },
    on: {
      connecting: () => setState("connecting"),
      connected: ({ reconnected }) => {
        setState("live");
        for (const listener of connectedListeners) listener(reconnected);
      },
      closed: () => setState("offline"),
    },
  });
  return {
    query: client.query,
    mutate: client.mutate,
    subscribe: client.subscribe,
    get state() {
      return state;
    },
    onConnected(listener) {
      connectedListeners.add(listener);
      return () => connectedListeners.delete(listener);
    },
    onState(listener) {
      stateListeners.add(listener);
      return () => stateListeners.delete(listener);
    },
    close: () => client.dispose(),
  };
}
