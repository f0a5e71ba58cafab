// One Idempotency-Key per action on one object ("refund:pay_…", "review:pay_…"), kept until the
// action succeeds. A retry after an error (from the same dialog or a reopened one) carries the same
// key, whatever the person retyped: if the first try was done and only its answer lost, paygraph
// answers it again, or refuses the changed request with IDEMPOTENCY_KEY_REUSED; never does it
// twice. (A first try refused for its input, say an amount too high, wrote nothing, key included:
// the corrected request goes through under the same key.) After a success the next action is new.
import { newIdempotencyKey } from "@paygraph/client";
import { PaygraphError, describeError } from "./errors.js";

const pendingKeys = new Map<string, string>();

export function keyFor(action: string): string {
  const key = pendingKeys.get(action) ?? newIdempotencyKey();
  pendingKeys.set(action, key);
  return key;
}

/** The action succeeded: the same action again later is a new one. */
export const settled = (action: string): void => void pendingKeys.delete(action);

/** What to tell a person after a keyed action failed (the key stays for a retry, unless the action was done). */
export function failureMessage(action: string, err: unknown): string {
  if (err instanceof PaygraphError && err.code === "IDEMPOTENCY_KEY_REUSED") {
    settled(action);
    return "An earlier try of this action went through; only its answer was lost. The page shows the payment as it is now: check it before doing anything more.";
  }
  return `${describeError(err)} Trying again is safe: it cannot happen twice.`;
}
