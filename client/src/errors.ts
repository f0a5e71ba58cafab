// Every failure the client reports is a PaygraphError: the server's own errors keep their
// `extensions.code` and details, and failures that never produced a GraphQL answer (no network, a
// proxy's HTML page, a WebSocket closed for good) get a code of the client's own, so callers
// switch on one field.

/** The server's catalogue (README "Errors"), the client's own codes, and any code added later. */
export type PaygraphErrorCode =
  | "UNAUTHENTICATED" | "FORBIDDEN" | "BAD_USER_INPUT" | "NOT_FOUND" | "INVALID_STATE_TRANSITION"
  | "IDEMPOTENCY_KEY_REUSED" | "IDEMPOTENCY_IN_PROGRESS" | "RATE_LIMITED" | "QUERY_TOO_COMPLEX"
  | "GATEWAY_UNAVAILABLE" | "CARD_DECLINED" | "CONFLICT" | "SERVICE_UNAVAILABLE" | "TOO_MANY_SUBSCRIPTIONS"
  | "INTERNAL" | "GRAPHQL_PARSE_FAILED" | "GRAPHQL_VALIDATION_FAILED"
  /** The request or the WebSocket never got an answer (refused, reset, timed out, closed). */
  | "NETWORK_ERROR"
  /** An answer that is not a GraphQL response (a proxy's error page, an empty body). */
  | "BAD_RESPONSE"
  // Any other string: servers newer than this client may add codes.
  | (string & {});

/** A GraphQL error as it arrives in a response. */
export interface GraphQLErrorLike {
  message: string;
  path?: readonly (string | number)[];
  locations?: readonly { line: number; column: number }[];
  extensions?: Record<string, unknown>;
}

export interface PaygraphErrorInit {
  code: PaygraphErrorCode;
  requestId?: string | undefined;
  extensions?: Record<string, unknown>;
  path?: readonly (string | number)[] | undefined;
  /** The HTTP status, when the error came over HTTP. */
  status?: number | undefined;
  /** Every error of the response; this error describes the first. */
  errors?: readonly GraphQLErrorLike[];
  /** What `data` the response carried next to its errors (partial results), if any. */
  data?: unknown;
  /** A delay the server asked for before a retry (`extensions.retryAfterMs` or `Retry-After`). */
  retryAfterMs?: number | undefined;
  cause?: unknown;
}

export class PaygraphError extends Error {
  override readonly name = "PaygraphError";
  readonly code: PaygraphErrorCode;
  /** The server's request id (`extensions.requestId`, else the `x-request-id` header): quote it to support. */
  readonly requestId: string | undefined;
  /** Everything the server put in `extensions` (`field`, `from`, `missingScope`, `retryable`, …). */
  readonly extensions: Record<string, unknown>;
  readonly path: readonly (string | number)[] | undefined;
  readonly status: number | undefined;
  readonly errors: readonly GraphQLErrorLike[];
  readonly data: unknown;
  readonly retryAfterMs: number | undefined;

  constructor(message: string, init: PaygraphErrorInit) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.requestId = init.requestId;
    this.extensions = init.extensions ?? {};
    this.path = init.path;
    this.status = init.status;
    this.errors = init.errors ?? [];
    this.data = init.data;
    this.retryAfterMs = init.retryAfterMs;
  }
}

export const isPaygraphError = (value: unknown): value is PaygraphError => value instanceof PaygraphError;

const str = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

/** The first of a response's errors, carrying all of them. */
export function fromGraphQLErrors(
  errors: readonly GraphQLErrorLike[],
  context: { requestId?: string | undefined; status?: number | undefined; data?: unknown; retryAfterMs?: number | undefined } = {},
): PaygraphError {
  const first = errors[0] ?? { message: "Unknown GraphQL error" };
  const extensions = first.extensions ?? {};
  const hinted = typeof extensions.retryAfterMs === "number" ? extensions.retryAfterMs : undefined;
  return new PaygraphError(first.message, {
    // A GraphQL error without a code is the server's own failure, as paygraph masks it: INTERNAL.
    code: str(extensions.code) ?? "INTERNAL",
    requestId: str(extensions.requestId) ?? context.requestId,
    extensions,
    path: first.path,
    status: context.status,
    errors,
    data: context.data,
    retryAfterMs: hinted ?? context.retryAfterMs,
  });
}

export function networkError(cause: unknown, requestId?: string): PaygraphError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new PaygraphError(`Network error: ${detail}`, { code: "NETWORK_ERROR", requestId, cause });
}

export function badResponse(status: number, requestId: string | undefined, retryAfterMs: number | undefined, cause?: unknown): PaygraphError {
  return new PaygraphError(`Unexpected response (HTTP ${status}): not a GraphQL answer`, { code: "BAD_RESPONSE", status, requestId, retryAfterMs, cause });
}

/** The close code paygraph uses when a user's session ends under a live socket (src/users/live-sessions.ts). */
export const SESSION_ENDED_CLOSE_CODE = 4403;

/** A WebSocket that closed for good (no more reconnecting). */
export function fromCloseEvent(event: { code: number; reason?: string }): PaygraphError {
  const extensions = { closeCode: event.code, closeReason: event.reason ?? "" };
  if (event.code === SESSION_ENDED_CLOSE_CODE) {
    // The server means the credential no longer holds (sign-out, user removed, role changed):
    // the caller must sign in again, which is what UNAUTHENTICATED says everywhere else.
    return new PaygraphError(event.reason || "Session ended: sign in again", { code: "UNAUTHENTICATED", extensions });
  }
  return new PaygraphError(`WebSocket closed (${event.code}${event.reason ? `: ${event.reason}` : ""})`, { code: "NETWORK_ERROR", extensions });
}

/** Whatever graphql-ws hands a sink's `error` (an error list, a close event, a socket error) as one PaygraphError. */
export function fromSubscriptionFailure(failure: unknown): PaygraphError {
  if (failure instanceof PaygraphError) return failure;
  if (Array.isArray(failure)) return fromGraphQLErrors(failure as GraphQLErrorLike[]);
  if (failure && typeof failure === "object" && "code" in failure && typeof failure.code === "number") {
    return fromCloseEvent(failure as { code: number; reason?: string });
  }
  // A socket's error event (browsers give no detail) or an Error.
  const inner = failure && typeof failure === "object" && "error" in failure ? (failure as { error: unknown }).error : failure;
  return networkError(inner ?? "WebSocket error");
}
