// The one error catalogue. Domain code throws AppError with a code from here; the GraphQL layer
// turns it into `extensions.code` (+ details) and masks everything else as INTERNAL.
// No GraphQL import here: domains must not depend on the transport.

export const ErrorCode = {
  UNAUTHENTICATED: "UNAUTHENTICATED",
  FORBIDDEN: "FORBIDDEN",
  BAD_USER_INPUT: "BAD_USER_INPUT",
  NOT_FOUND: "NOT_FOUND",
  INVALID_STATE_TRANSITION: "INVALID_STATE_TRANSITION",
  IDEMPOTENCY_KEY_REUSED: "IDEMPOTENCY_KEY_REUSED",
  IDEMPOTENCY_IN_PROGRESS: "IDEMPOTENCY_IN_PROGRESS",
  RATE_LIMITED: "RATE_LIMITED",
  QUERY_TOO_COMPLEX: "QUERY_TOO_COMPLEX",
  GATEWAY_UNAVAILABLE: "GATEWAY_UNAVAILABLE",
  CARD_DECLINED: "CARD_DECLINED",
  CONFLICT: "CONFLICT",
  /** PostgreSQL or Redis did not answer (outage, failover): retry after `retryAfterMs` (src/platform/unavailable.ts). */
  SERVICE_UNAVAILABLE: "SERVICE_UNAVAILABLE",
  /** A socket or a credential holds as many subscriptions as allowed (SUBSCRIPTIONS_PER_SOCKET / _PER_CREDENTIAL). */
  TOO_MANY_SUBSCRIPTIONS: "TOO_MANY_SUBSCRIPTIONS",
  INTERNAL: "INTERNAL",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Extra, client-safe fields carried next to the code (`field`, `from`, `allowed`, …). */
export type ErrorDetails = Record<string, string | number | boolean | string[] | null | Record<string, string | number>[]>;

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetails = {},
  ) {
    super(message);
    this.name = "AppError";
  }
}

export const badInput = (message: string, field?: string): AppError =>
  new AppError(ErrorCode.BAD_USER_INPUT, message, field ? { field } : {});

export const notFound = (what: string, id: string): AppError =>
  new AppError(ErrorCode.NOT_FOUND, `No such ${what}: '${id}'`, { id });

export const unauthenticated = (message: string): AppError => new AppError(ErrorCode.UNAUTHENTICATED, message);
