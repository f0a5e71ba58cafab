import type { PaymentStatus } from "../api/types.js";
import { humanize } from "./format.js";

/** Colour says the kind of state, the words say which (never colour alone). */
const TONE: Record<string, "good" | "bad" | "wait" | "done"> = {
  CAPTURED: "good", SUCCEEDED: "good", AUTHORIZED: "good",
  FAILED: "bad", CANCELED: "bad", GAVE_UP: "bad",
  REFUNDED: "done", PARTIALLY_REFUNDED: "done",
  // A gateway's circuit breaker and an alert (the Overview).
  CLOSED: "good", OPEN: "bad", RESOLVED: "good", FIRING: "bad",
};

export function StatusBadge({ status }: { status: PaymentStatus | string }) {
  return <span class={`badge badge-${TONE[status] ?? "wait"}`}>{humanize(status)}</span>;
}
