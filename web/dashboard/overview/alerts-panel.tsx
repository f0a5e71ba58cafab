// Open alerts (scope alerts:read): the FIRING ones, live through `alertUpdated` (a new incident
// appears, a resolved one leaves). The alert rules themselves are configured through the API.
import { DashboardOverviewAlertsDocument, DashboardOverviewAlertsLiveDocument, type DashboardOverviewAlertFragment } from "@paygraph/client";
import { api } from "../api/session.js";
import { formatDateTime, humanize } from "../ui/format.js";
import { byAlertState } from "./live-set.js";
import { useLiveSet } from "./use-live-set.js";

type Alert = DashboardOverviewAlertFragment;

const source = {
  read: async () => {
    const { alerts } = await api.query(DashboardOverviewAlertsDocument, {});
    return { items: alerts.nodes, more: alerts.pageInfo.hasNextPage };
  },
  subscribe: (push: (a: Alert) => void, fail: (err: unknown) => void) =>
    api.subscribe(DashboardOverviewAlertsLiveDocument, {}, { next: ({ alertUpdated }) => push(alertUpdated), error: fail }),
  newer: byAlertState,
  keep: (a: Alert) => a.state === "FIRING",
};

export function AlertsPanel() {
  const { items, more, loaded, error } = useLiveSet(source);
  const firing = [...items.values()].sort((a, b) => Date.parse(b.firedAt) - Date.parse(a.firedAt));
  return (
    <section aria-labelledby="alerts-title" class="panel">
      <h2 id="alerts-title">Open alerts</h2>
      <p class="alert" role="alert">{error}</p>
      {!loaded && !error && <p class="muted">Loading…</p>}
      {/* Announced politely as incidents open and close. */}
      <p class="muted" aria-live="polite">{loaded ? (firing.length ? (more ? `More than ${firing.length} firing; the latest ${firing.length} here.` : `${firing.length} firing`) : "Nothing is firing.") : ""}</p>
      {firing.length > 0 && (
        <ul class="cards">
          {firing.map((a) => (
            <li key={a.id} class="card card-bad">
              <p class="card-title"><strong>{a.ruleName}</strong> <span class="muted">{humanize(a.kind)}</span></p>
              <p>{a.summary}</p>
              <p class="muted">Since <time dateTime={a.firedAt}>{formatDateTime(a.firedAt)}</time>; about <span class="mono">{a.subject}</span></p>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
