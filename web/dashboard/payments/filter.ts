// The list's filter, as the URL holds it (so a filtered list can be shared) and as the API takes it.
// Pure (no DOM): unit-tested in test/unit/dashboard-list.test.ts.
import type { PaymentRow, PaymentStatus } from "../api/types.js";
import { PAYMENT_STATUSES } from "../api/types.js";

export interface Filter {
  status?: PaymentStatus;
  currency?: string;
  gateway?: string;
  /** Dates (YYYY-MM-DD) in the browser's time zone, both inclusive. */
  from?: string;
  to?: string;
  /** A payment id to find. */
  id?: string;
}

const PARAMS = ["status", "currency", "gateway", "from", "to", "id"] as const;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function filterFromQuery(query: URLSearchParams): Filter {
  const filter: Filter = {};
  const status = query.get("status");
  if (status && (PAYMENT_STATUSES as readonly string[]).includes(status)) filter.status = status as PaymentStatus;
  const currency = query.get("currency")?.trim().toUpperCase();
  if (currency && /^[A-Z]{3}$/.test(currency)) filter.currency = currency;
  const gateway = query.get("gateway")?.trim();
  if (gateway) filter.gateway = gateway;
  for (const key of ["from", "to"] as const) {
    const value = query.get(key);
    if (value && DATE.test(value)) filter[key] = value;
  }
  const id = query.get("id")?.trim();
  if (id) filter.id = id;
  return filter;
}

export function queryFromFilter(filter: Filter): string {
  const query = new URLSearchParams();
  for (const key of PARAMS) if (filter[key]) query.set(key, filter[key]!);
  const text = query.toString();
  return text ? `?${text}` : "";
}

/** Local midnight of a YYYY-MM-DD date, `days` later, as an ISO instant. */
function localMidnight(date: string, days = 0): string {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  return new Date(y, m - 1, d + days).toISOString();
}

/** The API's PaymentFilterInput: only the fields set (`to` is inclusive here, exclusive there). */
export function apiFilter(filter: Filter): Record<string, unknown> {
  return {
    ...(filter.status ? { status: filter.status } : {}),
    ...(filter.currency ? { currency: filter.currency } : {}),
    ...(filter.gateway ? { gateway: filter.gateway } : {}),
    ...(filter.from ? { createdAfter: localMidnight(filter.from) } : {}),
    ...(filter.to ? { createdBefore: localMidnight(filter.to, 1) } : {}),
    ...(filter.id ? { ids: [filter.id] } : {}),
  };
}

/**
 * Whether a payment pushed live belongs in the filtered list. The gateway test sees the latest
 * attempt only (the server's filter: any attempt), close enough for a row arriving live.
 */
export function matches(row: PaymentRow, filter: Filter): boolean {
  const api = apiFilter(filter);
  if (filter.status && row.status !== filter.status) return false;
  if (filter.currency && row.amount.currency !== filter.currency) return false;
  if (filter.gateway && row.attempts.nodes[0]?.gateway !== filter.gateway) return false;
  if (filter.id && row.id !== filter.id) return false;
  const at = Date.parse(row.createdAt);
  if (api.createdAfter && at < Date.parse(api.createdAfter as string)) return false;
  if (api.createdBefore && at >= Date.parse(api.createdBefore as string)) return false;
  return true;
}

export const isFiltered = (filter: Filter): boolean => PARAMS.some((key) => filter[key]);
