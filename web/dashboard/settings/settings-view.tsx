// /dashboard/settings/<tab>: one URL per tab (shareable, reloadable), a sub-navigation with only
// the tabs the role may read (access.ts tabsFor), and a plain refusal for a shared link to a tab
// the role may not read, rather than a request the server would refuse.
import type { FunctionComponent } from "preact";
import { session } from "../api/session.js";
import { Link } from "../ui/link.js";
import { PageHeading } from "../ui/page.js";
import { BASE } from "../ui/router.js";
import { SETTINGS, tabsFor, TABS, type SettingsTab } from "./access.js";
import { ApiKeys } from "./api-keys.js";
import { Users } from "./users.js";
import { Webhooks } from "./webhooks.js";

const VIEWS: Record<SettingsTab, FunctionComponent> = { "api-keys": ApiKeys, webhooks: Webhooks, users: Users };

export function SettingsView({ tab }: { tab: string }) {
  const tabs = tabsFor(session()?.user.scopes ?? []);
  const current = TABS.find((t) => t.id === tab);
  const allowed = tabs.find((t) => t.id === tab);
  const View = allowed ? VIEWS[allowed.id] : undefined;
  return (
    <main id="main" class="settings-view">
      <PageHeading title={current ? `Settings: ${current.label}` : "Settings"}>Settings</PageHeading>
      <nav aria-label="Settings" class="subnav">
        <ul>
          {tabs.map((t) => (
            <li key={t.id}><Link href={`${SETTINGS}/${t.id}`} aria-current={t.id === tab ? "page" : undefined}>{t.label}</Link></li>
          ))}
        </ul>
      </nav>
      {View ? <View key={tab} /> : (
        <p class="empty">
          {current ? `Your role (${session()?.user.role.toLowerCase()}) may not see ${current.label}.` : "There is no such settings page."}{" "}
          {tabs[0] && <Link href={`${SETTINGS}/${tabs[0].id}`}>Go to {tabs[0].label.toLowerCase()}</Link>}
        </p>
      )}
    </main>
  );
}
