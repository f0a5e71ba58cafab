// Create an API key: a name, a kind, the scopes of a RESTRICTED key (only those the signed-in role
// holds: more would be refused) and the allowed origins of a PUBLISHABLE one. The secret comes
// back once (onCreated shows it). Sent once per click: createApiKey is not idempotent-keyed.
import { useState } from "preact/hooks";
import { DashboardSettingsCreateApiKeyDocument } from "@paygraph/client";
import { api, session } from "../api/session.js";
import { humanize } from "../ui/format.js";
import { createKeyInput, keyScopesFor, maySecretKey, toggle, type KeyForm, type KeyKind } from "./access.js";
import { TextField } from "./text-field.js";
import { useAction } from "./use-action.js";

const KINDS: { kind: KeyKind; words: string }[] = [
  { kind: "SECRET", words: "every API scope; for your servers only" },
  { kind: "RESTRICTED", words: "only the scopes you tick" },
  { kind: "PUBLISHABLE", words: "card tokenization from your web pages; nothing on /graphql" },
];

interface Props { onCreated(name: string, secret: string): void; onCancel(): void }

export function ApiKeyForm({ onCreated, onCancel }: Props) {
  const scopes = session()?.user.scopes ?? [];
  const offered = keyScopesFor(scopes);
  const kinds = KINDS.filter((k) => k.kind !== "SECRET" || maySecretKey(scopes));
  const [form, setForm] = useState<KeyForm>({ name: "", kind: "RESTRICTED", scopes: [], origins: "" });
  const action = useAction();
  const set = (patch: Partial<KeyForm>): void => setForm((f) => ({ ...f, ...patch }));

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    const created = await action.run(() => api.mutate(DashboardSettingsCreateApiKeyDocument, { input: createKeyInput(form) }));
    if (created) onCreated(created.createApiKey.apiKey.name, created.createApiKey.secret);
  };

  return (
    <form class="panel settings-form" onSubmit={submit} aria-labelledby="new-key-title">
      <h2 id="new-key-title">New API key</h2>
      <TextField id="key-name" label="Name" value={form.name} onValue={(name) => set({ name })} required maxLength={100} error={action.fieldError("name")} />
      <fieldset class="field">
        <legend>Kind</legend>
        {kinds.map(({ kind, words }) => (
          <label class="choice" key={kind}>
            <input type="radio" name="key-kind" value={kind} checked={form.kind === kind} onChange={() => set({ kind })} />
            {humanize(kind)} <span class="muted">({words})</span>
          </label>
        ))}
      </fieldset>
      {form.kind === "RESTRICTED" && (
        <fieldset class="field scopes" aria-describedby="key-scopes-error">
          <legend>Scopes</legend>
          {offered.map((scope) => (
            <label class="choice" key={scope}>
              <input type="checkbox" value={scope} checked={form.scopes.includes(scope)} onChange={(e) => set({ scopes: toggle(form.scopes, scope, e.currentTarget.checked) })} />
              <span class="mono">{scope}</span>
            </label>
          ))}
          <p class="alert" role="alert" id="key-scopes-error">{action.fieldError("scopes")}</p>
        </fieldset>
      )}
      {form.kind === "PUBLISHABLE" && (
        <TextField id="key-origins" label="Allowed origins (comma-separated, e.g. https://shop.example)" value={form.origins} onValue={(origins) => set({ origins })} error={action.fieldError("allowedOrigins")} />
      )}
      <p class="alert" role="alert">{action.formError(["name", "scopes", "allowedOrigins"])}</p>
      <div class="actions">
        <button type="submit" class="primary" disabled={action.busy}>{action.busy ? "Creating…" : "Create key"}</button>
        <button type="button" onClick={onCancel} disabled={action.busy}>Cancel</button>
      </div>
    </form>
  );
}
