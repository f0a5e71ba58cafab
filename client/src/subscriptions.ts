// Subscriptions over graphql-ws, on one lazily opened socket shared by every subscription. A socket
// that drops is reopened with randomized exponential back-off and graphql-ws subscribes every
// live subscription again on it; paygraph's subscriptions with an id start again from the object
// as it is, and `on.connected({ reconnected: true })` tells a caller to refetch anything else.
// A socket the server closes because the credential ended (4403) is not reopened.
import { createClient as createWsClient, type Client as WsClient } from "graphql-ws/client";
import type { DocumentNode } from "graphql";
import { PaygraphError, SESSION_ENDED_CLOSE_CODE, fromGraphQLErrors, fromSubscriptionFailure, type GraphQLErrorLike } from "./errors.js";
import { queryText } from "./http.js";
import { backoffMs, sleep } from "./retry.js";

export interface ReconnectOptions {
  /** Reconnections in a row before giving up (default Infinity: a dashboard outlives outages). */
  attempts?: number;
  /** The first back-off (default 500 ms), doubled on each failure, with jitter. */
  baseDelayMs?: number;
  /** The longest back-off (default 30 s). */
  maxDelayMs?: number;
}

export interface ConnectionHooks {
  /** The socket is acknowledged; `reconnected` after a drop: refetch what may have been missed. */
  connected?: (info: { reconnected: boolean }) => void;
  /** The socket closed (it may be reopened). */
  closed?: (info: { code: number | undefined; reason: string | undefined }) => void;
  /** A (re)connection starts. */
  connecting?: (info: { reconnecting: boolean }) => void;
}

export interface SubscriptionOptions {
  url: string;
  webSocketImpl: unknown;
  /** The `Authorization` value, read on every (re)connection. */
  authorization: () => Promise<string | undefined>;
  reconnect: ReconnectOptions;
  /** How often to ping the server; a pong not back as long after means a dead socket (0: off). */
  keepAliveMs: number;
  /** How long a (re)connection may take to open and be acknowledged before it is dropped and retried. */
  connectTimeoutMs: number;
  /** How long the socket stays open after its last subscription ends. */
  lazyCloseTimeoutMs: number;
  on: ConnectionHooks;
  onError: (error: PaygraphError) => void;
}

export interface SubscriptionHandlers<TData> {
  next: (data: TData) => void;
  /** The subscription ended with an error (it is over; subscribe again to resume). */
  error?: (error: PaygraphError) => void;
  complete?: () => void;
}

const closeOf = (event: unknown): { code: number | undefined; reason: string | undefined } => {
  const e = event as { code?: unknown; reason?: unknown } | undefined;
  return { code: typeof e?.code === "number" ? e.code : undefined, reason: typeof e?.reason === "string" ? e.reason : undefined };
};

export function createSubscriptions(options: SubscriptionOptions): { subscribe: <TData>(document: DocumentNode, variables: Record<string, unknown> | undefined, handlers: SubscriptionHandlers<TData>) => () => void; dispose: () => Promise<void> } {
  let ws: WsClient | undefined;
  const { baseDelayMs = 500, maxDelayMs = 30_000, attempts = Infinity } = options.reconnect;

  const open = (): WsClient => {
    let pongTimer: ReturnType<typeof setTimeout> | undefined;
    const client = createWsClient({
      url: options.url,
      webSocketImpl: withOpenTimeout(options.webSocketImpl ?? (globalThis as { WebSocket?: unknown }).WebSocket, options.connectTimeoutMs),
      connectionAckWaitTimeout: options.connectTimeoutMs,
      lazy: true,
      lazyCloseTimeout: options.lazyCloseTimeoutMs,
      connectionParams: async () => {
        const authorization = await options.authorization();
        return authorization ? { Authorization: authorization } : {};
      },
      keepAlive: options.keepAliveMs,
      retryAttempts: attempts,
      retryWait: (retries) => sleep(backoffMs(retries, baseDelayMs, maxDelayMs)),
      // Any drop or refused connection is retried (graphql-ws alone gives up on socket errors,
      // which is how Node's ws reports a refused connection), except an ended credential and
      // the client's own failures (a getToken that threw).
      shouldRetry: (failure) => !(failure instanceof PaygraphError) && closeOf(failure).code !== SESSION_ENDED_CLOSE_CODE,
      on: {
        connecting: (isRetry) => options.on.connecting?.({ reconnecting: isRetry }),
        connected: (_socket, _payload, wasRetry) => options.on.connected?.({ reconnected: wasRetry }),
        closed: (event) => {
          clearTimeout(pongTimer);
          options.on.closed?.(closeOf(event));
        },
        // graphql-ws sends pings but never notices a missing pong: a socket whose peer vanished
        // (a phone changing networks) would look open for minutes, and a polite close() would
        // wait for the dead peer's answer too. terminate() drops it at once (4499, retried).
        ping: (received) => {
          if (received) return;
          clearTimeout(pongTimer);
          pongTimer = setTimeout(() => client.terminate(), options.keepAliveMs);
        },
        pong: (received) => received && clearTimeout(pongTimer),
      },
    });
    return client;
  };

  return {
    subscribe: <TData>(document: DocumentNode, variables: Record<string, unknown> | undefined, handlers: SubscriptionHandlers<TData>) => {
      ws ??= open();
      let over = false;
      const fail = (error: PaygraphError): void => {
        if (over) return;
        over = true;
        options.onError(error);
        handlers.error?.(error);
      };
      const unsubscribe = ws.subscribe<TData>({ query: queryText(document), variables: variables ?? {} }, {
        next: (result) => {
          if (over) return;
          // As for queries, an event with errors is not trusted: the subscription ends with them.
          if (result.errors?.length) {
            unsubscribe();
            return fail(fromGraphQLErrors(result.errors as readonly GraphQLErrorLike[], { data: result.data }));
          }
          if (result.data != null) handlers.next(result.data as TData);
        },
        error: (failure) => fail(fromSubscriptionFailure(failure)),
        complete: () => {
          if (over) return;
          over = true;
          handlers.complete?.();
        },
      });
      return () => {
        over = true;
        unsubscribe();
      };
    },
    dispose: async () => {
      const client = ws;
      ws = undefined;
      await client?.dispose();
    },
  };
}

type WebSocketClass = new (url: string, protocols?: string | string[]) => { readyState: number; close(): void };

/**
 * The WebSocket class with a deadline on opening. graphql-ws times the acknowledgement, not the
 * opening handshake: a reconnection whose upgrade is never answered (a network that swallows
 * packets) would wait forever. Closing it while CONNECTING fails it like a refused connection,
 * which is retried. (graphql-ws's terminate() cannot do this: on Node's ws, closing a socket
 * whose listeners graphql-ws removed throws an unhandled error.)
 */
function withOpenTimeout(impl: unknown, timeoutMs: number): unknown {
  if (typeof impl !== "function" || !(timeoutMs > 0)) return impl;
  const Base = impl as WebSocketClass;
  return class extends Base {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols);
      setTimeout(() => {
        if (this.readyState === 0) this.close(); // 0: CONNECTING, in browsers and in ws
      }, timeoutMs);
    }
  };
}

/** The callback API as an async iterator: `for await (const event of …)`; `break` unsubscribes. */
export function iterate<TData>(subscribe: (handlers: SubscriptionHandlers<TData>) => () => void): AsyncIterableIterator<TData> {
  const queue: TData[] = [];
  let failure: PaygraphError | undefined;
  let done = false;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    wake?.();
    wake = undefined;
  };
  const unsubscribe = subscribe({
    next: (data) => (queue.push(data), notify()),
    error: (error) => ((failure = error), notify()),
    complete: () => ((done = true), notify()),
  });
  const finish = async (): Promise<IteratorResult<TData>> => {
    done = true;
    unsubscribe();
    notify();
    return { done: true, value: undefined };
  };
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next(): Promise<IteratorResult<TData>> {
      for (;;) {
        if (queue.length > 0) return { done: false, value: queue.shift() as TData };
        if (failure) {
          const error = failure;
          failure = undefined;
          done = true;
          throw error;
        }
        if (done) return { done: true, value: undefined };
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
    return: finish,
  };
}
