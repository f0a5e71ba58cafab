// All of the dashboard's network access, in one place and with the surface of @paygraph/client
// (query, mutate(…, { idempotencyKey }), subscribe, on connected, PaygraphError with its codes),
// so that client can replace this file alone. Not that client itself yet: it takes parsed
// documents, which would put graphql's parser and printer into the page (several times this
// app's size) for operations that are fixed strings here.
// - queries and mutations: fetch POST /graphql with the session as a bearer token; a mutation
//   carries its Idempotency-Key header (one key per person's action, reused on its retry);
// - subscriptions: one graphql-ws socket on /graphql, re-connected with back-off; `onConnected`
//   lets a view fill what it missed while the socket was down; close code 4403 (the session ended
//   or was revoked) and UNAUTHENTICATED answers go to `onUnauthenticated` (back to sign-in).
import { createClient, type Client } from "graphql-ws/client";
import { PaygraphError, type GraphQLErrorShape } from "./errors.js";

export type Variables = Record<string, unknown>;
export type LinkState = "connecting" | "live" | "offline";

export interface Sink<T> {
  next(data: T): void;
  error?(err: PaygraphError): void;
}

export interface ApiOptions {
  /** The current session token; undefined when signed out. Read on every request and (re)connect. */
  getToken(): string | undefined;
  onUnauthenticated(): void;
}

const GRAPHQL = "/graphql";
const FORBIDDEN_CLOSE = 4403;

export class Api {
  private ws: Client | undefined;
  private readonly connectedListeners = new Set<(reconnected: boolean) => void>();
  private readonly stateListeners = new Set<(state: LinkState) => void>();
  private everConnected = false;
  state: LinkState = "connecting";

  constructor(private readonly options: ApiOptions) {}

  query<T>(document: string, variables: Variables = {}): Promise<T> {
    return this.post<T>(document, variables, {});
  }

  /** `idempotencyKey`: from `newIdempotencyKey()` once per action, the same again when it is retried. */
  mutate<T>(document: string, variables: Variables, options: { idempotencyKey?: string } = {}): Promise<T> {
    return this.post<T>(document, variables, options.idempotencyKey ? { "idempotency-key": options.idempotencyKey } : {});
  }

  subscribe<T>(document: string, variables: Variables, sink: Sink<T>): () => void {
    return this.socket().subscribe<T>({ query: document, variables }, {
      next: (result) => {
        const first = result.errors?.[0] as GraphQLErrorShape | undefined;
        if (first) return this.fail(PaygraphError.from(first), sink);
        if (result.data) sink.next(result.data as T);
      },
      error: (err) => this.fail(asError(err), sink),
      complete: () => undefined,
    });
  }

  /** Called on every connection of the socket; `reconnected` is true after a drop (fill the gap then). */
  onConnected(listener: (reconnected: boolean) => void): () => void {
    this.connectedListeners.add(listener);
    return () => this.connectedListeners.delete(listener);
  }

  onState(listener: (state: LinkState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Drops the socket (sign-out): the next subscription connects afresh with the then token. */
  async close(): Promise<void> {
    const ws = this.ws;
    this.ws = undefined;
    this.everConnected = false;
    await ws?.dispose();
  }

  private fail(err: PaygraphError, sink: Sink<unknown>): void {
    if (err.code === "UNAUTHENTICATED") return this.options.onUnauthenticated();
    sink.error?.(err);
  }

  private setState(state: LinkState): void {
    this.state = state;
    for (const listener of this.stateListeners) listener(state);
  }

  private async post<T>(query: string, variables: Variables, headers: Record<string, string>): Promise<T> {
    const token = this.options.getToken();
    let response: Response;
    try {
      response = await fetch(GRAPHQL, {
        method: "POST",
        headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
        body: JSON.stringify({ query, variables }),
      });
    } catch {
      throw new PaygraphError("paygraph did not answer", "NETWORK_ERROR", undefined);
    }
    const requestId = response.headers.get("x-request-id") ?? undefined;
    const body = (await response.json().catch(() => ({}))) as { data?: T; errors?: GraphQLErrorShape[] };
    const first = body.errors?.[0];
    if (first) {
      const err = PaygraphError.from(first, requestId);
      // Signed in, yet refused as unauthenticated: the session expired or was revoked.
      if (err.code === "UNAUTHENTICATED" && token) this.options.onUnauthenticated();
      throw err;
    }
    if (!body.data) throw new PaygraphError(`paygraph answered HTTP ${response.status}`, "BAD_RESPONSE", requestId);
    return body.data;
  }

  private socket(): Client {
    this.ws ??= createClient({
      url: `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${GRAPHQL}`,
      connectionParams: () => {
        const token = this.options.getToken();
        return token ? { Authorization: `Bearer ${token}` } : {};
      },
      // Keep trying while the page is open (a laptop lid, a deploy): 0.5 s, 1 s, 2 s … capped at
      // 30 s, plus up to as much again at random so a fleet of dashboards does not reconnect in step.
      // Kept open a moment after the last subscription ends: going from the list to a payment
      // swaps subscriptions without a new socket (and without a gap to fill).
      lazyCloseTimeout: 3000,
      retryAttempts: Number.POSITIVE_INFINITY,
      retryWait: (retries) => {
        const wait = Math.min(30_000, 500 * 2 ** retries);
        return new Promise((resolve) => setTimeout(resolve, wait + Math.random() * wait));
      },
      // 4403: the session is over; retrying with it cannot help.
      shouldRetry: (event) => !(isCloseEvent(event) && event.code === FORBIDDEN_CLOSE),
      on: {
        connecting: () => this.setState("connecting"),
        connected: () => {
          const reconnected = this.everConnected;
          this.everConnected = true;
          this.setState("live");
          for (const listener of this.connectedListeners) listener(reconnected);
        },
        closed: (event) => {
          this.setState("offline");
          if (isCloseEvent(event) && event.code === FORBIDDEN_CLOSE) this.options.onUnauthenticated();
        },
      },
    });
    return this.ws;
  }
}

const isCloseEvent = (value: unknown): value is { code: number; reason: string } =>
  typeof value === "object" && value !== null && "code" in value && "reason" in value;

function asError(err: unknown): PaygraphError {
  if (err instanceof PaygraphError) return err;
  if (Array.isArray(err) && err[0]) return PaygraphError.from(err[0] as GraphQLErrorShape);
  if (isCloseEvent(err)) return new PaygraphError(`The live connection closed (${err.code}${err.reason ? `: ${err.reason}` : ""})`, err.code === FORBIDDEN_CLOSE ? "UNAUTHENTICATED" : "NETWORK_ERROR", undefined);
  return new PaygraphError(err instanceof Error ? err.message : "The live connection failed", "NETWORK_ERROR", undefined);
}

/**
 * One key per person's action (a click on Confirm), kept for that action's retries. randomUUID
 * exists only in secure contexts (https, localhost): over plain http elsewhere, the same v4 UUID
 * from getRandomValues.
 */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
