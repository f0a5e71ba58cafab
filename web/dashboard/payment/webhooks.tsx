// The webhook events about this payment (and its refunds) and every delivery of each: which
// endpoint, which try, what it answered. Deliveries are listed per endpoint by the API, so they
// are read for up to 10 endpoints (their latest 100 each, a request each) and matched to these events here.
import { useEffect, useState } from "preact/hooks";
import { DashboardWebhookDeliveriesDocument, DashboardWebhookEndpointsDocument, DashboardWebhookEventsDocument } from "@paygraph/client";
import { describeError } from "../api/errors.js";
import { api } from "../api/session.js";
import type { PaymentDetail, WebhookDelivery, WebhookEndpoint, WebhookEvent } from "../api/types.js";
import { formatDateTime } from "../ui/format.js";
import { StatusBadge } from "../ui/status.js";

interface Loaded { events: WebhookEvent[]; deliveries: Map<string, (WebhookDelivery & { url: string })[]> }

async function load(p: PaymentDetail): Promise<Loaded> {
  const objects = [p.id, ...p.refunds.nodes.map((r) => r.id)].slice(0, 10);
  const [pages, { webhookEndpoints }] = await Promise.all([
    Promise.all(objects.map((objectId) => api.query(DashboardWebhookEventsDocument, { objectId }))),
    api.query(DashboardWebhookEndpointsDocument),
  ]);
  const events = pages.flatMap((page) => page.webhookEvents.nodes).sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt));
  const deliveries = new Map<string, (WebhookDelivery & { url: string })[]>(events.map((e) => [e.id, []]));
  const endpoints = webhookEndpoints.nodes;
  if (events.length && endpoints.length) {
    const pages = await Promise.all(endpoints.map((e) => api.query(DashboardWebhookDeliveriesDocument, { endpointId: e.id })));
    endpoints.forEach((endpoint, i) => {
      for (const d of pages[i]!.webhookDeliveries.nodes) deliveries.get(d.eventId)?.push({ ...d, url: endpoint.url });
    });
  }
  return { events, deliveries };
}

export function Webhooks({ p }: { p: PaymentDetail }) {
  const [loaded, setLoaded] = useState<Loaded | undefined>();
  const [error, setError] = useState("");
  // Read again as the payment changes (a new version is a new event).
  useEffect(() => {
    let alive = true;
    load(p).then((l) => alive && setLoaded(l), (err: unknown) => alive && setError(describeError(err)));
    return () => void (alive = false);
  }, [p.id, p.version, p.refunds.nodes.length]);

  return (
    <section aria-labelledby="webhooks-title" class="panel wide">
      <h2 id="webhooks-title">Webhook events</h2>
      <p class="alert" role="alert">{error}</p>
      {!loaded && !error && <p class="muted">Loading…</p>}
      {loaded && !loaded.events.length && <p class="empty">No webhook event about this payment yet.</p>}
      {loaded && loaded.events.length > 0 && (
        <ol class="webhook-events">
          {loaded.events.map((event) => {
            const tries = loaded.deliveries.get(event.id) ?? [];
            return (
              <li key={event.id}>
                <p><span class="mono">{event.type}</span> <span class="muted">{event.id}, <time dateTime={event.createdAt}>{formatDateTime(event.createdAt)}</time></span></p>
                {tries.length === 0 ? <p class="muted">No delivery (no endpoint takes this event).</p> : (
                  <ul class="deliveries">
                    {tries.map((d) => (
                      <li key={d.id}>
                        <StatusBadge status={d.status} /> try {d.attempt} to <span class="mono">{d.url}</span>:{" "}
                        {d.responseStatus !== null ? `HTTP ${d.responseStatus}` : (d.error ?? "no answer")}
                        {d.latencyMs !== null ? `, ${d.latencyMs} ms` : ""}
                        {d.nextRetryAt ? `, next try ${formatDateTime(d.nextRetryAt)}` : ""}
                      </li>
                    ))}
                  </ul>
                )}
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
