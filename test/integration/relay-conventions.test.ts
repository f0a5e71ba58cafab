// Relay conventions through the real server: every id prefix reads back as its one type through
// node(id:) and nodes(ids:), connections page both ways (the payments' gateway and ids filters too),
// and signOut takes an input.
import { describe, expect, it } from "vitest";
import { TEST_CARDS, card, errorCode, eventually, gql, ok, useServer } from "../support/stack.js";
import { merchantWithOwner, signIn } from "../support/users.js";

const server = useServer();
// Untyped on purpose: these queries reach types no operation in schema/operations reads.
type Data = Record<string, any>;
const run = async (query: string, variables: Record<string, unknown> = {}, key = server.key): Promise<Data> => ok(await gql<Data, Record<string, unknown>>(server.url, query, variables, { key }));

async function capturedAndRefunded(): Promise<Data> {
  const { createPayment } = await run('mutation { createPayment(input: { amount: "9.00", currency: "EUR" }) { payment { id } } }');
  const id = createPayment.payment.id as string;
  await run("mutation($id: ID!, $card: CardInput!) { confirmPayment(input: { paymentId: $id, card: $card }) { payment { id } } }", { id, card: card(TEST_CARDS.approve) });
  await eventually(async () => (await run("query($id: ID!) { payment(id: $id) { status } }", { id })).payment.status, (s) => s === "CAPTURED");
  await run('mutation($id: ID!) { refundPayment(input: { paymentId: $id, amount: "1.00" }) { refund { id } } }', { id });
  return (await run("query($id: ID!) { payment(id: $id) { id attempts(last: 1) { nodes { id } } events(first: 1) { nodes { id } } refunds { nodes { id } } } }", { id })).payment;
}

describe("Relay conventions", () => {
  it("reads every kind of id back as its one type, and null for what is not there", async () => {
    const payment = await capturedAndRefunded();
    const { createWebhookEndpoint } = await run('mutation { createWebhookEndpoint(input: { url: "http://127.0.0.1:9/relay", events: ["payment.captured"] }) { webhookEndpoint { id } } }');
    const lists = await run("{ apiKeys(first: 1) { nodes { id } } auditLog(first: 1) { nodes { id } } webhookEvents(first: 1) { nodes { id } } }");
    const expected: [string, string][] = [
      [payment.id, "Payment"], [payment.attempts.nodes[0].id, "PaymentAttempt"], [payment.events.nodes[0].id, "PaymentEvent"], [payment.refunds.nodes[0].id, "Refund"],
      [createWebhookEndpoint.webhookEndpoint.id, "WebhookEndpoint"], [lists.apiKeys.nodes[0].id, "ApiKey"], [lists.auditLog.nodes[0].id, "AuditRecord"],
      [lists.webhookEvents.nodes[0].id, "WebhookEvent"],
    ];
    expect(payment.events.nodes[0].id).toMatch(/^pev_/); // not the audit record's aud_ prefix
    for (const [id, type] of expected) expect((await run("query($id: ID!) { node(id: $id) { id __typename } }", { id })).node).toEqual({ id, __typename: type });
    const ids = [...expected.map(([id]) => id), "pay_0000000000000000000000", "nonsense"];
    const { nodes } = await run("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", { ids });
    expect(nodes).toEqual([...expected.map(([id]) => ({ id })), null, null]);
    expect(errorCode(await gql(server.url, "query($ids: [ID!]!) { nodes(ids: $ids) { id } }", { ids: Array(101).fill(payment.id) }, { key: server.key }))).toBe("BAD_USER_INPUT");
  });

  it("pages the payments backward to the page it came from, and refuses mixing directions", async () => {
    for (let i = 0; i < 4; i += 1) await run('mutation { createPayment(input: { amount: "1.00", currency: "USD" }) { payment { id } } }');
    const page = (args: string) => run(`{ payments(${args}) { nodes { id } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`).then((d) => d.payments);
    const first = await page("first: 2");
    const second = await page(`first: 2, after: "${first.pageInfo.endCursor}"`);
    const back = await page(`last: 2, before: "${second.pageInfo.startCursor}"`);
    expect(back.nodes).toEqual(first.nodes);
    expect(back.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    expect(errorCode(await gql(server.url, "{ payments(first: 1, last: 1) { nodes { id } } }", {}, { key: server.key }))).toBe("BAD_USER_INPUT");
  });

  it("filters payments by gateway (an attempt there) and by ids, paging both ways with the other filters", async () => {
    const attempted = [(await capturedAndRefunded()).id, (await capturedAndRefunded()).id] as string[];
    const never = (await run('mutation { createPayment(input: { amount: "2.00", currency: "EUR" }) { payment { id } } }')).createPayment.payment.id as string;
    const page = (args: string, filter: string) => run(`{ payments(${args}, filter: { ${filter} }) { nodes { id } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`).then((d) => d.payments);
    const first = await page("first: 1", 'gateway: "sandbox", currency: "eur"');
    expect(first.nodes.map((n: Data) => n.id)).toEqual([attempted[1]]);
    const second = await page(`first: 5, after: "${first.pageInfo.endCursor}"`, 'gateway: "sandbox", currency: "EUR"');
    expect(second.nodes.map((n: Data) => n.id)).toContain(attempted[0]);
    expect(second.nodes.map((n: Data) => n.id)).not.toContain(never);
    expect((await page(`last: 1, before: "${second.pageInfo.startCursor}"`, 'gateway: "sandbox"')).nodes).toEqual(first.nodes);
    expect((await page("first: 5", 'gateway: "nowhere"')).nodes).toEqual([]);
    expect((await page("first: 5", `gateway: "sandbox", ids: ["${never}", "${attempted[0]}"]`)).nodes).toEqual([{ id: attempted[0] }]);
    expect((await page("first: 5", `ids: ["${never}"]`)).nodes).toEqual([{ id: never }]);
  });

  it("signs out everywhere when asked: every session of the user ends", async () => {
    const owner = await merchantWithOwner(server.stack);
    const [a, b] = [await signIn(server.url, owner.ownerEmail), await signIn(server.url, owner.ownerEmail)];
    expect((await run("{ me { userId user { id } } }", {}, a)).me).toEqual({ userId: owner.ownerUserId, user: { id: owner.ownerUserId } });
    expect((await run("mutation { signOut(input: { everywhere: true }) { revoked revokedSessions } }", {}, a)).signOut).toEqual({ revoked: true, revokedSessions: 2 });
    expect(errorCode(await gql(server.url, "{ me { userId } }", {}, { key: b }))).toBe("UNAUTHENTICATED");
  });
});
