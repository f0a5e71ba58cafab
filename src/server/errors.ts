// Turns any error into what a client may see: catalogue errors keep their code and details,
// GraphQL's own request errors keep theirs, everything else is masked as INTERNAL and logged.
// Every error carries the request id. No stack trace or SQL ever leaves.
import { GraphQLError, type GraphQLFormattedError } from "graphql";
import { unwrapResolverError } from "@apollo/server/errors";
import { AppError, ErrorCode } from "../platform/errors.js";
import type { Logger } from "../platform/logger.js";
import { currentRequestId } from "../platform/request-context.js";
import { isUnstorableTextError } from "../platform/db.js";
import { asUnavailable, logConnectionError } from "../platform/unavailable.js";
import { violatedLimit } from "./query-limits.js";

/** Codes GraphQL and Apollo give to errors in the request itself: safe to show. */
const REQUEST_ERROR_CODES = new Set([
  "GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED", "BAD_USER_INPUT", "BAD_REQUEST",
  "OPERATION_RESOLUTION_FAILURE", "PERSISTED_QUERY_NOT_FOUND", "PERSISTED_QUERY_NOT_SUPPORTED",
]);

/**
 * GraphQL's own messages quote the offending input ("got invalid value { number: \"4242…\" }",
 * "String cannot represent a non string value: 4242…"): a card number must never come back, nor
 * land in a merchant's error logs. Quoted values are dropped and long digit runs masked.
 */
export function scrubInput(message: string): string {
  return message
    .replace(/got invalid value .*? at "/gs, 'got an invalid value at "')
    .replace(/got invalid value .*?(;|$)/gs, "got an invalid value$1")
    .replace(/\d[\d -]{10,}\d/g, "[redacted]");
}

/**
 * graphql-js ends many messages with " Did you mean …?" (field, argument, type, input field and
 * enum value names close to the one sent): a map of the schema for whoever probes it with typos.
 * Dropped in production, over HTTP and WebSocket, for validation and variable errors alike
 * (Apollo's hideSchemaDetailsFromClientErrors covers HTTP validation only).
 */
export const withoutSuggestions = (message: string): string => message.replace(/ Did you mean [^?]*\?/g, "");

export function formatError(formatted: GraphQLFormattedError, error: unknown, log: Logger, hideSuggestions = false): GraphQLFormattedError {
  const requestId = currentRequestId();
  const unwrapped = unwrapResolverError(error);
  // Errors thrown by plugins (not resolvers) arrive wrapped in a GraphQLError.
  const wrapped = unwrapped instanceof GraphQLError && unwrapped.originalError instanceof AppError ? unwrapped.originalError : unwrapped;
  // PostgreSQL or Redis not answering is no bug: the caller is told to retry (SERVICE_UNAVAILABLE).
  const unavailable = wrapped instanceof AppError ? undefined : asUnavailable(wrapped);
  if (unavailable) logConnectionError(log, "request", wrapped);
  const original = unavailable ?? wrapped;
  const where = { ...(formatted.locations ? { locations: formatted.locations } : {}), ...(formatted.path ? { path: formatted.path } : {}) };
  if (original instanceof AppError && original.code !== ErrorCode.INTERNAL) {
    // Our own messages quote inputs too ("Unknown currency '…'"): a card number pasted into the
    // wrong field must not come back either.
    const details = Object.fromEntries(Object.entries(original.details).map(([k, v]) => [k, typeof v === "string" ? scrubInput(v) : v]));
    return { message: scrubInput(original.message), ...where, extensions: { code: original.code, ...details, requestId } };
  }
  const limit = violatedLimit(formatted);
  if (limit) return { message: formatted.message, ...where, extensions: { code: ErrorCode.QUERY_TOO_COMPLEX, limit, requestId } };
  const code = formatted.extensions?.code;
  if (typeof code === "string" && REQUEST_ERROR_CODES.has(code)) {
    const message = scrubInput(hideSuggestions ? withoutSuggestions(formatted.message) : formatted.message);
    return { message, ...where, extensions: { code: code === "BAD_REQUEST" ? ErrorCode.BAD_USER_INPUT : code, requestId } };
  }
  // A backstop: src/server/text-input.ts refuses such text before anything runs; a path it misses
  // (a string not from an argument) is still the caller's input, and logged so it gets found.
  if (isUnstorableTextError(original)) {
    log.warn({ requestId }, "PostgreSQL refused a text input (NUL or unpaired surrogate) that the edge check let through");
    return { message: "A text input holds a NUL character or an unpaired UTF-16 surrogate, which cannot be stored", ...where, extensions: { code: ErrorCode.BAD_USER_INPUT, requestId } };
  }
  log.error({ err: original, requestId }, "internal error");
  return { message: "Internal server error", ...where, extensions: { code: ErrorCode.INTERNAL, requestId } };
}
