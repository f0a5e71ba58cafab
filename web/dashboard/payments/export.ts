// "Export CSV": every payment the filter matches (not only the rows loaded), read 100 at a time
// with `after`, up to EXPORT_CAP rows, built here and saved as a file (a Blob; nothing is sent
// anywhere but paygraph).
import { DashboardPaymentsDocument, type DashboardPaymentsQuery } from "@paygraph/client";
import { api } from "../api/session.js";
import type { PaymentRow } from "../api/types.js";
import { paymentsCsv } from "./csv.js";
import { apiFilter, type Filter } from "./filter.js";

export const EXPORT_CAP = 10_000;

/** Reads every page; `progress` is told the count so far. Returns the rows and whether the cap cut it. */
export async function exportPayments(filter: Filter, progress: (count: number) => void): Promise<{ count: number; capped: boolean }> {
  const rows: PaymentRow[] = [];
  let after: string | null = null;
  let more = true;
  while (more && rows.length < EXPORT_CAP) {
    const page: DashboardPaymentsQuery = await api.query(DashboardPaymentsDocument, { filter: apiFilter(filter), first: 100, ...(after ? { after } : {}) });
    rows.push(...page.payments.edges.map((e) => e.node));
    after = page.payments.pageInfo.endCursor;
    more = page.payments.pageInfo.hasNextPage && after !== null;
    progress(rows.length);
  }
  const kept = rows.slice(0, EXPORT_CAP);
  download(paymentsCsv(kept), `payments-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, "-")}.csv`);
  return { count: kept.length, capped: more || rows.length > EXPORT_CAP };
}

function download(text: string, name: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  // Released once the download has surely read it.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
