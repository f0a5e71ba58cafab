// Per-request state that must follow async work without being passed through every call:
// the request id (in every log line and error) and the SQL query count (to prove batching).
import { AsyncLocalStorage } from "node:async_hooks";

export interface RequestScope {
  requestId: string;
  sqlQueries: number;
}

export const requestScope = new AsyncLocalStorage<RequestScope>();

export function currentRequestId(): string | undefined {
  return requestScope.getStore()?.requestId;
}
