// Gateway health (scope analytics:read, as `gateways`): each gateway account's circuit breaker,
// latency and success rate over the last 15 minutes, read every 15 s while the page is visible.
import { DashboardOverviewGatewaysDocument } from "@paygraph/client";
import { api } from "../api/session.js";
import { formatDateTime } from "../ui/format.js";
import { StatusBadge } from "../ui/status.js";
import { percent } from "./figures.js";
import { usePolled } from "./use-polled.js";

const WINDOW_MINUTES = 15;
const EVERY_MS = 15_000;
const read = async () => (await api.query(DashboardOverviewGatewaysDocument, { windowMinutes: WINDOW_MINUTES })).gateways;
const ms = (value: number | null): string => (value === null ? "—" : `${value} ms`);

export function GatewaysPanel() {
  const { data, error } = usePolled(read, EVERY_MS);
  return (
    <section aria-labelledby="gateways-title" class="panel">
      <h2 id="gateways-title">Gateway health</h2>
      <p class="muted">The last {WINDOW_MINUTES} minutes, read again every {EVERY_MS / 1000} s.</p>
      <p class="alert" role="alert">{error}</p>
      {!data && !error && <p class="muted">Loading…</p>}
      {data && !data.length && <p class="empty">No gateway accounts: payments go to the server's default gateway.</p>}
      {data && data.length > 0 && (
        <ul class="cards">
          {data.map((g) => (
            <li key={g.account.id} class="card">
              <p class="card-title">
                <span class="mono">{g.account.name}</span>
                <span class="badge-label">Circuit <StatusBadge status={g.circuit.state} /></span>
              </p>
              <dl class="pairs">
                <dt>Success rate</dt><dd>{percent(g.succeeded, g.succeeded + g.failed) ?? "No finished attempt"}{g.succeeded + g.failed ? ` of ${g.succeeded + g.failed}` : ""}</dd>
                <dt>Latency p50 / p95</dt><dd>{ms(g.p50LatencyMs)} / {ms(g.p95LatencyMs)}</dd>
                <dt>Attempts</dt><dd>{g.attempts}{g.pending ? ` (${g.pending} pending)` : ""}</dd>
                {g.circuit.openedAt && <><dt>Opened</dt><dd><time dateTime={g.circuit.openedAt}>{formatDateTime(g.circuit.openedAt)}</time></dd></>}
                {!g.account.enabled && <><dt>Account</dt><dd>Disabled</dd></>}
              </dl>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
