// One Idempotency-Key per request a person makes (a refund of this amount, an approval of this
// payment), kept until it succeeds: sent again after an error, from a reopened dialog or retyped
// fields alike, it is the same action, and paygraph answers it instead of doing it twice. A
// changed request is another action, with its own key. `request` is any text naming the request.
import { newIdempotencyKey } from "@paygraph/client";

const pendingKeys = new Map<string, string>();

export function keyFor(request: string): string {
  const key = pendingKeys.get(request) ?? newIdempotencyKey();
  pendingKeys.set(request, key);
  return key;
}

/** The request succeeded: the same request again later is a new action. */
export const settled = (request: string): void => void pendingKeys.delete(request);
