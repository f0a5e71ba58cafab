// The confirmations of the Users tab: change a user's role, remove a user, withdraw an invitation.
// Each is one request, sent once per Confirm; the server's rule refusals (an ADMIN touching an
// OWNER, the last OWNER) come back as the dialog's alert.
import { useState } from "preact/hooks";
import { DashboardSettingsRemoveUserDocument, DashboardSettingsRevokeInvitationDocument, DashboardSettingsUpdateUserRoleDocument } from "@paygraph/client";
import { api, session } from "../api/session.js";
import { ConfirmDialog } from "../ui/dialog.js";
import { humanize } from "../ui/format.js";
import { grantableRoles, type Role } from "./access.js";
import { RoleSelect } from "./invite-form.js";
import { useAction } from "./use-action.js";

export type MemberAction =
  | { action: "role" | "remove"; id: string; name: string; role: string }
  | { action: "revoke-invitation"; id: string; name: string; email: string };

export function MemberDialog({ open, onClose, onDone }: { open: MemberAction; onClose(): void; onDone(message: string): void }) {
  const roles = grantableRoles(session()?.user.role ?? "");
  const [role, setRole] = useState<Role>((open.action === "role" ? open.role : roles[0]) as Role);
  const action = useAction();
  const who = open.action === "revoke-invitation" ? open.email : open.name;

  const confirm = async (): Promise<boolean> => {
    const input = { id: open.id };
    const done = await action.run(async () => {
      if (open.action === "role") await api.mutate(DashboardSettingsUpdateUserRoleDocument, { input: { ...input, role } });
      else if (open.action === "remove") await api.mutate(DashboardSettingsRemoveUserDocument, { input });
      else await api.mutate(DashboardSettingsRevokeInvitationDocument, { input });
      return true;
    });
    if (!done) return false;
    onDone(open.action === "role" ? `${open.name} is now ${humanize(role).toLowerCase()}.` : open.action === "remove" ? `${open.name} removed.` : `Invitation for ${who} withdrawn.`);
    return true;
  };

  if (open.action === "role") {
    return (
      <ConfirmDialog title={`Change the role of ${open.name}?`} confirmLabel="Change role" busy={action.busy} error={action.formError([])} onConfirm={confirm} onClose={onClose}>
        <p>The new role's permissions apply from their next request; their open dashboards reconnect with it.</p>
        <RoleSelect id="member-role" value={role} onChange={setRole} />
      </ConfirmDialog>
    );
  }
  if (open.action === "remove") {
    return (
      <ConfirmDialog title={`Remove ${open.name}?`} confirmLabel="Remove user" busy={action.busy} error={action.formError([])} onConfirm={confirm} onClose={onClose}>
        <p>They are signed out everywhere at once and can no longer sign in. Their history stays in the audit log.</p>
      </ConfirmDialog>
    );
  }
  return (
    <ConfirmDialog title={`Withdraw the invitation for ${who}?`} confirmLabel="Withdraw invitation" busy={action.busy} error={action.formError([])} onConfirm={confirm} onClose={onClose}>
      <p>Its token is refused from now on. You can invite {open.name} again later.</p>
    </ConfirmDialog>
  );
}
