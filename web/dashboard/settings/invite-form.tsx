// Invite a person: email, name, and a role among those the signed-in role may grant (OWNER: any;
// ADMIN: DEVELOPER, ANALYST, SUPPORT). The invitation token comes back once (onInvited): the
// person accepts it with a password of their own.
import { useState } from "preact/hooks";
import { DashboardSettingsInviteUserDocument } from "@paygraph/client";
import { api, session } from "../api/session.js";
import { humanize } from "../ui/format.js";
import { grantableRoles, type Role } from "./access.js";
import { TextField } from "./text-field.js";
import { useAction } from "./use-action.js";

interface Props { onInvited(email: string, token: string): void; onCancel(): void }

export function InviteForm({ onInvited, onCancel }: Props) {
  const roles = grantableRoles(session()?.user.role ?? "");
  const [email, setEmail] = useState("");
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>(roles.includes("DEVELOPER") ? "DEVELOPER" : roles[0]!);
  const action = useAction();

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    const invited = await action.run(() => api.mutate(DashboardSettingsInviteUserDocument, { input: { email: email.trim(), name: name.trim(), role } }));
    if (invited) onInvited(invited.inviteUser.invitation.email, invited.inviteUser.inviteToken);
  };

  return (
    <form class="panel settings-form" onSubmit={submit} aria-labelledby="invite-title">
      <h2 id="invite-title">Invite a user</h2>
      <TextField id="invite-email" label="Email" type="email" value={email} onValue={setEmail} required error={action.fieldError("email")} />
      <TextField id="invite-name" label="Name" value={name} onValue={setName} required maxLength={100} error={action.fieldError("name")} />
      <RoleSelect id="invite-role" value={role} onChange={setRole} />
      <p class="alert" role="alert">{action.formError(["email", "name"])}</p>
      <div class="actions">
        <button type="submit" class="primary" disabled={action.busy}>{action.busy ? "Inviting…" : "Create invitation"}</button>
        <button type="button" onClick={onCancel} disabled={action.busy}>Cancel</button>
      </div>
    </form>
  );
}

/** A role picker offering only the roles the signed-in role may grant. */
export function RoleSelect({ id, value, onChange }: { id: string; value: Role; onChange(role: Role): void }) {
  return (
    <div class="field">
      <label for={id}>Role</label>
      <select id={id} value={value} onChange={(e) => onChange(e.currentTarget.value as Role)}>
        {grantableRoles(session()?.user.role ?? "").map((r) => <option key={r} value={r}>{humanize(r)}</option>)}
      </select>
    </div>
  );
}
