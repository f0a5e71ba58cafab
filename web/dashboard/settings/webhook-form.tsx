// Register a webhook endpoint: its URL, the event types it takes (none ticked: every type, as the
// API reads an empty list) and a description. The signing secret comes back once (onCreated).
import { useState } from "preact/hooks";
import { DashboardSettingsCreateWebhookEndpointDocument, DashboardSettingsWebhookEventTypesDocument } from "@paygraph/client";
import { api } from "../api/session.js";
import { toggle } from "./access.js";
import { TextField } from "./text-field.js";
import { useAction } from "./use-action.js";
import { useList } from "./use-list.js";

interface Props { onCreated(url: string, secret: string): void; onCancel(): void }

export function WebhookForm({ onCreated, onCancel }: Props) {
  const types = useList(() => api.query(DashboardSettingsWebhookEventTypesDocument, {}));
  const [url, setUrl] = useState("");
  const [description, setDescription] = useState("");
  const [events, setEvents] = useState<string[]>([]);
  const action = useAction();

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    const input = { url: url.trim(), events, ...(description.trim() ? { description: description.trim() } : {}) };
    const created = await action.run(() => api.mutate(DashboardSettingsCreateWebhookEndpointDocument, { input }));
    if (created) onCreated(created.createWebhookEndpoint.webhookEndpoint.url, created.createWebhookEndpoint.secret);
  };

  return (
    <form class="panel settings-form" onSubmit={submit} aria-labelledby="new-endpoint-title">
      <h2 id="new-endpoint-title">New webhook endpoint</h2>
      <TextField id="endpoint-url" label="URL" type="url" value={url} onValue={setUrl} required placeholder="https://example.com/paygraph/webhooks" error={action.fieldError("url")} />
      <TextField id="endpoint-description" label="Description (optional)" value={description} onValue={setDescription} maxLength={200} error={action.fieldError("description")} />
      <fieldset class="field scopes" aria-describedby="endpoint-events-hint">
        <legend>Event types</legend>
        <p class="muted" id="endpoint-events-hint">None ticked: every event type, those added later too.</p>
        <p class="alert" role="alert">{types.error}</p>
        {types.data?.webhookEventTypes.map((type) => (
          <label class="choice" key={type}>
            <input type="checkbox" value={type} checked={events.includes(type)} onChange={(e) => setEvents(toggle(events, type, e.currentTarget.checked))} />
            <span class="mono">{type}</span>
          </label>
        ))}
        <p class="alert" role="alert">{action.fieldError("events")}</p>
      </fieldset>
      <p class="alert" role="alert">{action.formError(["url", "description", "events"])}</p>
      <div class="actions">
        <button type="submit" class="primary" disabled={action.busy}>{action.busy ? "Adding…" : "Add endpoint"}</button>
        <button type="button" onClick={onCancel} disabled={action.busy}>Cancel</button>
      </div>
    </form>
  );
}
