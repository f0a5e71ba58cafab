// /dashboard/overview: the merchant's day at a glance. Each panel is shown only when the role may
// read what it shows (its query's scope), so a role sees no panel it would get FORBIDDEN on:
// charts and gateway health need analytics:read, open alerts alerts:read, webhook endpoints
// webhooks:read, the review queue payments:read (deciding there: risk:review).
import { can } from "../api/session.js";
import { LiveIndicator } from "../ui/live.js";
import { PageHeading } from "../ui/page.js";
import { AlertsPanel } from "./alerts-panel.js";
import { ChartsPanel } from "./charts-panel.js";
import { GatewaysPanel } from "./gateways-panel.js";
import type { OverviewQuery } from "./range.js";
import { ReviewPanel } from "./review-panel.js";
import { WebhooksPanel } from "./webhooks-panel.js";
import "./overview.css";

export function OverviewView({ view }: { view: OverviewQuery }) {
  return (
    <main id="main" class="overview-view">
      <div class="title-row">
        <PageHeading title="Overview" />
        <LiveIndicator />
      </div>
      <div class="panels">
        {can("analytics:read") && <ChartsPanel view={view} />}
        {can("payments:read") && <ReviewPanel />}
        {can("analytics:read") && <GatewaysPanel />}
        {can("alerts:read") && <AlertsPanel />}
        {can("webhooks:read") && <WebhooksPanel />}
      </div>
    </main>
  );
}
