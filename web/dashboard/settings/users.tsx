// /dashboard/settings/users: the team (every role reads names and roles: users:read) and, for
// OWNER and ADMIN (users:manage), emails, open invitations, invite, change a role, remove a user
// and withdraw an invitation, each only where the role rules allow (access.ts grantableRoles).
import { useState } from "preact/hooks";
import { DashboardSettingsTeamDocument, DashboardSettingsUsersDocument } from "@paygraph/client";
import { api, can, session } from "../api/session.js";
import { formatDateTime, humanize } from "../ui/format.js";
import { ACTIONS, ScrollTable } from "../ui/table.js";
import { mayManageUser } from "./access.js";
import { InviteForm } from "./invite-form.js";
import { MemberDialog, type MemberAction } from "./member-dialogs.js";
import { SecretOnce } from "./secret-once.js";
import { PAGE, useList } from "./use-list.js";

interface Member { id: string; name: string; email?: string | null; role: string; createdAt: string; disabledAt: string | null }
interface Invitation { id: string; email: string; name: string; role: string; expiresAt: string }

/** Managers read emails and invitations in the same request; others read what users:read allows. */
async function loadTeam(manager: boolean): Promise<{ users: Member[]; more: boolean; invitations: Invitation[] }> {
  if (manager) {
    const { users, invitations } = await api.query(DashboardSettingsTeamDocument, { first: PAGE });
    return { users: users.nodes, more: users.pageInfo.hasNextPage, invitations: invitations.nodes };
  }
  const { users } = await api.query(DashboardSettingsUsersDocument, { first: PAGE });
  return { users: users.nodes, more: users.pageInfo.hasNextPage, invitations: [] };
}

export function Users() {
  const manager = can("users:manage");
  const me = session()!.user;
  const list = useList(() => loadTeam(manager));
  const [inviting, setInviting] = useState(false);
  const [shown, setShown] = useState<{ email: string; token: string } | null>(null);
  const [open, setOpen] = useState<MemberAction | null>(null);
  const [done, setDone] = useState("");
  const team = list.data;

  return (
    <section aria-labelledby="tab-title">
      <div class="title-row">
        <h2 id="tab-title">Users and invitations</h2>
        {manager && !inviting && !shown && <button type="button" class="primary" onClick={() => setInviting(true)}>Invite user</button>}
      </div>
      {shown && (
        <SecretOnce title={`Invitation for ${shown.email} created`} label="Invitation token" secret={shown.token}
          note="Give it to them over a channel you trust: they accept it with a password of their own. It works once, for 7 days." onDone={() => setShown(null)} />
      )}
      {inviting && <InviteForm onCancel={() => setInviting(false)} onInvited={(email, token) => { setInviting(false); setShown({ email, token }); list.reload(); }} />}
      <p class="status-line" role="status">{done}</p>
      <p class="alert" role="alert">{list.error}</p>
      {!team && !list.error && <p class="muted">Loading…</p>}
      {team && (
        <ScrollTable label="Users" class="settings-table" head={manager ? ["Name", "Email", "Role", "Since", ACTIONS] : ["Name", "Role", "Since"]}>
              {team.users.map((u) => (
                <tr key={u.id} data-id={u.id}>
                  <td>{u.name}{u.id === me.userId && <span class="muted"> (you)</span>}</td>
                  {manager && <td class="mono">{u.email}</td>}
                  <td>{u.disabledAt ? <>Removed <time dateTime={u.disabledAt}>{formatDateTime(u.disabledAt)}</time></> : humanize(u.role)}</td>
                  <td><time dateTime={u.createdAt}>{formatDateTime(u.createdAt)}</time></td>
                  {manager && (
                    <td class="row-actions">
                      {!u.disabledAt && mayManageUser(me, u) && <>
                        <button type="button" onClick={() => setOpen({ action: "role", id: u.id, name: u.name, role: u.role })} aria-label={`Change role of ${u.name}`}>Change role</button>
                        <button type="button" class="danger" onClick={() => setOpen({ action: "remove", id: u.id, name: u.name, role: u.role })} aria-label={`Remove ${u.name}`}>Remove</button>
                      </>}
                    </td>
                  )}
                </tr>
              ))}
        </ScrollTable>
      )}
      {team?.more && <p class="muted">The newest {PAGE} users are shown.</p>}
      {manager && team && (
        <>
          <h3>Open invitations</h3>
          {!team.invitations.length && <p class="empty">No open invitation.</p>}
          {team.invitations.length > 0 && (
            <ScrollTable label="Open invitations" class="settings-table" head={["Email", "Name", "Role", "Expires", ACTIONS]}>
                  {team.invitations.map((i) => (
                    <tr key={i.id} data-id={i.id}>
                      <td class="mono">{i.email}</td>
                      <td>{i.name}</td>
                      <td>{humanize(i.role)}</td>
                      <td><time dateTime={i.expiresAt}>{formatDateTime(i.expiresAt)}</time></td>
                      <td class="row-actions">
                        {mayManageUser(me, { id: "", role: i.role }) && (
                          <button type="button" class="danger" onClick={() => setOpen({ action: "revoke-invitation", id: i.id, name: i.name, email: i.email })} aria-label={`Withdraw the invitation for ${i.email}`}>Withdraw</button>
                        )}
                      </td>
                    </tr>
                  ))}
            </ScrollTable>
          )}
        </>
      )}
      {open && <MemberDialog open={open} onClose={() => setOpen(null)} onDone={(message) => { setDone(message); list.reload(); }} />}
    </section>
  );
}
