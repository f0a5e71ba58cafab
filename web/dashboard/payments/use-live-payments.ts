// The payments list, live: the first page by query, then every change pushed by `paymentUpdated`
// (merchant-wide) merged in by version; a new payment that fits the filter appears at the top, a
// known one changes in place. After the socket drops and comes back, the gap is filled from the
// cursor of the newest row read: the payments made meanwhile (`last`/`before` that cursor) and the
// rows on screen re-read (their status may have moved), while the re-sent subscription goes on.
import { useLayoutEffect, useRef, useState } from "preact/hooks";
import { DashboardPaymentRowsDocument, DashboardPaymentsDocument, DashboardPaymentsLiveDocument } from "@paygraph/client";
import { describeError } from "../api/errors.js";
import { api } from "../api/session.js";
import type { PaymentRow } from "../api/types.js";
import { apiFilter, matches, type Filter } from "./filter.js";
import { mergeRows } from "./merge.js";

export const PAGE_SIZE = 50;
const GAP_PAGES = 5;
/** After a connection, when the subscription is surely in place on the server. */
const SETTLE_MS = 1500;

export interface LiveList {
  rows: PaymentRow[];
  loading: boolean;
  error: string;
  hasMore: boolean;
  /** Payments that arrived live since the list was loaded (highlighted, announced). */
  fresh: ReadonlySet<string>;
  loadMore(): Promise<void>;
}

export function useLivePayments(filter: Filter, filterKey: string): LiveList {
  const [rows, setRows] = useState<PaymentRow[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState("");
  const [hasMore, setHasMore] = useState(false);
  const [fresh, setFresh] = useState<ReadonlySet<string>>(new Set());
  // Cursors of the newest and oldest rows read by query (a pushed row has none).
  const cursors = useRef<{ top: string | null; end: string | null }>({ top: null, end: null });
  const rowsNow = useRef<PaymentRow[]>([]);
  rowsNow.current = rows;

  // A layout effect: the first read starts as the view mounts, not a frame later (after paint).
  useLayoutEffect(() => {
    let alive = true;
    const variables = { filter: apiFilter(filter) };
    const apply = (incoming: PaymentRow[], admit?: (row: PaymentRow) => boolean): void => {
      if (alive) setRows((current) => mergeRows(current, incoming, admit));
    };
    setRows([]);
    setFresh(new Set());
    setLoading(true);
    setError("");
    cursors.current = { top: null, end: null };

    const firstPage = async (): Promise<void> => {
      const { payments } = await api.query(DashboardPaymentsDocument, { ...variables, first: PAGE_SIZE });
      if (!alive) return;
      cursors.current = { top: payments.edges[0]?.cursor ?? null, end: payments.pageInfo.endCursor };
      setHasMore(payments.pageInfo.hasNextPage);
      apply(payments.edges.map((e) => e.node));
    };

    const fillGap = async (): Promise<void> => {
      if (!cursors.current.top) return firstPage();
      const found: PaymentRow[] = [];
      let before = cursors.current.top;
      for (let i = 0; i < GAP_PAGES; i++) {
        const { payments } = await api.query(DashboardPaymentsDocument, { ...variables, last: 100, before });
        found.push(...payments.edges.map((e) => e.node));
        before = payments.edges[0]?.cursor ?? before;
        if (!payments.pageInfo.hasPreviousPage) break;
      }
      if (!alive) return;
      cursors.current.top = before;
      const known = new Set(found.map((r) => r.id));
      const ids = rowsNow.current.map((r) => r.id).filter((id) => !known.has(id)).slice(0, 100);
      if (ids.length) {
        const { nodes } = await api.query(DashboardPaymentRowsDocument, { ids });
        found.push(...nodes.filter((n): n is PaymentRow => n !== null && "id" in n));
      }
      apply(found);
    };

    firstPage().catch((err: unknown) => alive && setError(describeError(err))).finally(() => alive && setLoading(false));
    const stopLive = api.subscribe(DashboardPaymentsLiveDocument, {}, {
      next: ({ paymentUpdated: row }) => {
        const isNew = !rowsNow.current.some((r) => r.id === row.id) && matches(row, filter);
        apply([row], (r) => matches(r, filter));
        if (isNew && alive) setFresh((set) => new Set(set).add(row.id));
      },
      error: (err) => alive && setError(describeError(err)),
    });
    const fill = (): void => void fillGap().catch((err: unknown) => alive && setError(describeError(err)));
    // The subscription is sent once the socket is connected, and the server follows the merchant's
    // payments only once it has taken it in: a payment made in between would be missed (graphql-ws
    // says nothing when a subscription is in place). So a second fill shortly after every
    // connection, the first one included; after a reconnect, one at once too.
    let settle: ReturnType<typeof setTimeout> | undefined;
    const stopGap = api.onConnected((reconnected) => {
      if (reconnected) fill();
      clearTimeout(settle);
      settle = setTimeout(fill, SETTLE_MS);
    });
    return () => {
      alive = false;
      clearTimeout(settle);
      stopLive();
      stopGap();
    };
  }, [filterKey]);

  const loadMore = async (): Promise<void> => {
    if (!cursors.current.end) return;
    setLoading(true);
    try {
      const { payments } = await api.query(DashboardPaymentsDocument, { filter: apiFilter(filter), first: PAGE_SIZE, after: cursors.current.end });
      cursors.current.end = payments.pageInfo.endCursor ?? cursors.current.end;
      setHasMore(payments.pageInfo.hasNextPage);
      setRows((current) => mergeRows(current, payments.edges.map((e) => e.node)));
    } catch (err) {
      setError(describeError(err));
    } finally {
      setLoading(false);
    }
  };

  return { rows, loading, error, hasMore, fresh, loadMore };
}
