// A page of payments with their children costs a constant number of SQL queries (DataLoader),
// counted by the server per request (x-sql-queries, development and test only).
import { beforeAll, describe, expect, it } from "vitest";
import { ConfirmPaymentDocument, CreatePaymentDocument, PaymentDocument, PaymentsDocument, RefundPaymentDocument } from "../../client/src/generated/graphql.js";
import { TEST_CARDS, card, eventually, gql, ok, useServer } from "../support/stack.js";

const server = useServer();
let url: string;
let key: string;

beforeAll(async () => {
  ({ url, key } = server);
  const ids = await Promise.all(Array.from({ length: 50 }, async (_, i) => {
    const id = ok(await gql(url, CreatePaymentDocument, { input: { amount: `${i + 1}.00`, currency: "USD" } }, { key })).createPayment.payment.id;
    ok(await gql(url, ConfirmPaymentDocument, { input: { paymentId: id, card: card(TEST_CARDS.approve) } }, { key }));
    return id;
  }));
  for (const id of ids) await eventually(async () => ok(await gql(url, PaymentDocument, { id }, { key })).payment, (p) => p.status === "CAPTURED");
  await Promise.all(ids.map((id) => gql(url, RefundPaymentDocument, { input: { paymentId: id, amount: "0.50" } }, { key })));
  // Let the worker settle every refund first: the counts below must not share the pool with it.
  for (const id of ids) await eventually(async () => ok(await gql(url, PaymentDocument, { id }, { key })).payment, (p) => p.status === "PARTIALLY_REFUNDED");
});

describe("payments page", () => {
  it("loads 50 payments with attempts and refunds in as many queries as 2 payments", async () => {
    const queries = async (first: number) => {
      const result = await gql(url, PaymentsDocument, { first }, { key });
      const page = ok(result).payments.edges;
      expect(page).toHaveLength(first);
      expect(page.every((e) => e.node.attempts.nodes.length === 1 && e.node.refunds.nodes.length === 1)).toBe(true);
      return Number(result.headers.get("x-sql-queries"));
    };
    await queries(1); // warms the key cache, so both counts below are made alike
    const small = await queries(2);
    const large = await queries(50);
    expect({ small, large }).toEqual({ small: large, large });
    expect(large).toBeLessThanOrEqual(3); // page, attempts, refunds
  });

  it("pages through every payment once, newest first, with stable cursors", async () => {
    const seen: string[] = [];
    let after: string | null | undefined;
    for (;;) {
      const page = ok(await gql(url, PaymentsDocument, { first: 15, after }, { key })).payments;
      seen.push(...page.edges.map((e) => e.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(50);
    expect(new Set(seen).size).toBe(50);
  });

  it("filters by status and currency", async () => {
    const refunded = ok(await gql(url, PaymentsDocument, { first: 100, filter: { status: "PARTIALLY_REFUNDED" } }, { key })).payments.edges;
    expect(refunded.length).toBeGreaterThan(0);
    expect(refunded.every((e) => e.node.status === "PARTIALLY_REFUNDED")).toBe(true);
    expect(ok(await gql(url, PaymentsDocument, { first: 100, filter: { currency: "EUR" } }, { key })).payments.edges).toHaveLength(0);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect(ok(await gql(url, PaymentsDocument, { first: 100, filter: { createdAfter: future } }, { key })).payments.edges).toHaveLength(0);
  });
});
