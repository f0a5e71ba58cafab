// /dashboard/payments/:id: one payment, live, with what the role may do to it.
import { useState } from "preact/hooks";
import { can } from "../api/session.js";
import { formatMoney } from "../ui/format.js";
import { LiveIndicator } from "../ui/live.js";
import { Link } from "../ui/link.js";
import { PageHeading } from "../ui/page.js";
import { BASE } from "../ui/router.js";
import { StatusBadge } from "../ui/status.js";
import { PaymentActions } from "./actions.js";
import { Amounts, Attempts, History, Refunds, Risk, ThreeDSecure } from "./sections.js";
import { usePayment } from "./use-payment.js";
import { Webhooks } from "./webhooks.js";

export function PaymentView({ id }: { id: string }) {
  const { payment: p, error, reload } = usePayment(id);
  const [done, setDone] = useState("");
  return (
    <main id="main" class="payment-view">
      <p class="back"><Link href={`${BASE}/payments`}>← All payments</Link></p>
      <div class="title-row">
        <PageHeading title={`Payment ${id}`}><span class="mono">{id}</span></PageHeading>
        <LiveIndicator />
      </div>
      <p class="alert" role="alert">{error}</p>
      <p class="status-line" role="status">{done}</p>
      {p === undefined && !error && <p class="muted">Loading…</p>}
      {p === null && <p class="empty">There is no payment {id} in this account.</p>}
      {p && (
        <>
          <p class="headline">
            <span class="amount">{formatMoney(p.amount)}</span> <StatusBadge status={p.status} />
            <span class="muted"> version {p.version}</span>
          </p>
          <PaymentActions payment={p} onDone={(message) => { setDone(message); void reload(); }} />
          <div class="panels">
            <Amounts p={p} />
            <ThreeDSecure p={p} />
            <Risk p={p} />
            <Attempts p={p} />
            <Refunds p={p} />
            <History p={p} />
            {can("webhooks:read") && <Webhooks p={p} />}
          </div>
        </>
      )}
    </main>
  );
}
