// The one error type the dashboard sees from the API, the same shape as @paygraph/client's
// PaygraphError, so swapping this folder for that client changes no view.

export interface GraphQLErrorShape {
  message: string;
  extensions?: Record<string, unknown> & { code?: string; requestId?: string };
}

export class PaygraphError extends Error {
  override readonly name = "PaygraphError";
  constructor(
    message: string,
    /** The API's `extensions.code` (UNAUTHENTICATED, FORBIDDEN, …), or the client's own NETWORK_ERROR (no answer) or BAD_RESPONSE (not GraphQL). */
    readonly code: string,
    readonly requestId: string | undefined,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
  }

  static from(error: GraphQLErrorShape, requestId?: string): PaygraphError {
    const ext = error.extensions ?? {};
    return new PaygraphError(error.message, ext.code ?? "INTERNAL", (ext.requestId as string | undefined) ?? requestId, ext);
  }
}

/** Words for a person, with the request id support would ask for. */
export function describeError(err: unknown): string {
  if (err instanceof PaygraphError) {
    if (err.code === "NETWORK_ERROR") return "paygraph did not answer. Check the connection and try again.";
    return err.requestId ? `${err.message} (request ${err.requestId})` : err.message;
  }
  return err instanceof Error ? err.message : String(err);
}
