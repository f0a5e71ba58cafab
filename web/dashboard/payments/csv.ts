// CSV for a spreadsheet: RFC 4180 quoting (a field with a quote, comma or line break is quoted,
// its quotes doubled) and formula neutralising: a field starting with = + - @ (or a tab or CR,
// which some programs skip before reading a formula) gets a leading apostrophe, so a description
// like "=HYPERLINK(…)" is shown as text, never run (OWASP "CSV injection"). Pure: unit-tested.
import type { PaymentRow } from "../api/types.js";

export function csvField(value: string | number | null | undefined): string {
  let text = value === null || value === undefined ? "" : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const csvLine = (fields: readonly (string | number | null | undefined)[]): string => fields.map(csvField).join(",");

export const PAYMENT_CSV_HEADER = ["id", "created_at", "status", "amount", "currency", "captured", "refunded", "gateway", "card_brand", "card_last4", "description"];

export const paymentCsvLine = (p: PaymentRow): string => csvLine([
  p.id, p.createdAt, p.status, p.amount.amount, p.amount.currency, p.amountCaptured.amount, p.amountRefunded.amount,
  p.attempts.nodes[0]?.gateway, p.card?.brand, p.card?.last4, p.description,
]);

/** The whole file: a header line, one line per payment, CRLF line ends (RFC 4180). */
export const paymentsCsv = (rows: readonly PaymentRow[]): string =>
  [csvLine(PAYMENT_CSV_HEADER), ...rows.map(paymentCsvLine)].join("\r\n") + "\r\n";
