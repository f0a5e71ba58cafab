// /dashboard/settings/api-keys: the keys in use, and (scope `admin`: OWNER, ADMIN, DEVELOPER)
// create, roll and revoke. A new or rolled key's secret is shown once; roll and revoke ask first.
import { useState } from "preact/hooks";
import {
  DashboardSettingsApiKeysDocument, DashboardSettingsRevokeApiKeyDocument, DashboardSettingsRollApiKeyDocument,
  type DashboardSettingsApiKeyFragment,
} from "@paygraph/client";
import { api, can } from "../api/session.js";
import { ConfirmDialog } from "../ui/dialog.js";
import { formatDateTime, humanize } from "../ui/format.js";
import { ACTIONS, ScrollTable } from "../ui/table.js";
import { GRACE_PERIODS } from "./access.js";
import { ApiKeyForm } from "./api-key-form.js";
import { SecretOnce } from "./secret-once.js";
import { useAction } from "./use-action.js";
import { PAGE, useList } from "./use-list.js";

type Key = DashboardSettingsApiKeyFragment;
type Open = { action: "roll" | "revoke"; key: Key } | null;
interface Shown { title: string; secret: string; note: string }

/** Keys made before names existed (or by the CLI) may have none: the last 4 characters tell them apart. */
const keyLabel = (key: Key): string => `${key.name || "Unnamed key"} (…${key.last4})`;

export function ApiKeys() {
  const list = useList(() => api.query(DashboardSettingsApiKeysDocument, { first: PAGE }));
  const mayChange = can("admin");
  const [creating, setCreating] = useState(false);
  const [shown, setShown] = useState<Shown | null>(null);
  const [open, setOpen] = useState<Open>(null);
  const [done, setDone] = useState("");
  const keys = list.data?.apiKeys.nodes ?? [];

  const show = (value: Shown): void => {
    setCreating(false);
    setDone("");
    setShown(value);
    list.reload();
  };

  return (
    <section aria-labelledby="tab-title">
      <div class="title-row">
        <h2 id="tab-title">API keys</h2>
        {mayChange && !creating && !shown && <button type="button" class="primary" onClick={() => setCreating(true)}>Create key</button>}
      </div>
      {shown && <SecretOnce title={shown.title} label="Secret key" secret={shown.secret} note={shown.note} onDone={() => setShown(null)} />}
      {creating && (
        <ApiKeyForm onCancel={() => setCreating(false)}
          onCreated={(name, secret) => show({ title: `Key “${name}” created`, secret, note: "Use it as Authorization: Bearer on /graphql." })} />
      )}
      <p class="status-line" role="status">{done}</p>
      <p class="alert" role="alert">{list.error}</p>
      {!list.data && !list.error && <p class="muted">Loading…</p>}
      {list.data && !keys.length && <p class="empty">No API key in use.</p>}
      {keys.length > 0 && (
        <ScrollTable label="API keys" class="settings-table" head={["Name", "Kind", "Key", "Scopes", "Created", "Expires", ...(mayChange ? [ACTIONS] : [])]}>
              {keys.map((key) => (
                <tr key={key.id} data-id={key.id}>
                  <td>{key.name || <span class="muted">Unnamed</span>}</td>
                  <td>{humanize(key.kind)}</td>
                  <td class="mono">…{key.last4}</td>
                  <td class="wrap">{key.kind === "SECRET" ? "Every API scope" : key.kind === "PUBLISHABLE" ? `Tokenization${key.allowedOrigins.length ? ` from ${key.allowedOrigins.join(", ")}` : ""}` : <span class="mono">{key.scopes.join(", ")}</span>}</td>
                  <td><time dateTime={key.createdAt}>{formatDateTime(key.createdAt)}</time></td>
                  <td>{key.expiresAt ? <>Rolled; refused from <time dateTime={key.expiresAt}>{formatDateTime(key.expiresAt)}</time></> : "—"}</td>
                  {mayChange && (
                    <td class="row-actions">
                      {/* A key is rolled once: a rolled key only counts down to its expiry. */}
                      {!key.expiresAt && <button type="button" onClick={() => setOpen({ action: "roll", key })} aria-label={`Roll ${keyLabel(key)}`}>Roll</button>}
                      <button type="button" class="danger" onClick={() => setOpen({ action: "revoke", key })} aria-label={`Revoke ${keyLabel(key)}`}>Revoke</button>
                    </td>
                  )}
                </tr>
              ))}
        </ScrollTable>
      )}
      {list.data?.apiKeys.pageInfo.hasNextPage && <p class="muted">The newest {PAGE} keys are shown.</p>}
      {open?.action === "roll" && (
        <RollDialog apiKey={open.key} onClose={() => setOpen(null)}
          onRolled={(secret, note) => show({ title: `Key “${open.key.name}” rolled`, secret, note })} />
      )}
      {open?.action === "revoke" && (
        <RevokeDialog apiKey={open.key} onClose={() => setOpen(null)} onRevoked={() => { setDone(`${keyLabel(open.key)} revoked.`); list.reload(); }} />
      )}
    </section>
  );
}

function RollDialog({ apiKey, onClose, onRolled }: { apiKey: Key; onClose(): void; onRolled(secret: string, note: string): void }) {
  const [grace, setGrace] = useState(86_400);
  const action = useAction();
  const confirm = async (): Promise<boolean> => {
    const rolled = await action.run(() => api.mutate(DashboardSettingsRollApiKeyDocument, { input: { id: apiKey.id, gracePeriodSeconds: grace } }));
    if (!rolled) return false;
    // The old key's expiry is now + the grace period (the new key is what the API returns).
    const until = grace > 0 ? `The old key (…${apiKey.last4}) keeps working until ${formatDateTime(new Date(Date.now() + grace * 1000).toISOString())}, then is refused.` : `The old key (…${apiKey.last4}) is refused from now on.`;
    onRolled(rolled.rollApiKey.secret, until);
    return true;
  };
  return (
    <ConfirmDialog title={`Roll ${keyLabel(apiKey)}?`} confirmLabel="Roll key" busy={action.busy} error={action.formError([])} onConfirm={confirm} onClose={onClose}>
      <p>paygraph makes a new key with the same name, kind, scopes and rate limit, and shows its secret once. The old key keeps working for the time you choose, then is refused (UNAUTHENTICATED). A key can be rolled only once.</p>
      <div class="field">
        <label for="roll-grace">The old key keeps working for</label>
        <select id="roll-grace" value={grace} onChange={(e) => setGrace(Number(e.currentTarget.value))}>
          {GRACE_PERIODS.map((g) => <option key={g.seconds} value={g.seconds}>{g.label}</option>)}
        </select>
      </div>
    </ConfirmDialog>
  );
}

function RevokeDialog({ apiKey, onClose, onRevoked }: { apiKey: Key; onClose(): void; onRevoked(): void }) {
  const action = useAction();
  const confirm = async (): Promise<boolean> => {
    const revoked = await action.run(() => api.mutate(DashboardSettingsRevokeApiKeyDocument, { input: { id: apiKey.id } }));
    if (revoked) onRevoked();
    return Boolean(revoked);
  };
  return (
    <ConfirmDialog title={`Revoke ${keyLabel(apiKey)}?`} confirmLabel="Revoke key" busy={action.busy} error={action.formError([])} onConfirm={confirm} onClose={onClose}>
      <p>Every request with this key is refused from now on, on every server. This cannot be undone.</p>
    </ConfirmDialog>
  );
}
