// A webhook endpoint's health in words, with the badge's colour as a second cue (as status.tsx does
// for payments): one wording for the Overview's panel and Settings' list.
import { formatDateTime } from "./format.js";

const DISABLED_BY: Record<string, string> = {
  gone: "the receiver answered 410 Gone",
  failing: "every delivery failed for WEBHOOK_DISABLE_AFTER (5 days unless set)",
};

export function EndpointHealth({ endpoint: e }: { endpoint: { enabled: boolean; disabledReason: string | null; failingSince: string | null } }) {
  if (!e.enabled) {
    return <><span class="badge badge-bad">Disabled</span> {e.disabledReason ? `by paygraph: ${DISABLED_BY[e.disabledReason] ?? e.disabledReason}` : "by you"}</>;
  }
  if (e.failingSince) return <><span class="badge badge-wait">Failing</span> since <time dateTime={e.failingSince}>{formatDateTime(e.failingSince)}</time></>;
  return <span class="badge badge-good">Healthy</span>;
}
