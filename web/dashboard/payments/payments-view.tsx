// /dashboard/payments: the live list with its filters, search by id, and CSV export.
import { useState } from "preact/hooks";
import { describeError } from "../api/errors.js";
import { LiveIndicator } from "../ui/live.js";
import { PageHeading } from "../ui/page.js";
import { EXPORT_CAP, exportPayments } from "./export.js";
import { isFiltered, queryFromFilter, type Filter } from "./filter.js";
import { Filters } from "./filters.js";
import { PaymentsTable } from "./table.js";
import { useLivePayments } from "./use-live-payments.js";

export function PaymentsView({ filter }: { filter: Filter }) {
  const list = useLivePayments(filter, queryFromFilter(filter));
  const [exporting, setExporting] = useState("");
  const newest = [...list.fresh].at(-1);

  const exportCsv = async (): Promise<void> => {
    setExporting("Exporting…");
    try {
      const { count, capped } = await exportPayments(filter, (n) => setExporting(`Exporting… ${n} payments read`));
      setExporting(`Exported ${count} payments${capped ? ` (the first ${EXPORT_CAP}; narrow the filter for the rest)` : ""}.`);
    } catch (err) {
      setExporting(`Export failed: ${describeError(err)}`);
    }
  };

  return (
    <main id="main" class="payments-view">
      <div class="title-row">
        <PageHeading title="Payments" />
        <LiveIndicator />
      </div>
      <Filters filter={filter} />
      <div class="list-tools">
        <p class="count" aria-live="polite">
          {list.loading && !list.rows.length ? "Loading payments…" : `${list.rows.length}${list.hasMore ? "+" : ""} payments${isFiltered(filter) ? " match" : ""}`}
        </p>
        <button type="button" onClick={exportCsv} disabled={exporting.startsWith("Exporting")}>Export CSV</button>
      </div>
      <p class="status-line" role="status">{exporting}</p>
      <p class="alert" role="alert">{list.error}</p>
      {/* Announced once per new payment, politely; the row itself is highlighted. */}
      <p class="visually-hidden" aria-live="polite">{newest ? `New payment ${newest}` : ""}</p>
      {list.rows.length > 0 && <PaymentsTable rows={list.rows} fresh={list.fresh} />}
      {!list.loading && !list.rows.length && !list.error && (
        <p class="empty">{isFiltered(filter) ? "No payment matches these filters." : "No payments yet. They appear here as they are made."}</p>
      )}
      {list.hasMore && (
        <button type="button" class="more" onClick={() => void list.loadMore()} disabled={list.loading}>Show older payments</button>
      )}
    </main>
  );
}
