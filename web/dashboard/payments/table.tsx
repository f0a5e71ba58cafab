// The payments table. Explicit ARIA table roles: below 40rem the CSS lays rows out as cards,
// and a table whose display is changed keeps its semantics only through these roles.
import type { PaymentRow } from "../api/types.js";
import { formatDateTime, formatMoney } from "../ui/format.js";
import { Link } from "../ui/link.js";
import { BASE } from "../ui/router.js";
import { StatusBadge } from "../ui/status.js";

export function PaymentsTable({ rows, fresh }: { rows: PaymentRow[]; fresh: ReadonlySet<string> }) {
  return (
    <table class="payments" role="table" aria-label="Payments, newest first">
      <thead role="rowgroup">
        <tr role="row">
          <th role="columnheader" scope="col">Payment</th>
          <th role="columnheader" scope="col">Status</th>
          <th role="columnheader" scope="col" class="num">Amount</th>
          <th role="columnheader" scope="col">Gateway</th>
          <th role="columnheader" scope="col">Card</th>
          <th role="columnheader" scope="col">Created</th>
        </tr>
      </thead>
      <tbody role="rowgroup">
        {rows.map((p) => (
          <tr role="row" key={p.id} data-id={p.id} class={fresh.has(p.id) ? "fresh" : undefined}>
            <td role="cell" class="id">
              <Link href={`${BASE}/payments/${p.id}`}>{p.id}</Link>
              {p.description && <span class="description">{p.description}</span>}
            </td>
            <td role="cell" data-label="Status"><StatusBadge status={p.status} /></td>
            <td role="cell" data-label="Amount" class="num">{formatMoney(p.amount)}</td>
            <td role="cell" data-label="Gateway">{p.attempts.nodes[0]?.gateway ?? "—"}</td>
            <td role="cell" data-label="Card">{p.card ? `${p.card.brand} •••• ${p.card.last4}` : "—"}</td>
            <td role="cell" data-label="Created"><time dateTime={p.createdAt}>{formatDateTime(p.createdAt)}</time></td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
