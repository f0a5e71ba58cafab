// /dashboard/settings/webhooks: the endpoints with their health (enabled, why paygraph disabled
// one, failing since when); with `webhooks:write` (OWNER, ADMIN, DEVELOPER) add one, switch one
// off or on, roll its signing secret and delete it. Secrets are shown once; roll and delete ask first.
import { useState } from "preact/hooks";
import {
  DashboardSettingsDeleteWebhookEndpointDocument, DashboardSettingsRollWebhookEndpointSecretDocument,
  DashboardSettingsUpdateWebhookEndpointDocument, DashboardSettingsWebhookEndpointsDocument,
  type DashboardSettingsWebhookEndpointFragment,
} from "@paygraph/client";
import { api, can } from "../api/session.js";
import { ConfirmDialog } from "../ui/dialog.js";
import { EndpointHealth } from "../ui/endpoint-health.js";
import { formatDateTime } from "../ui/format.js";
import { ACTIONS, ScrollTable } from "../ui/table.js";
import { SecretOnce } from "./secret-once.js";
import { useAction } from "./use-action.js";
import { PAGE, useList } from "./use-list.js";
import { WebhookForm } from "./webhook-form.js";

type Endpoint = DashboardSettingsWebhookEndpointFragment;
interface Shown { title: string; secret: string; note: string }


export function Webhooks() {
  const list = useList(() => api.query(DashboardSettingsWebhookEndpointsDocument, { first: PAGE }));
  const mayChange = can("webhooks:write");
  const [creating, setCreating] = useState(false);
  const [shown, setShown] = useState<Shown | null>(null);
  const [open, setOpen] = useState<{ action: "roll" | "delete"; endpoint: Endpoint } | null>(null);
  const [done, setDone] = useState("");
  const toggleAction = useAction();
  const endpoints = list.data?.webhookEndpoints.nodes ?? [];

  const show = (value: Shown): void => {
    setCreating(false);
    setShown(value);
    list.reload();
  };
  const setEnabled = async (e: Endpoint, enabled: boolean): Promise<void> => {
    const updated = await toggleAction.run(() => api.mutate(DashboardSettingsUpdateWebhookEndpointDocument, { input: { id: e.id, enabled } }));
    if (updated) { setDone(`${e.url} ${enabled ? "switched on" : "switched off"}.`); list.reload(); }
  };

  return (
    <section aria-labelledby="tab-title">
      <div class="title-row">
        <h2 id="tab-title">Webhook endpoints</h2>
        {mayChange && !creating && !shown && <button type="button" class="primary" onClick={() => setCreating(true)}>Add endpoint</button>}
      </div>
      {shown && <SecretOnce title={shown.title} label="Signing secret" secret={shown.secret} note={shown.note} onDone={() => setShown(null)} />}
      {creating && <WebhookForm onCancel={() => setCreating(false)} onCreated={(url, secret) => show({ title: `Endpoint ${url} added`, secret, note: "Verify each delivery's signature with it." })} />}
      <p class="status-line" role="status">{done}</p>
      <p class="alert" role="alert">{list.error || toggleAction.error.text}</p>
      {!list.data && !list.error && <p class="muted">Loading…</p>}
      {list.data && !endpoints.length && <p class="empty">No webhook endpoint yet.</p>}
      {endpoints.length > 0 && (
        <ScrollTable label="Webhook endpoints" class="settings-table" head={["URL", "Health", "Events", "Created", ...(mayChange ? [ACTIONS] : [])]}>
              {endpoints.map((e) => (
                <tr key={e.id} data-id={e.id}>
                  <td class="wrap"><span class="mono">{e.url}</span>{e.description && <span class="description">{e.description}</span>}</td>
                  <td><EndpointHealth endpoint={e} /></td>
                  <td class="wrap">{e.events.length ? <span class="mono">{e.events.join(", ")}</span> : "Every type"}</td>
                  <td><time dateTime={e.createdAt}>{formatDateTime(e.createdAt)}</time></td>
                  {mayChange && (
                    <td class="row-actions">
                      <button type="button" disabled={toggleAction.busy} onClick={() => void setEnabled(e, !e.enabled)} aria-label={`${e.enabled ? "Switch off" : "Switch on"} ${e.url}`}>{e.enabled ? "Switch off" : "Switch on"}</button>
                      <button type="button" onClick={() => setOpen({ action: "roll", endpoint: e })} aria-label={`Roll secret of ${e.url}`}>Roll secret</button>
                      <button type="button" class="danger" onClick={() => setOpen({ action: "delete", endpoint: e })} aria-label={`Delete ${e.url}`}>Delete</button>
                    </td>
                  )}
                </tr>
              ))}
        </ScrollTable>
      )}
      {list.data?.webhookEndpoints.pageInfo.hasNextPage && <p class="muted">The newest {PAGE} endpoints are shown.</p>}
      {open && (
        <EndpointDialog {...open} onClose={() => setOpen(null)} onDone={(secret) => {
          if (secret) show({ title: `Secret of ${open.endpoint.url} rolled`, secret, note: "For 24 hours every delivery is signed with the old secret too: switch your receiver over meanwhile." });
          else { setDone(`${open.endpoint.url} deleted.`); list.reload(); }
        }} />
      )}
    </section>
  );
}

function EndpointDialog({ action: kind, endpoint, onClose, onDone }: { action: "roll" | "delete"; endpoint: Endpoint; onClose(): void; onDone(secret?: string): void }) {
  const action = useAction();
  const confirm = async (): Promise<boolean> => {
    if (kind === "roll") {
      const rolled = await action.run(() => api.mutate(DashboardSettingsRollWebhookEndpointSecretDocument, { input: { id: endpoint.id } }));
      if (rolled) onDone(rolled.rollWebhookEndpointSecret.secret);
      return Boolean(rolled);
    }
    const deleted = await action.run(() => api.mutate(DashboardSettingsDeleteWebhookEndpointDocument, { input: { id: endpoint.id } }));
    if (deleted) onDone();
    return Boolean(deleted);
  };
  return (
    <ConfirmDialog title={kind === "roll" ? `Roll the signing secret of ${endpoint.url}?` : `Delete ${endpoint.url}?`} confirmLabel={kind === "roll" ? "Roll secret" : "Delete endpoint"}
      busy={action.busy} error={action.formError([])} onConfirm={confirm} onClose={onClose}>
      <p>{kind === "roll"
        ? "paygraph makes a new signing secret and shows it once. For 24 hours every delivery carries both signatures, the old secret's and the new one's, so your receiver can switch over without missing one."
        : "No event is sent to this endpoint any more. This cannot be undone."}</p>
    </ConfirmDialog>
  );
}
