// The review queue (scope payments:read): payments the risk step held in REQUIRES_REVIEW, oldest
// first (the nearest to timing out), with their risk score and reasons, live through the
// merchant-wide `paymentUpdated` (a new hold joins, a decided one leaves, by version). Approve and
// Reject are offered only with risk:review (OWNER, ADMIN, SUPPORT); review-dialog.tsx does them.
import { useState } from "preact/hooks";
import { DashboardOverviewPaymentsLiveDocument, DashboardOverviewReviewQueueDocument, type DashboardOverviewHeldFragment } from "@paygraph/client";
import { api, can } from "../api/session.js";
import { formatDateTime, formatMoney, humanize } from "../ui/format.js";
import { Link } from "../ui/link.js";
import { BASE } from "../ui/router.js";
import { byVersion } from "./live-set.js";
import { ReviewDialog, type Decision } from "./review-dialog.js";
import { useLiveSet } from "./use-live-set.js";

export type Held = DashboardOverviewHeldFragment;

const source = {
  read: async () => {
    const { payments } = await api.query(DashboardOverviewReviewQueueDocument, {});
    return { items: payments.nodes, more: payments.pageInfo.hasPreviousPage };
  },
  subscribe: (push: (p: Held) => void, fail: (err: unknown) => void) =>
    api.subscribe(DashboardOverviewPaymentsLiveDocument, {}, { next: ({ paymentUpdated }) => push(paymentUpdated), error: fail }),
  newer: byVersion,
  keep: (p: Held) => p.status === "REQUIRES_REVIEW",
};

export function ReviewPanel() {
  const { items, more, loaded, error, apply } = useLiveSet(source);
  const [open, setOpen] = useState<{ decision: Decision; payment: Held } | null>(null);
  const [done, setDone] = useState("");
  const held = [...items.values()].sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt) || (a.id < b.id ? -1 : 1));
  const mayDecide = can("risk:review");
  return (
    <section aria-labelledby="review-title" class="panel wide">
      <h2 id="review-title">Review queue</h2>
      <p class="alert" role="alert">{error}</p>
      <p class="status-line" role="status">{done}</p>
      {!loaded && !error && <p class="muted">Loading…</p>}
      <p class="muted" aria-live="polite">{loaded ? (held.length ? (more ? `More than ${held.length} held for review; the oldest ${held.length} here (the payments list filtered by "Requires review" has them all).` : `${held.length} held for review, oldest first.`) : "No payment is held for review.") : ""}</p>
      {held.length > 0 && (
        <ul class="cards review">
          {held.map((p) => (
            <li key={p.id} class="card" data-id={p.id}>
              <p class="card-title">
                <Link href={`${BASE}/payments/${p.id}`} class="mono">{p.id}</Link>
                <strong>{formatMoney(p.amount)}</strong>
              </p>
              <p class="muted">
                {p.card ? `${p.card.brand} •••• ${p.card.last4}, ` : ""}<time dateTime={p.createdAt}>{formatDateTime(p.createdAt)}</time>
                {p.description ? `, ${p.description}` : ""}
              </p>
              {p.risk && (
                <>
                  <p>Risk score <strong>{p.risk.score}</strong> of 100 ({humanize(p.risk.level)})</p>
                  {p.risk.reasons.length > 0 && (
                    <ul class="reasons">{p.risk.reasons.map((r) => <li key={r.source + r.message}>{r.message} <span class="muted">(+{r.points})</span></li>)}</ul>
                  )}
                </>
              )}
              {mayDecide && (
                <div class="actions">
                  <button type="button" class="primary" aria-label={`Approve ${p.id}`} onClick={() => setOpen({ decision: "approve", payment: p })}>Approve</button>
                  <button type="button" class="danger" aria-label={`Reject ${p.id}`} onClick={() => setOpen({ decision: "reject", payment: p })}>Reject</button>
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
      {open && (
        <ReviewDialog {...open} onClose={() => setOpen(null)} onDone={(payment, message) => { apply(payment); setDone(message); }} />
      )}
    </section>
  );
}
