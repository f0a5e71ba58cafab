// Customers and saved cards through the real server: CRUD and pagination, paying with a saved card
// end to end (a sandbox's ledger is the witness of which card was charged), the saved-card rules
// (customer match, single use when unattached, detach is final) and tenant isolation.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AttachPaymentMethodDocument, ConfirmPaymentDocument, CreateCustomerDocument, CreateGatewayAccountDocument, CreatePaymentDocument,
  CreatePaymentMethodDocument, CustomerDocument, CustomerNodeDocument, CustomersDocument, DeleteCustomerDocument, DetachPaymentMethodDocument,
  PaymentCustomerDocument, PaymentDocument, UpdateCustomerDocument,
} from "../../client/src/generated/graphql.js";
import { TEST_CARDS, card, createStack, errorCode, eventually, gql, ledger, ok, type GqlResult, type Stack } from "../support/stack.js";

let stack: Stack;
let url: string;
let sandbox: string;
let key: string; // merchant A
let other: string; // merchant B
let db: pg.Client;

beforeAll(async () => {
  stack = await createStack();
  sandbox = (await stack.start(["sandbox", "--port", "0", "--name", "acquirer"])).url;
  url = (await stack.start(["start", "--role", "all", "--port", "0"])).url;
  key = (await stack.merchant("A")).secretKey;
  other = (await stack.merchant("B")).secretKey;
  for (const k of [key, other]) {
    ok(await gql(url, CreateGatewayAccountDocument, { input: { name: "acquirer", kind: "SANDBOX", config: { url: sandbox }, priority: 1 } }, { key: k }));
  }
  db = new pg.Client({ connectionString: stack.databaseUrl });
  await db.connect();
});
afterAll(async () => {
  await db?.end();
  await stack?.close();
});

const field = (r: GqlResult<unknown>) => ({ code: errorCode(r), field: r.errors?.[0]?.extensions?.field, reason: r.errors?.[0]?.extensions?.reason });
const newCustomer = async (input: { email?: string; name?: string } = {}, k = key) => ok(await gql(url, CreateCustomerDocument, { input }, { key: k })).createCustomer.customer;
const saveCard = async (customerId: string | null, number: string = TEST_CARDS.approve, k = key) =>
  ok(await gql(url, CreatePaymentMethodDocument, { input: { card: card(number), customerId } }, { key: k })).createPaymentMethod.paymentMethod;
const newPayment = async (customerId: string | null, amount = "10.00", k = key) =>
  ok(await gql(url, CreatePaymentDocument, { input: { amount, currency: "USD", customerId } }, { key: k })).createPayment.payment;
const read = async (id: string, k = key) => ok(await gql(url, PaymentDocument, { id }, { key: k })).payment;
const settled = (id: string) => eventually(() => read(id), (p) => p.status !== "PROCESSING");
const audit = async (entityId: string) => (await db.query<{ action: string; actor: string; after: unknown }>(
  "SELECT action, actor, after FROM audit_record WHERE entity_id = $1 ORDER BY created_at, id", [entityId])).rows;

describe("customers", () => {
  it("creates, reads, updates and soft-deletes, auditing each change", async () => {
    const created = await newCustomer({ email: "ada@example.com", name: "Ada" });
    expect(created).toMatchObject({ email: "ada@example.com", name: "Ada", description: null, metadata: {} });
    expect(created.id).toMatch(/^cus_/);

    const updated = ok(await gql(url, UpdateCustomerDocument, { input: { id: created.id, name: null, description: "VIP", metadata: { tier: "gold" } } }, { key })).updateCustomer.customer;
    expect(updated).toMatchObject({ email: "ada@example.com", name: null, description: "VIP", metadata: { tier: "gold" } });

    const node = ok(await gql(url, CustomerNodeDocument, { id: created.id }, { key })).node;
    expect(node).toMatchObject({ __typename: "Customer", id: created.id, email: "ada@example.com" });

    const pm = await saveCard(created.id);
    const deleted = ok(await gql(url, DeleteCustomerDocument, { input: { id: created.id } }, { key })).deleteCustomer;
    expect(deleted).toEqual({ deletedCustomerId: created.id, detachedPaymentMethodIds: [pm.id] });
    expect(errorCode(await gql(url, CustomerDocument, { id: created.id }, { key }))).toBe("NOT_FOUND");
    expect(errorCode(await gql(url, DeleteCustomerDocument, { input: { id: created.id } }, { key }))).toBe("NOT_FOUND");
    expect(errorCode(await gql(url, UpdateCustomerDocument, { input: { id: created.id, name: "x" } }, { key }))).toBe("NOT_FOUND");

    const actions = (await audit(created.id)).map((a) => a.action);
    expect(actions).toEqual(["customer.created", "customer.updated", "customer.deleted"]);
    expect((await audit(pm.id)).map((a) => a.action)).toEqual(["payment_method.created", "payment_method.attached", "payment_method.detached"]);
    const all = JSON.stringify(await audit(pm.id));
    expect(all).not.toContain(TEST_CARDS.approve);
    expect((await audit(created.id))[0]!.actor).toMatch(/^key:key_/);
  });

  it("refuses bad fields with BAD_USER_INPUT naming the field, writing nothing", async () => {
    const before = Number((await db.query("SELECT count(*) FROM customer")).rows[0].count);
    expect(field(await gql(url, CreateCustomerDocument, { input: { email: "not-an-email" } }, { key }))).toMatchObject({ code: "BAD_USER_INPUT", field: "email" });
    expect(field(await gql(url, CreateCustomerDocument, { input: { name: "x".repeat(300) } }, { key }))).toMatchObject({ code: "BAD_USER_INPUT", field: "name" });
    expect(field(await gql(url, CreateCustomerDocument, { input: { metadata: { n: 1 } } }, { key }))).toMatchObject({ code: "BAD_USER_INPUT", field: "metadata" });
    expect(Number((await db.query("SELECT count(*) FROM customer")).rows[0].count)).toBe(before);
  });

  it("pages newest first with stable cursors, filters by email, and loads cards in one batch", async () => {
    const mine = [];
    for (let i = 0; i < 5; i++) mine.push(await newCustomer({ email: `page${i}@example.com` }));
    await saveCard(mine[0]!.id);
    await saveCard(mine[4]!.id, TEST_CARDS.softDecline);
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: Awaited<ReturnType<typeof listPage>> = await listPage(after);
      seen.push(...page.edges.map((e) => e.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(new Set(seen).size).toBe(seen.length);
    const order = mine.map((c) => c.id).reverse();
    expect(seen.filter((id) => order.includes(id))).toEqual(order);

    const byEmail = ok(await gql(url, CustomersDocument, { filter: { email: "PAGE3@example.com" } }, { key })).customers.edges;
    expect(byEmail.map((e) => e.node.id)).toEqual([mine[3]!.id]);
    expect(field(await gql(url, CustomersDocument, { after: "garbage" }, { key }))).toMatchObject({ code: "BAD_USER_INPUT", field: "after" });

    // The cards of a whole page come from one batched query, whatever the page size.
    const count = async (first: number) => {
      const result = await gql(url, CustomersDocument, { first }, { key });
      ok(result);
      return { result: ok(result), queries: Number(result.headers.get("x-sql-queries")) };
    };
    await count(1);
    const small = await count(2);
    const large = await count(5);
    expect(large.queries).toBe(small.queries);
    const cards = Object.fromEntries(large.result.customers.edges.map((e) => [e.node.id, e.node.paymentMethods.nodes.map((m) => m.card.last4)]));
    expect(cards[mine[4]!.id]).toEqual(["9995"]);
    expect(cards[mine[0]!.id] ?? ["4242"]).toEqual(["4242"]);
  });
});

async function listPage(after: string | null) {
  return ok(await gql(url, CustomersDocument, { first: 2, after }, { key })).customers;
}

describe("paying with a saved card", () => {
  it("captures with the customer's saved card, again and again, and the sandbox charged that card", async () => {
    const customer = await newCustomer({ email: "saved@example.com" });
    const good = await saveCard(customer.id, TEST_CARDS.approve);
    const declining = await saveCard(customer.id, TEST_CARDS.hardDecline);
    expect(good).toMatchObject({ card: { brand: "visa", last4: "4242" }, customer: { id: customer.id } });
    const listed = ok(await gql(url, CustomerDocument, { id: customer.id }, { key })).customer.paymentMethods.nodes.map((m) => m.id);
    expect(listed).toEqual([good.id, declining.id]);

    const attemptsCharged: string[] = [];
    for (const amount of ["11.00", "12.00"]) {
      const payment = await newPayment(customer.id, amount);
      const confirmed = ok(await gql(url, ConfirmPaymentDocument, { input: { paymentId: payment.id, paymentMethodId: good.id } }, { key })).confirmPayment.payment;
      expect(confirmed.card).toMatchObject({ last4: "4242" });
      const done = await settled(payment.id);
      expect(done).toMatchObject({ status: "CAPTURED", amountCaptured: { amount } });
      attemptsCharged.push(done.attempts.nodes[0]!.id);
      expect(ok(await gql(url, PaymentCustomerDocument, { id: payment.id }, { key })).payment.customer).toMatchObject({ id: customer.id, email: "saved@example.com" });
    }
    const declined = await newPayment(customer.id, "13.00");
    ok(await gql(url, ConfirmPaymentDocument, { input: { paymentId: declined.id, paymentMethodId: declining.id } }, { key }));
    const afterDecline = await settled(declined.id);
    expect(afterDecline.lastPaymentError).toMatchObject({ declineCode: "generic_decline" });

    const charges = await ledger(sandbox);
    const byKey = new Map(charges.map((c) => [c.idempotencyKey, c]));
    for (const [i, attempt] of attemptsCharged.entries()) expect(byKey.get(attempt)).toMatchObject({ status: "captured", amount: String(1100 + i * 100) });
    // The declining card was the one sent for the third payment: the issuer declined it.
    expect(byKey.get(afterDecline.attempts.nodes[0]!.id)?.status).toBe("declined");
  });

  it("saves the card of a confirmation with savePaymentMethod, then pays with it", async () => {
    const customer = await newCustomer();
    const first = await newPayment(customer.id);
    ok(await gql(url, ConfirmPaymentDocument, { input: { paymentId: first.id, card: card(TEST_CARDS.approve), savePaymentMethod: true } }, { key }));
    expect((await settled(first.id)).status).toBe("CAPTURED");
    const saved = ok(await gql(url, CustomerDocument, { id: customer.id }, { key })).customer.paymentMethods.nodes;
    expect(saved).toHaveLength(1);
    const second = await newPayment(customer.id);
    ok(await gql(url, ConfirmPaymentDocument, { input: { paymentId: second.id, paymentMethodId: saved[0]!.id } }, { key }));
    expect((await settled(second.id)).status).toBe("CAPTURED");

    const anonymous = await newPayment(null);
    expect(field(await gql(url, ConfirmPaymentDocument, { input: { paymentId: anonymous.id, card: card(TEST_CARDS.approve), savePaymentMethod: true } }, { key })))
      .toMatchObject({ code: "BAD_USER_INPUT", field: "savePaymentMethod" });
  });

  it("refuses another customer's card, an inline card's reuse, and a second use of an unattached one, charging nothing", async () => {
    const alice = await newCustomer();
    const bob = await newCustomer();
    const alicesCard = await saveCard(alice.id);
    const bobsPayment = await newPayment(bob.id);
    const anonymous = await newPayment(null);
    for (const paymentId of [bobsPayment.id, anonymous.id]) {
      expect(field(await gql(url, ConfirmPaymentDocument, { input: { paymentId, paymentMethodId: alicesCard.id } }, { key })))
        .toEqual({ code: "BAD_USER_INPUT", field: "paymentMethodId", reason: "customer_mismatch" });
      expect(await read(paymentId)).toMatchObject({ status: "REQUIRES_PAYMENT_METHOD", attempts: { nodes: [] }, card: null });
    }

    // A card given inline paid its payment and is not reusable.
    const inline = await newPayment(null);
    ok(await gql(url, ConfirmPaymentDocument, { input: { paymentId: inline.id, card: card(TEST_CARDS.approve) } }, { key }));
    const inlineMethod = (await db.query<{ payment_method_id: string }>("SELECT payment_method_id FROM payment WHERE id = $1", [inline.id])).rows[0]!.payment_method_id;
    expect(field(await gql(url, ConfirmPaymentDocument, { input: { paymentId: anonymous.id, paymentMethodId: inlineMethod } }, { key })))
      .toMatchObject({ code: "BAD_USER_INPUT", reason: "not_reusable" });

    // Unattached: one payment, then spent.
    const once = await saveCard(null);
    expect(once.customer).toBeNull();
    ok(await gql(url, ConfirmPaymentDocument, { input: { paymentId: anonymous.id, paymentMethodId: once.id } }, { key }));
    const again = await newPayment(null);
    expect(field(await gql(url, ConfirmPaymentDocument, { input: { paymentId: again.id, paymentMethodId: once.id } }, { key })))
      .toMatchObject({ code: "BAD_USER_INPUT", reason: "spent" });
    expect(field(await gql(url, AttachPaymentMethodDocument, { input: { paymentMethodId: once.id, customerId: alice.id } }, { key })))
      .toMatchObject({ code: "CONFLICT", reason: "spent" });
  });

  it("asks for exactly one of card, token, paymentMethodId", async () => {
    const payment = await newPayment(null);
    expect(field(await gql(url, ConfirmPaymentDocument, { input: { paymentId: payment.id } }, { key }))).toMatchObject({ code: "BAD_USER_INPUT", field: "card" });
    expect(field(await gql(url, ConfirmPaymentDocument, { input: { paymentId: payment.id, card: card(TEST_CARDS.approve), paymentMethodId: "pm_x" } }, { key })))
      .toMatchObject({ code: "BAD_USER_INPUT", field: "paymentMethodId" });
    expect(field(await gql(url, ConfirmPaymentDocument, { input: { paymentId: payment.id, token: "tok_x", paymentMethodId: "pm_x" } }, { key })))
      .toMatchObject({ code: "BAD_USER_INPUT", field: "paymentMethodId" });
    expect(field(await gql(url, CreatePaymentMethodDocument, { input: {} }, { key }))).toMatchObject({ code: "BAD_USER_INPUT", field: "card" });
  });

  it("attaches and detaches; a detached card never pays again nor comes back", async () => {
    const customer = await newCustomer();
    const pm = await saveCard(null);
    const attached = ok(await gql(url, AttachPaymentMethodDocument, { input: { paymentMethodId: pm.id, customerId: customer.id } }, { key })).attachPaymentMethod.paymentMethod;
    expect(attached.customer).toEqual({ id: customer.id });
    // Attaching again to the same customer changes nothing; to another is a CONFLICT.
    ok(await gql(url, AttachPaymentMethodDocument, { input: { paymentMethodId: pm.id, customerId: customer.id } }, { key }));
    const other2 = await newCustomer();
    expect(field(await gql(url, AttachPaymentMethodDocument, { input: { paymentMethodId: pm.id, customerId: other2.id } }, { key })))
      .toMatchObject({ code: "CONFLICT", reason: "attached_elsewhere" });

    const detached = ok(await gql(url, DetachPaymentMethodDocument, { input: { paymentMethodId: pm.id } }, { key })).detachPaymentMethod.paymentMethod;
    expect(detached.customer).toBeNull();
    expect(ok(await gql(url, CustomerDocument, { id: customer.id }, { key })).customer.paymentMethods.nodes).toEqual([]);
    const payment = await newPayment(customer.id);
    expect(field(await gql(url, ConfirmPaymentDocument, { input: { paymentId: payment.id, paymentMethodId: pm.id } }, { key })))
      .toMatchObject({ code: "BAD_USER_INPUT", reason: "detached" });
    expect(field(await gql(url, AttachPaymentMethodDocument, { input: { paymentMethodId: pm.id, customerId: customer.id } }, { key })))
      .toMatchObject({ code: "CONFLICT", reason: "detached" });
    expect(field(await gql(url, DetachPaymentMethodDocument, { input: { paymentMethodId: pm.id } }, { key }))).toMatchObject({ code: "CONFLICT" });
  });
});

describe("tenant isolation", () => {
  it("merchant B cannot read, attach to, or pay with A's customer or card", async () => {
    const customer = await newCustomer({ email: "private@example.com" });
    const pm = await saveCard(customer.id);
    const bCustomer = await newCustomer({}, other);
    const bPayment = await newPayment(bCustomer.id, "5.00", other);
    const results = [
      await gql(url, CustomerDocument, { id: customer.id }, { key: other }),
      await gql(url, UpdateCustomerDocument, { input: { id: customer.id, name: "pwned" } }, { key: other }),
      await gql(url, DeleteCustomerDocument, { input: { id: customer.id } }, { key: other }),
      await gql(url, AttachPaymentMethodDocument, { input: { paymentMethodId: pm.id, customerId: bCustomer.id } }, { key: other }),
      await gql(url, AttachPaymentMethodDocument, { input: { paymentMethodId: (await saveCard(null, TEST_CARDS.approve, other)).id, customerId: customer.id } }, { key: other }),
      await gql(url, DetachPaymentMethodDocument, { input: { paymentMethodId: pm.id } }, { key: other }),
      await gql(url, CreatePaymentDocument, { input: { amount: "1.00", currency: "USD", customerId: customer.id } }, { key: other }),
      await gql(url, CreatePaymentMethodDocument, { input: { card: card(TEST_CARDS.approve), customerId: customer.id } }, { key: other }),
      await gql(url, ConfirmPaymentDocument, { input: { paymentId: bPayment.id, paymentMethodId: pm.id } }, { key: other }),
    ];
    for (const r of results) {
      expect(errorCode(r)).toBe("NOT_FOUND");
      expect(JSON.stringify(r)).not.toContain("private@example.com");
    }
    // node(id:) answers null for another merchant's id, as for one that does not exist.
    for (const id of [customer.id, pm.id]) expect(ok(await gql(url, CustomerNodeDocument, { id }, { key: other }))).toEqual({ node: null });
    const listed = ok(await gql(url, CustomersDocument, { first: 100 }, { key: other })).customers.edges.map((e) => e.node.id);
    expect(listed).toEqual([bCustomer.id]);
    expect(await read(bPayment.id, other)).toMatchObject({ status: "REQUIRES_PAYMENT_METHOD", attempts: { nodes: [] } });
    expect(ok(await gql(url, CustomerDocument, { id: customer.id }, { key })).customer).toMatchObject({ name: null, paymentMethods: { nodes: [{ id: pm.id }] } });
  });
});
