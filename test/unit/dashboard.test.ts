// The dashboard's pure parts (web/dashboard): its GraphQL documents against the schema and the
// server's own query limits (cost, depth, aliases, tokens), the live list's merge by version,
// the filter's URL and API forms, and the CSV export's escaping.
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { Kind, buildSchema, parse, print, specifiedRules, validate, type DefinitionNode, type FragmentDefinitionNode } from "graphql";
import { describe, expect, it } from "vitest";
import type { PaymentRow } from "../../web/dashboard/api/types.js";
import { csvField, paymentsCsv } from "../../web/dashboard/payments/csv.js";
import { apiFilter, filterFromQuery, matches, queryFromFilter } from "../../web/dashboard/payments/filter.js";
import { mergeRows } from "../../web/dashboard/payments/merge.js";
import { fromMinor, refundable, toMinor } from "../../web/dashboard/payment/amounts.js";
import { loadConfig } from "../../src/config.js";
import { queryLimitRules } from "../../src/server/query-limits.js";

const schema = buildSchema(readFileSync(path.resolve(import.meta.dirname, "../../schema/schema.graphql"), "utf8"));

describe("the dashboard's documents", () => {
  it("are valid against schema/schema.graphql and within the server's query limits, one operation at a time", () => {
    const limits = loadConfig({}, {}).graphqlLimits;
    const rules = [...specifiedRules, ...queryLimitRules(limits, true)];
    // Every dashboard operation file, with the fragments any of them defines: each operation is
    // sent as the client sends it (the operation and the fragments it uses).
    const dir = path.resolve(import.meta.dirname, "../../schema/operations");
    const definitions: DefinitionNode[] = readdirSync(dir).filter((f) => /^dashboard.*\.graphql$/.test(f))
      .flatMap((f) => parse(readFileSync(path.join(dir, f), "utf8")).definitions);
    const fragments = definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION);
    const operations = definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
    expect(operations.length).toBeGreaterThan(10);
    for (const operation of operations) {
      const text = JSON.stringify(operation);
      const used = fragments.filter((f) => text.includes(`"value":"${f.name.value}"`));
      const sent = parse(print({ kind: Kind.DOCUMENT, definitions: [operation, ...used] }), { maxTokens: limits.maxTokens });
      const errors = validate(schema, sent, rules).map((e) => e.message);
      expect(errors, operation.kind === Kind.OPERATION_DEFINITION ? operation.name?.value : "").toEqual([]);
    }
  });
});

const row = (id: string, createdAt: string, version = 1, status: PaymentRow["status"] = "PROCESSING"): PaymentRow => ({
  id, status, version, createdAt, description: null, amount: { amount: "1.00", currency: "EUR" },
  amountCaptured: { amount: "0.00" }, amountRefunded: { amount: "0.00" }, card: null, attempts: { nodes: [{ gateway: "sandbox" }] },
});

describe("the live list's merge", () => {
  const a = row("pay_a", "2026-01-01T10:00:00.000Z");
  const b = row("pay_b", "2026-01-01T11:00:00.000Z");
  it("puts a new payment in order (newest first) and keeps the higher version of a known one", () => {
    const rows = mergeRows([a], [b]);
    expect(rows.map((r) => r.id)).toEqual(["pay_b", "pay_a"]);
    const captured = { ...a, version: 3, status: "CAPTURED" as const };
    const after = mergeRows(rows, [captured, { ...a, version: 2 }]);
    expect(after.map((r) => [r.id, r.version, r.status])).toEqual([["pay_b", 1, "PROCESSING"], ["pay_a", 3, "CAPTURED"]]);
    // An older version arriving late changes nothing (the same array back: no re-render).
    expect(mergeRows(after, [{ ...a, version: 2 }])).toBe(after);
  });
  it("admits an unknown payment only when the filter does", () => {
    expect(mergeRows([a], [b], () => false)).toEqual([a]);
  });
});

describe("the list's filter", () => {
  it("round-trips through the URL, dropping what is not valid", () => {
    const filter = filterFromQuery(new URLSearchParams("status=CAPTURED&currency=eur&gateway=gw-a&from=2026-01-01&to=2026-01-31&id=pay_x&bogus=1"));
    expect(filter).toEqual({ status: "CAPTURED", currency: "EUR", gateway: "gw-a", from: "2026-01-01", to: "2026-01-31", id: "pay_x" });
    expect(filterFromQuery(new URLSearchParams(queryFromFilter(filter)))).toEqual(filter);
    expect(filterFromQuery(new URLSearchParams("status=NOPE&currency=EURO&from=yesterday"))).toEqual({});
  });
  it("becomes the API's filter: `to` inclusive here, createdBefore exclusive there", () => {
    const f = apiFilter({ from: "2026-01-01", to: "2026-01-31", id: "pay_x" });
    expect(Date.parse(f.createdBefore as string) - Date.parse(f.createdAfter as string)).toBe(31 * 86_400_000);
    expect(f.ids).toEqual(["pay_x"]);
    expect(apiFilter({})).toEqual({});
  });
  it("decides whether a pushed payment belongs in the filtered list", () => {
    const p = row("pay_a", "2026-01-15T10:00:00.000Z", 1, "CAPTURED");
    expect(matches(p, { status: "CAPTURED", currency: "EUR", gateway: "sandbox" })).toBe(true);
    expect(matches(p, { status: "FAILED" })).toBe(false);
    expect(matches(p, { gateway: "gw-b" })).toBe(false);
    expect(matches(p, { from: "2026-02-01" })).toBe(false);
  });
});

describe("the CSV export", () => {
  it("quotes commas, quotes and line breaks, and neutralises formulas", () => {
    expect(csvField("plain")).toBe("plain");
    expect(csvField('a "b", c')).toBe('"a ""b"", c"');
    expect(csvField("two\nlines")).toBe('"two\nlines"');
    for (const formula of ["=1+1", "+1", "-1", "@SUM(A1)", "\tx"]) expect(csvField(formula)).toBe(`'${formula}`);
    expect(csvField('=HYPERLINK("x"),1')).toBe(`"'=HYPERLINK(""x""),1"`);
    expect(csvField(null)).toBe("");
  });
  it("writes a header and one CRLF line per payment", () => {
    const csv = paymentsCsv([{ ...row("pay_a", "2026-01-01T10:00:00.000Z"), description: "Order, 42" }]);
    expect(csv).toBe("id,created_at,status,amount,currency,captured,refunded,gateway,card_brand,card_last4,description\r\n"
      + 'pay_a,2026-01-01T10:00:00.000Z,PROCESSING,1.00,EUR,0.00,0.00,sandbox,,,"Order, 42"\r\n');
  });
});

describe("refund amounts", () => {
  it("are integers of minor units, never floats", () => {
    expect(toMinor("12.50", 2)).toBe(1250n);
    expect(fromMinor(5n, 3)).toBe("0.005");
    expect(fromMinor(1000n, 0)).toBe("1000");
    expect(refundable({ amountCaptured: { amount: "0.30" }, amountRefunded: { amount: "0.10" }, amountRefundPending: { amount: "0.10" } })).toBe("0.10");
  });
});
