// createClient: one object for a paygraph endpoint, typed by the generated documents. Queries and
// mutations go over HTTP (http.ts), subscriptions over graphql-ws (subscriptions.ts); both carry
// the same credential, an API key or a token from getToken (a user session, an OAuth token).
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { Kind, getOperationAST, type DocumentNode } from "graphql";
import { PaygraphError } from "./errors.js";
import { execute, type FetchLike, type HttpTransport } from "./http.js";
import { retryPolicy, type RetryOptions } from "./retry.js";
import { createSubscriptions, iterate, type ConnectionHooks, type ReconnectOptions, type SubscriptionHandlers } from "./subscriptions.js";

/**
 * The mutations paygraph runs once per Idempotency-Key (README "Conventions"): the money-moving
 * ones. Only these get a generated key and are retried after a lost answer.
 */
export const KEYED_MUTATIONS: ReadonlySet<string> = new Set([
  "createPayment", "confirmPayment", "capturePayment", "cancelPayment", "approvePayment", "rejectPayment", "refundPayment", "createCheckoutSession",
]);

export interface PaygraphClientOptions {
  /** The GraphQL endpoint, e.g. `https://api.example.com/graphql`. */
  url: string;
  /** A secret or restricted key (`sk_…`, `rk_…`): for servers only, never ship one to a browser. */
  apiKey?: string;
  /** A bearer token read before every request and (re)connection: a user session (`pgs_…`) or an OAuth access token. */
  getToken?: () => string | undefined | Promise<string | undefined>;
  /** The WebSocket class for subscriptions: `ws`'s default export in Node (which has no global WebSocket); browsers need none. */
  webSocketImpl?: unknown;
  /** The subscriptions endpoint; default: `url` with `http` turned into `ws`. */
  wsUrl?: string;
  /** A fetch to use instead of the global one. */
  fetch?: FetchLike;
  /** Headers added to every HTTP request. */
  headers?: Record<string, string>;
  /** Retries of queries and mutations (retry.ts). */
  retry?: RetryOptions;
  /** Reconnection of the subscriptions' socket. */
  reconnect?: ReconnectOptions;
  /** Keep-alive pings on the subscriptions' socket (default 10 000 ms; 0 turns them off). */
  keepAliveMs?: number;
  /** How long the subscriptions' socket may take to open and be acknowledged (default 10 000 ms). */
  connectTimeoutMs?: number;
  /**
   * How long the socket stays open after its last subscription ends (default 0: closed at once).
   * A page that swaps one subscription for another (a list for one of its items) keeps its socket,
   * and has no gap to fill, with a few seconds here.
   */
  lazyCloseTimeoutMs?: number;
  /** Subscription socket events: `connected({ reconnected })`, `closed`, `connecting`. */
  on?: ConnectionHooks;
  /** Called with every UNAUTHENTICATED error (bad key, expired or ended session, a getToken that threw), e.g. to return to sign-in. */
  onAuthError?: (error: PaygraphError) => void;
  /** Makes idempotency keys; default `crypto.randomUUID()` (React Native without it: pass one). */
  generateIdempotencyKey?: () => string;
}

export interface CallOptions {
  signal?: AbortSignal;
  /** Extra headers for this call. */
  headers?: Record<string, string>;
  /** false: a failed try is thrown at once, never retried. */
  retry?: boolean;
}

export interface MutateOptions extends CallOptions {
  /**
   * The `Idempotency-Key` of this call (e.g. your order id): the same key and request always give
   * the first answer. Default: a fresh random key per call, reused by the client's own retries.
   */
  idempotencyKey?: string;
}

/** Variables are optional when the operation has none or all are optional. */
type Args<TVariables, TOptions> = {} extends TVariables ? [variables?: TVariables, options?: TOptions] : [variables: TVariables, options?: TOptions];

export interface PaygraphClient {
  query<TData, TVariables>(document: TypedDocumentNode<TData, TVariables>, ...args: Args<TVariables, CallOptions>): Promise<TData>;
  mutate<TData, TVariables>(document: TypedDocumentNode<TData, TVariables>, ...args: Args<TVariables, MutateOptions>): Promise<TData>;
  /** Callback style; returns the unsubscribe function. */
  subscribe<TData, TVariables>(document: TypedDocumentNode<TData, TVariables>, variables: TVariables, handlers: SubscriptionHandlers<TData>): () => void;
  /** Iterator style: `for await (const event of client.iterate(doc, vars))`; leaving the loop unsubscribes. */
  iterate<TData, TVariables>(document: TypedDocumentNode<TData, TVariables>, ...args: {} extends TVariables ? [variables?: TVariables] : [variables: TVariables]): AsyncIterableIterator<TData>;
  /** Closes the subscriptions' socket (ending every subscription). */
  dispose(): Promise<void>;
}

/** A fresh Idempotency-Key: what `mutate` generates, for callers that keep one per person's action (a click on Confirm) across retries of their own. */
export function newIdempotencyKey(): string {
  const crypto = (globalThis as { crypto?: { randomUUID?: () => string; getRandomValues?: (a: Uint8Array) => Uint8Array } }).crypto;
  if (crypto?.randomUUID) return crypto.randomUUID();
  // Browsers outside a secure context have getRandomValues only; keys need real randomness, so
  // Math.random is never a fallback (two requests sharing a key would share an answer).
  if (crypto?.getRandomValues) return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
  throw new TypeError("No crypto.randomUUID or crypto.getRandomValues here: pass createClient({ generateIdempotencyKey })");
}

const operationOf = (document: DocumentNode) => {
  const operation = getOperationAST(document);
  if (!operation) throw new TypeError("The document must hold exactly one operation");
  return operation;
};

export function createClient(options: PaygraphClientOptions): PaygraphClient {
  if (options.apiKey && options.getToken) throw new TypeError("Pass apiKey or getToken, not both");
  const fetchImpl: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
  const generateKey = options.generateIdempotencyKey ?? newIdempotencyKey;
  const onError = (error: PaygraphError): void => {
    if (error.code === "UNAUTHENTICATED") options.onAuthError?.(error);
  };
  const authorization = async (): Promise<string | undefined> => {
    if (options.apiKey) return `Bearer ${options.apiKey}`;
    if (!options.getToken) return undefined;
    try {
      const token = await options.getToken();
      return token ? `Bearer ${token}` : undefined;
    } catch (cause) {
      // Not retried: getToken owns how it gets (and retries getting) a token.
      throw new PaygraphError(`getToken failed: ${cause instanceof Error ? cause.message : String(cause)}`, { code: "UNAUTHENTICATED", cause });
    }
  };
  const transport: HttpTransport = {
    endpoint: options.url,
    fetch: fetchImpl,
    headers: async () => {
      const value = await authorization();
      return value ? { ...options.headers, authorization: value } : { ...options.headers };
    },
    retry: retryPolicy(options.retry),
    onError,
  };
  const subscriptions = createSubscriptions({
    url: options.wsUrl ?? options.url.replace(/^http/, "ws"),
    webSocketImpl: options.webSocketImpl,
    authorization,
    reconnect: options.reconnect ?? {},
    keepAliveMs: options.keepAliveMs ?? 10_000,
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    lazyCloseTimeoutMs: options.lazyCloseTimeoutMs ?? 0,
    on: options.on ?? {},
    onError,
  });

  return {
    query: async (document, ...[variables, call = {}]) => {
      if (operationOf(document).operation !== "query") throw new TypeError("query() runs queries: use mutate() or subscribe()");
      return (await execute(transport, {
        document, variables: variables as Record<string, unknown> | undefined, idempotencyKey: undefined, repeatable: true,
        retry: call.retry ?? true, signal: call.signal, headers: call.headers,
      })) as never;
    },
    mutate: async (document, ...[variables, call = {}]) => {
      const operation = operationOf(document);
      if (operation.operation !== "mutation") throw new TypeError("mutate() runs mutations: use query() or subscribe()");
      // paygraph refuses one Idempotency-Key header over several mutation fields (each would need
      // its own): such a document gets no generated key, and is retried only when refused unrun.
      // Only the mutations paygraph keys are retried after an answer was lost: any other (rolling a
      // secret, inviting a user) could run twice, so it is retried only when refused unrun.
      const [field, ...others] = operation.selectionSet.selections;
      const keyed = others.length === 0 && field?.kind === Kind.FIELD && KEYED_MUTATIONS.has(field.name.value);
      const idempotencyKey = keyed ? call.idempotencyKey ?? generateKey() : call.idempotencyKey;
      return (await execute(transport, {
        document, variables: variables as Record<string, unknown> | undefined, idempotencyKey, repeatable: keyed,
        retry: call.retry ?? true, signal: call.signal, headers: call.headers,
      })) as never;
    },
    subscribe: (document, variables, handlers) => subscriptions.subscribe(document, variables as Record<string, unknown> | undefined, handlers),
    iterate: (document, ...[variables]) =>
      iterate((handlers) => subscriptions.subscribe(document, variables as Record<string, unknown> | undefined, handlers)),
    dispose: () => subscriptions.dispose(),
  };
}
