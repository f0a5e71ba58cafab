// The parts of a payment's page: amounts, attempts (gateway, routing reason, outcome), refunds,
// 3-D Secure and risk when there are any, and its history from the audit log.
import type { ComponentChildren } from "preact";
import type { PaymentDetail } from "../api/types.js";
import { formatDateTime, formatMoney, humanize } from "../ui/format.js";
import { StatusBadge } from "../ui/status.js";
import { ScrollTable } from "../ui/table.js";

const When = ({ at }: { at: string }) => <time dateTime={at}>{formatDateTime(at)}</time>;

function Section({ id, title, wide, children }: { id: string; title: string; wide?: boolean; children: ComponentChildren }) {
  return (
    <section aria-labelledby={`${id}-title`} class={wide ? "panel wide" : "panel"}>
      <h2 id={`${id}-title`}>{title}</h2>
      {children}
    </section>
  );
}

function Pairs({ items }: { items: [string, ComponentChildren][] }) {
  return <dl class="pairs">{items.map(([term, value]) => [<dt key={`${term}-t`}>{term}</dt>, <dd key={`${term}-d`}>{value}</dd>])}</dl>;
}

export function Amounts({ p }: { p: PaymentDetail }) {
  return (
    <Section id="amounts" title="Amounts">
      <Pairs items={[
        ["Amount", formatMoney(p.amount)],
        ["Captured", formatMoney(p.amountCaptured)],
        ["Still capturable", formatMoney(p.amountCapturable)],
        ["Refunded", formatMoney(p.amountRefunded)],
        ["Refunds pending", formatMoney(p.amountRefundPending)],
        ["Capture", humanize(p.captureMethod)],
        ...(p.settlement ? [["Settled as", `${formatMoney(p.settlement.amount)} (rate ${p.settlement.rate}, ${p.settlement.rateSource})`] as [string, string]] : []),
        ["Card", p.card ? `${p.card.brand} •••• ${p.card.last4}, expires ${String(p.card.expMonth).padStart(2, "0")}/${p.card.expYear}${p.card.country ? `, ${p.card.country}` : ""}` : "None yet"],
        ["Created", <When at={p.createdAt} />],
        ["Updated", <When at={p.updatedAt} />],
        ...(p.description ? [["Description", p.description] as [string, string]] : []),
        ...(p.lastPaymentError ? [["Last error", `${p.lastPaymentError.message} (${p.lastPaymentError.declineCode ?? p.lastPaymentError.code})`] as [string, string]] : []),
      ]} />
    </Section>
  );
}

export function Attempts({ p }: { p: PaymentDetail }) {
  return (
    <Section id="attempts" title="Attempts" wide>
      {p.attempts.nodes.length === 0 ? <p class="empty">No attempt yet: the payment has not been confirmed.</p> : (
        <ScrollTable label="Attempts" head={["Gateway", "Outcome", "Why this gateway", "Error", "Tries", "Latency", "When"]}>
          {p.attempts.nodes.map((a) => (
            <tr key={a.id}>
              <td>{a.gateway}</td>
              <td><StatusBadge status={a.status} /></td>
              <td class="wrap">{a.routingReason ?? "—"}</td>
              <td class="wrap">{a.errorCode ? `${a.errorCode}${a.declineCode ? ` (${a.declineCode})` : ""}${a.errorMessage ? `: ${a.errorMessage}` : ""}` : "—"}</td>
              <td class="num">{a.tries}</td>
              <td class="num">{a.latencyMs === null ? "—" : `${a.latencyMs} ms`}</td>
              <td><When at={a.createdAt} /></td>
            </tr>
          ))}
        </ScrollTable>
      )}
    </Section>
  );
}

export function Refunds({ p }: { p: PaymentDetail }) {
  if (!p.refunds.nodes.length) return null;
  return (
    <Section id="refunds" title="Refunds" wide>
      <ScrollTable label="Refunds" head={["Refund", "Amount", "Status", "Reason", "When"]}>
        {p.refunds.nodes.map((r) => (
          <tr key={r.id}>
            <td class="mono">{r.id}</td>
            <td class="num">{formatMoney(r.amount)}</td>
            <td><StatusBadge status={r.status} />{r.failureCode ? ` ${r.failureCode}` : ""}</td>
            <td>{r.reason ?? "—"}</td>
            <td><When at={r.createdAt} /></td>
          </tr>
        ))}
      </ScrollTable>
    </Section>
  );
}

export function ThreeDSecure({ p }: { p: PaymentDetail }) {
  const t = p.threeDSecure;
  if (!t) return null;
  return (
    <Section id="three-ds" title="3-D Secure">
      <Pairs items={[
        ["Result", `${t.transStatus}${t.transStatusReason ? ` (reason ${t.transStatusReason})` : ""}`],
        ["Flow", humanize(t.flow)],
        ["Liability shifted", t.liabilityShifted ? "Yes" : "No"],
        ["ECI", t.eci ?? "—"],
        ["Version", t.version],
      ]} />
    </Section>
  );
}

export function Risk({ p }: { p: PaymentDetail }) {
  const r = p.risk;
  if (!r) return null;
  return (
    <Section id="risk" title="Risk">
      <Pairs items={[
        ["Score", `${r.score} of 100 (${humanize(r.level)})`],
        ["Outcome", humanize(r.outcome)],
        ["Decided by", r.decidedBy],
        ...(r.modelVersion ? [["Model", r.modelVersion] as [string, string]] : []),
      ]} />
      {r.reasons.length > 0 && (
        <ul class="reasons">{r.reasons.map((reason) => <li key={reason.source + reason.code}>{reason.message} <span class="muted">(+{reason.points}, {reason.source})</span></li>)}</ul>
      )}
    </Section>
  );
}

export function History({ p }: { p: PaymentDetail }) {
  return (
    <Section id="history" title="History" wide>
      <p class="muted">From the audit log, oldest first.</p>
      <ScrollTable label="History" head={["Version", "Event", "Status", "Request", "When"]}>
        {p.events.nodes.map((e) => (
          <tr key={e.id}>
            <td class="num">{e.version}</td>
            <td class="mono">{e.type}</td>
            <td>{e.fromStatus ? `${humanize(e.fromStatus)} → ` : ""}{humanize(e.toStatus)}</td>
            <td class="mono">{e.requestId ?? "—"}</td>
            <td><When at={e.createdAt} /></td>
          </tr>
        ))}
      </ScrollTable>
    </Section>
  );
}
