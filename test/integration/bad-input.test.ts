// Bad input gets a typed error with a clear message, never a stack trace or SQL, and writes nothing.
import { beforeAll, describe, expect, it } from "vitest";
import { ConfirmPaymentDocument, CreatePaymentDocument, PaymentDocument, PaymentsDocument, RefundDocument } from "../support/generated/graphql.js";
import { TEST_CARDS, card, errorCode, gql, ok, useServer } from "../support/stack.js";

const server = useServer();
let url: string;
let key: string;
beforeAll(() => void ({ url, key } = server));

const noLeak = (body: unknown): void => {
  const text = JSON.stringify(body);
  expect(text).not.toMatch(/at .*\.(js|ts):\d+|stacktrace|SELECT |INSERT |prisma/i);
};

describe("amounts and currencies", () => {
  it.each([
    ["-5.00", "USD", "amount"],
    ["0", "USD", "amount"],
    ["0.00", "USD", "amount"],
    ["10000000000.00", "USD", "amount"],
    ["12.5001", "KWD", "amount"],
    ["1.5", "JPY", "amount"],
    ["1e3", "USD", "amount"],
    ["", "USD", "amount"],
    ["12.00", "ABC", "currency"],
    ["12.00", "XAU", "currency"],
  ])("refuses amount %j in %s as BAD_USER_INPUT naming the field", async (amount, currency, field) => {
    const result = await gql(url, CreatePaymentDocument, { input: { amount, currency } }, { key });
    expect(errorCode(result)).toBe("BAD_USER_INPUT");
    expect(result.errors?.[0]?.extensions?.field).toBe(field);
    expect(result.errors?.[0]?.message.length).toBeGreaterThan(10);
    noLeak(result);
  });

  it("refuses metadata that is not string pairs", async () => {
    const result = await gql(url, CreatePaymentDocument, { input: { amount: "1.00", currency: "USD", metadata: { n: 1 } } }, { key });
    expect(errorCode(result)).toBe("BAD_USER_INPUT");
  });

  it("wrote no payment for any of them", async () => {
    expect(ok(await gql(url, PaymentsDocument, { first: 100 }, { key })).payments.edges).toHaveLength(0);
  });
});

describe("cards", () => {
  it.each([
    ["a Luhn failure", { ...card(TEST_CARDS.approve), number: "4242424242424241" }, "card.number"],
    ["letters", { ...card(TEST_CARDS.approve), number: "4242abcd42424242" }, "card.number"],
    ["an expired card", { ...card(TEST_CARDS.approve), expYear: 2020 }, "card.expMonth"],
    ["month 13", { ...card(TEST_CARDS.approve), expMonth: 13 }, "card.expMonth"],
    ["a bad CVC", { ...card(TEST_CARDS.approve), cvc: "12" }, "card.cvc"],
  ])("refuses %s and leaves the payment untouched", async (_what, badCard, field) => {
    const payment = ok(await gql(url, CreatePaymentDocument, { input: { amount: "1.00", currency: "USD" } }, { key })).createPayment.payment;
    const result = await gql(url, ConfirmPaymentDocument, { input: { paymentId: payment.id, card: badCard } }, { key });
    expect(errorCode(result)).toBe("BAD_USER_INPUT");
    expect(result.errors?.[0]?.extensions?.field).toBe(field);
    expect(JSON.stringify(result)).not.toContain("42424242");
    const after = ok(await gql(url, PaymentDocument, { id: payment.id }, { key })).payment;
    expect(after).toMatchObject({ status: "REQUIRES_PAYMENT_METHOD", version: 1, card: null });
    expect(after.attempts).toHaveLength(0);
  });
});

describe("ids and requests", () => {
  it("answers NOT_FOUND for unknown or malformed ids", async () => {
    for (const id of ["pay_doesnotexist0000000000", "nonsense", "re_x"]) {
      expect(errorCode(await gql(url, PaymentDocument, { id }, { key }))).toBe("NOT_FOUND");
    }
    expect(errorCode(await gql(url, RefundDocument, { id: "re_doesnotexist00000000000" }, { key }))).toBe("NOT_FOUND");
    const confirm = await gql(url, ConfirmPaymentDocument, { input: { paymentId: "pay_doesnotexist0000000000", card: card(TEST_CARDS.approve) } }, { key });
    expect(errorCode(confirm)).toBe("NOT_FOUND");
  });

  it("answers malformed GraphQL with a parse error", async () => {
    const result = await gql(url, "mutation { createPayment(input: { amount: ", undefined, { key });
    expect(errorCode(result)).toBe("GRAPHQL_PARSE_FAILED");
    noLeak(result);
  });

  it("answers unknown fields and wrong types with validation errors", async () => {
    expect(errorCode(await gql(url, "{ payment(id: \"pay_x\") { nope } }", undefined, { key }))).toBe("GRAPHQL_VALIDATION_FAILED");
    const wrongType = await gql(url, CreatePaymentDocument, { input: { amount: 12.5, currency: "USD" } } as never, { key });
    expect(errorCode(wrongType)).toBe("BAD_USER_INPUT");
    noLeak(wrongType);
  });

  it("answers a body that is not JSON with a 400, not a crash", async () => {
    const response = await fetch(`${url}/graphql`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${key}` }, body: "{not json" });
    expect(response.status).toBe(400);
    noLeak(await response.text());
  });

  it("refuses a bad cursor and a page size out of range", async () => {
    expect(errorCode(await gql(url, PaymentsDocument, { after: "garbage" }, { key }))).toBe("BAD_USER_INPUT");
    expect(errorCode(await gql(url, PaymentsDocument, { first: 1000 }, { key }))).toBe("BAD_USER_INPUT");
  });
});

describe("card data in GraphQL's own errors", () => {
  it("never echoes a card number or CVC from a malformed variable", async () => {
    const payment = ok(await gql(url, CreatePaymentDocument, { input: { amount: "1.00", currency: "USD" } }, { key })).createPayment.payment;
    const missingYear = { number: TEST_CARDS.approve, expMonth: 12, cvc: "987" };
    const result = await gql(url, ConfirmPaymentDocument, { input: { paymentId: payment.id, card: missingYear } } as never, { key });
    expect(errorCode(result)).toBe("BAD_USER_INPUT");
    expect(result.errors?.[0]?.message).toContain("expYear");
    // \b: the request id (a UUID, hex) may hold "987" by chance; the CVC would stand alone.
    expect(JSON.stringify(result)).not.toMatch(/4242424242424242|\b987\b/);
  });

  it("never echoes a card number typed inline with the wrong type", async () => {
    const query = `mutation { confirmPayment(input: { paymentId: "pay_x", card: { number: 4242424242424242, expMonth: 12, expYear: 2030 } }) { payment { id } } }`;
    const result = await gql(url, query, undefined, { key });
    expect(errorCode(result)).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(JSON.stringify(result)).not.toContain("4242424242424242");
  });
});
