// Gateway accounts (first slice of #3): a merchant connects gateways, each attempt goes to the
// first enabled account accepting its currency and brand, says why, and later captures and
// refunds go back to the gateway that authorized. The sandboxes' ledgers are the witnesses.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ConfirmPaymentDocument, CreateGatewayAccountDocument, CreatePaymentDocument, DisableGatewayAccountDocument, GatewayAccountsDocument,
  PaymentDocument, RefundPaymentDocument, UpdateGatewayAccountDocument,
} from "../../client/src/generated/graphql.js";
import { TEST_CARDS, card, createStack, errorCode, eventually, gql, ok, ledger, type Stack } from "../support/stack.js";


let stack: Stack;
let url: string;
let key: string;
let acquirerA: string;
let acquirerB: string;

beforeAll(async () => {
  stack = await createStack();
  [acquirerA, acquirerB] = await Promise.all([
    stack.start(["sandbox", "--port", "0", "--name", "acquirer-a"]).then((r) => r.url),
    stack.start(["sandbox", "--port", "0", "--name", "acquirer-b"]).then((r) => r.url),
  ]);
  url = (await stack.start(["start", "--role", "all", "--port", "0"])).url;
  key = (await stack.merchant()).secretKey;
});
afterAll(async () => stack?.close());

const read = async (id: string) => ok(await gql(url, PaymentDocument, { id }, { key })).payment;
async function pay(amount: string, currency: string): Promise<string> {
  const id = ok(await gql(url, CreatePaymentDocument, { input: { amount, currency } }, { key })).createPayment.payment.id;
  ok(await gql(url, ConfirmPaymentDocument, { input: { paymentId: id, card: card(TEST_CARDS.approve) } }, { key }));
  return id;
}

describe("gateway accounts", () => {
  it("sends attempts to the server's default gateway while none is connected", async () => {
    const id = await pay("1.00", "USD");
    const done = await eventually(() => read(id), (p) => p.status === "CAPTURED");
    expect(done.attempts.nodes[0]).toMatchObject({ gateway: "sandbox", routingReason: expect.stringContaining("No gateway account connected") });
  });

  it("connects gateways without ever returning their config, and lists them in routing order", async () => {
    const b = ok(await gql(url, CreateGatewayAccountDocument, { input: { name: "acquirer-b", kind: "SANDBOX", config: { url: acquirerB }, priority: 20 } }, { key }));
    const a = ok(await gql(url, CreateGatewayAccountDocument, { input: { name: "acquirer-a", kind: "SANDBOX", config: { url: acquirerA }, currencies: ["usd"], priority: 10 } }, { key }));
    expect(a.createGatewayAccount.gatewayAccount).toMatchObject({ name: "acquirer-a", currencies: ["USD"], priority: 10, enabled: true });
    expect(JSON.stringify(b)).not.toContain(acquirerB);
    expect(ok(await gql(url, GatewayAccountsDocument, {}, { key })).gatewayAccounts.map((g) => g.name)).toEqual(["acquirer-a", "acquirer-b"]);

    const db = new pg.Client({ connectionString: stack.databaseUrl });
    await db.connect();
    const { rows } = await db.query<{ sealed: Buffer }>("SELECT config_ciphertext AS sealed FROM gateway_account");
    await db.end();
    expect(rows.every((r) => !r.sealed.toString("latin1").includes("127.0.0.1"))).toBe(true);
  });

  it("routes by priority, currency and brand, says why on the attempt, and refunds where it charged", async () => {
    const usd = await pay("12.00", "USD");
    const eur = await pay("13.00", "EUR");
    const [paidUsd, paidEur] = await Promise.all([usd, eur].map((id) => eventually(() => read(id), (p) => p.status === "CAPTURED")));
    expect(paidUsd?.attempts.nodes[0]).toMatchObject({ gateway: "acquirer-a", routingReason: "Ranked 1st of 2 for USD visa: priority 10 at a tied success rate and cost (next acquirer-b)" });
    expect(paidEur?.attempts.nodes[0]).toMatchObject({ gateway: "acquirer-b", routingReason: "Ranked 1st of 1 for EUR visa: the only candidate" });
    expect((await ledger(acquirerA)).map((c) => c.idempotencyKey)).toEqual([paidUsd?.attempts.nodes[0]?.id]);
    expect((await ledger(acquirerB)).map((c) => c.idempotencyKey)).toEqual([paidEur?.attempts.nodes[0]?.id]);

    ok(await gql(url, RefundPaymentDocument, { input: { paymentId: usd, amount: "2.00" } }, { key }));
    await eventually(() => read(usd), (p) => p.status === "PARTIALLY_REFUNDED");
    expect((await ledger(acquirerA))[0]?.amountRefunded).toBe("200");
  });

  it("refuses a payment no enabled account accepts (nor could by conversion: no XCD rate), and writes nothing", async () => {
    const b = ok(await gql(url, GatewayAccountsDocument, {}, { key })).gatewayAccounts.find((g) => g.name === "acquirer-b");
    ok(await gql(url, DisableGatewayAccountDocument, { input: { id: b?.id ?? "" } }, { key }));
    const id = ok(await gql(url, CreatePaymentDocument, { input: { amount: "5.00", currency: "XCD" } }, { key })).createPayment.payment.id;
    const refused = await gql(url, ConfirmPaymentDocument, { input: { paymentId: id, card: card(TEST_CARDS.approve) } }, { key });
    expect(errorCode(refused)).toBe("GATEWAY_UNAVAILABLE");
    expect(await read(id)).toMatchObject({ status: "REQUIRES_PAYMENT_METHOD", version: 1, attempts: { nodes: [] } });
    ok(await gql(url, UpdateGatewayAccountDocument, { input: { id: b?.id ?? "", enabled: true } }, { key }));
  });

  it("refuses bad settings with typed errors", async () => {
    const create = (input: Record<string, unknown>) =>
      gql(url, CreateGatewayAccountDocument, { input: { name: "x", kind: "SANDBOX", config: { url: acquirerA }, ...input } } as never, { key });
    expect(errorCode(await create({ name: "acquirer-a" }))).toBe("BAD_USER_INPUT"); // taken
    expect(errorCode(await create({ config: { url: "ftp://nope" } }))).toBe("BAD_USER_INPUT");
    expect(errorCode(await create({ config: { url: acquirerA, password: "x" } }))).toBe("BAD_USER_INPUT");
    expect(errorCode(await create({ config: { url: "http://user:secret@127.0.0.1:1/" } }))).toBe("BAD_USER_INPUT");
    expect(errorCode(await create({ currencies: ["ABC"] }))).toBe("BAD_USER_INPUT");
    expect(errorCode(await create({ cardBrands: ["visa-gold"] }))).toBe("BAD_USER_INPUT");
    expect(errorCode(await create({ priority: -1 }))).toBe("BAD_USER_INPUT");
  });

  it("keeps each merchant's accounts to itself", async () => {
    const other = (await stack.merchant("Other")).secretKey;
    expect(ok(await gql(url, GatewayAccountsDocument, {}, { key: other })).gatewayAccounts).toEqual([]);
    const a = ok(await gql(url, GatewayAccountsDocument, {}, { key })).gatewayAccounts[0];
    expect(errorCode(await gql(url, UpdateGatewayAccountDocument, { input: { id: a?.id ?? "", priority: 1 } }, { key: other }))).toBe("NOT_FOUND");
  });
});

describe("failover between connected gateways", () => {
  const confirmWith = async (number: string): Promise<string> => {
    const id = ok(await gql(url, CreatePaymentDocument, { input: { amount: "21.00", currency: "USD" } }, { key })).createPayment.payment.id;
    ok(await gql(url, ConfirmPaymentDocument, { input: { paymentId: id, card: card(number) } }, { key }));
    return id;
  };

  it("tries the next gateway after a soft decline, and stops when none is left", async () => {
    const id = await confirmWith(TEST_CARDS.softDecline);
    const done = await eventually(() => read(id), (p) => p.status !== "PROCESSING");
    expect(done.status).toBe("REQUIRES_PAYMENT_METHOD");
    expect(done.lastPaymentError?.declineCode).toBe("insufficient_funds");
    expect(done.attempts.nodes.map((a) => a.gateway)).toEqual(["acquirer-a", "acquirer-b"]);
  });

  it("never fails over after a hard decline", async () => {
    const id = await confirmWith(TEST_CARDS.hardDecline);
    const done = await eventually(() => read(id), (p) => p.status !== "PROCESSING");
    expect(done.lastPaymentError?.declineCode).toBe("generic_decline");
    expect(done.attempts.nodes.map((a) => a.gateway)).toEqual(["acquirer-a"]);
  });
  // Last: it kills acquirer A.
  it("moves to the next gateway at once when the first cannot be reached at all, charging only there", async () => {
    await stack.roles.find((r) => r.url === acquirerA)?.stop("SIGKILL");
    const id = await confirmWith(TEST_CARDS.approve);
    const done = await eventually(() => read(id), (p) => p.status !== "PROCESSING");
    expect(done.status).toBe("CAPTURED");
    expect(done.attempts.nodes.map((a) => [a.gateway, a.status, a.errorCode])).toEqual([
      ["acquirer-a", "FAILED", "connect_failed"],
      ["acquirer-b", "SUCCEEDED", null],
    ]);
    expect(done.attempts.nodes[0]?.tries).toBe(1); // no retries spent on a gateway that refused the connection
    expect(done.attempts.nodes[1]?.routingReason).toMatch(/^Failover after acquirer-a \(connect_failed\)\. Ranked 1st of 1 for USD visa, not yet tried/);
    expect((await ledger(acquirerB)).filter((c) => c.idempotencyKey === done.attempts.nodes[1]?.id)).toHaveLength(1);
  });

});
