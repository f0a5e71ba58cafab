// The one error type the dashboard sees from the API is @paygraph/client's PaygraphError (code,
// requestId, extensions); this file turns it into words for a person.
import { PaygraphError } from "@paygraph/client";

export { PaygraphError };

/** Words for a person, with the request id support would ask for. */
export function describeError(err: unknown): string {
  if (err instanceof PaygraphError) {
    if (err.code === "NETWORK_ERROR") return "paygraph did not answer. Check the connection and try again.";
    return err.requestId ? `${err.message} (request ${err.requestId})` : err.message;
  }
  return err instanceof Error ? err.message : String(err);
}
