// Queries and mutations over HTTP POST (global fetch, or one passed in), with the retry policy of
// retry.ts. Every try of a mutation carries the same Idempotency-Key header, so a retry after an
// answer was lost returns the first answer instead of acting twice.
import { print, type DocumentNode } from "graphql";
import { PaygraphError, badResponse, fromGraphQLErrors, networkError, type GraphQLErrorLike } from "./errors.js";
import { retryDelayMs, sleep, type RetryPolicy } from "./retry.js";

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface HttpTransport {
  endpoint: string;
  fetch: FetchLike;
  /** Headers of each try: credentials are read per try, so a refreshed token is used on retries. */
  headers: () => Promise<Record<string, string>>;
  retry: RetryPolicy;
  /** Told of every error thrown to a caller (after retries), e.g. to go back to sign-in on UNAUTHENTICATED. */
  onError: (error: PaygraphError) => void;
}

export interface Request {
  document: DocumentNode;
  variables: Record<string, unknown> | undefined;
  idempotencyKey: string | undefined;
  /** May this request run twice without harm (a query, or a mutation under an idempotency key)? */
  repeatable: boolean;
  retry: boolean;
  signal: AbortSignal | undefined;
  headers: Record<string, string> | undefined;
}

// Documents are constants: print each once.
const printed = new WeakMap<DocumentNode, string>();
export function queryText(document: DocumentNode): string {
  let text = printed.get(document);
  if (text === undefined) printed.set(document, (text = print(document)));
  return text;
}

/** `Retry-After` in seconds (the HTTP-date form is not used by paygraph). */
function retryAfterHeader(response: Response): number | undefined {
  const value = Number(response.headers.get("retry-after"));
  return Number.isFinite(value) && value >= 0 && response.headers.has("retry-after") ? value * 1000 : undefined;
}

interface Body { data?: unknown; errors?: GraphQLErrorLike[] }

async function tryOnce(transport: HttpTransport, request: Request): Promise<unknown> {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    accept: "application/graphql-response+json, application/json;q=0.9",
    ...request.headers,
    ...(await transport.headers()),
    ...(request.idempotencyKey ? { "idempotency-key": request.idempotencyKey } : {}),
  };
  const body = JSON.stringify({ query: queryText(request.document), variables: request.variables ?? {} });
  let response: Response;
  let text: string;
  try {
    response = await transport.fetch(transport.endpoint, { method: "POST", headers, body, signal: request.signal });
    // A connection cut while the body streams is the same lost answer as one cut before it.
    text = await response.text();
  } catch (cause) {
    if (request.signal?.aborted) throw cause;
    throw networkError(cause);
  }
  const requestId = response.headers.get("x-request-id") ?? undefined;
  const retryAfterMs = retryAfterHeader(response);
  let parsed: Body;
  try {
    parsed = JSON.parse(text) as Body;
  } catch (cause) {
    throw badResponse(response.status, requestId, retryAfterMs, cause);
  }
  if (Array.isArray(parsed.errors) && parsed.errors.length > 0) {
    // Any error fails the call, partial data or not (the error carries that data): an answer
    // about money is either whole or not trusted.
    throw fromGraphQLErrors(parsed.errors, { requestId, status: response.status, data: parsed.data, retryAfterMs });
  }
  if (!response.ok || parsed.data === undefined || parsed.data === null) throw badResponse(response.status, requestId, retryAfterMs);
  return parsed.data;
}

export async function execute(transport: HttpTransport, request: Request): Promise<unknown> {
  for (let retry = 0; ; retry++) {
    try {
      return await tryOnce(transport, request);
    } catch (err) {
      if (!(err instanceof PaygraphError)) throw err;
      const paygraph = err;
      const delay = request.retry ? retryDelayMs(paygraph, retry, transport.retry, request.repeatable) : undefined;
      if (delay === undefined) {
        transport.onError(paygraph);
        throw paygraph;
      }
      await sleep(delay, request.signal);
    }
  }
}
