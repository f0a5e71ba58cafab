// Webhook endpoints' health (scope webhooks:read): each endpoint, whether paygraph still sends to
// it, why it stopped (the receiver answered 410, or every delivery failed for too long), and since
// when its deliveries have been failing. Read every 30 s while the page is visible.
import { DashboardOverviewWebhookEndpointsDocument } from "@paygraph/client";
import { api } from "../api/session.js";
import { EndpointHealth } from "../ui/endpoint-health.js";
import { usePolled } from "./use-polled.js";

const read = async () => (await api.query(DashboardOverviewWebhookEndpointsDocument, {})).webhookEndpoints;

export function WebhooksPanel() {
  const { data, error } = usePolled(read, 30_000);
  return (
    <section aria-labelledby="webhooks-title" class="panel">
      <h2 id="webhooks-title">Webhook endpoints</h2>
      <p class="alert" role="alert">{error}</p>
      {!data && !error && <p class="muted">Loading…</p>}
      {data && !data.nodes.length && <p class="empty">No webhook endpoint.</p>}
      {data && data.nodes.length > 0 && (
        <ul class="cards">
          {data.nodes.map((e) => {
            return (
              <li key={e.id} class={`card ${!e.enabled || e.failingSince ? "card-bad" : ""}`}>
                <p class="card-title"><span class="mono">{e.url}</span></p>
                {e.description && <p class="muted">{e.description}</p>}
                <p><EndpointHealth endpoint={e} /></p>
              </li>
            );
          })}
        </ul>
      )}
      {data?.pageInfo.hasNextPage && <p class="muted">The first 100 endpoints are shown.</p>}
    </section>
  );
}
