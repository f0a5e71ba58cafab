// Routing rules through the real server: a merchant sets and reads its rules over GraphQL, every
// refusal is a BAD_USER_INPUT naming its field (and writes nothing), another merchant's gateway
// account is refused like an unknown one, and vaulting a card records its BIN and issuing country.
import pg from "pg";
import { describe, expect, it } from "vitest";
import { INTERNATIONAL_TEST_CARDS } from "../../src/gateways/sandbox/cards.js";
import {
  ConfirmPaymentDocument, CreateGatewayAccountDocument, CreatePaymentDocument, DisableGatewayAccountDocument, PaymentDocument,
  RoutingRulesDocument, SetRoutingRulesDocument, type RoutingRuleInput,
} from "../../client/src/generated/graphql.js";
import { TEST_CARDS, card, errorCode, gql, ok, useServer, type GqlResult } from "../support/stack.js";

const server = useServer();

async function connect(name: string, currencies: string[] = [], key = server.key): Promise<string> {
  // The URL is never called here: no payment of this file's first merchant is confirmed.
  const input = { name, kind: "SANDBOX" as const, config: { url: "http://127.0.0.1:9" }, currencies };
  return ok(await gql(server.url, CreateGatewayAccountDocument, { input }, { key })).createGatewayAccount.gatewayAccount.id;
}
const setRules = (rules: RoutingRuleInput[], key = server.key) => gql(server.url, SetRoutingRulesDocument, { input: { rules } }, { key });
const readRules = async (key = server.key) => ok(await gql(server.url, RoutingRulesDocument, {}, { key })).routingRules;
async function sql<T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> {
  const db = new pg.Client({ connectionString: server.stack.databaseUrl });
  await db.connect();
  try {
    return (await db.query<T>(text, values)).rows;
  } finally {
    await db.end();
  }
}
const field = (result: GqlResult<unknown>): unknown => result.errors?.[0]?.extensions?.field;

describe("routing rules", () => {
  let any = "";
  let usd = "";
  let off = "";

  it("are set as a whole and read back in order, normalised, each gateway with its account", async () => {
    [any, usd, off] = [await connect("any"), await connect("usd-only", ["USD"]), await connect("spare")];
    ok(await gql(server.url, DisableGatewayAccountDocument, { input: { id: off } }, { key: server.key }));
    expect(await readRules()).toEqual([]);

    const set = ok(await setRules([
      { name: "EU cards", when: { currencies: ["eur"], cardCountries: ["de", "FR"] }, action: { type: "WEIGHTED", gateways: [{ gatewayAccountId: any, weight: 70 }, { gatewayAccountId: off, weight: 30 }] } },
      { name: "Big USD", when: { amount: { currency: "USD", min: "1000" }, metadata: [{ key: "channel", equals: "web" }] }, action: { type: "ORDERED", gateways: [{ gatewayAccountId: usd }, { gatewayAccountId: any }] } },
      { name: "Rest", action: { type: "FIXED", gateways: [{ gatewayAccountId: any }] } },
    ])).setRoutingRules.rules;
    expect(await readRules()).toEqual(set);
    expect(set.map((r) => r.name)).toEqual(["EU cards", "Big USD", "Rest"]);
    expect(set[0]?.when).toEqual({ currencies: ["EUR"], cardBrands: null, cardCountries: ["DE", "FR"], amount: null, metadata: null });
    // A disabled account is accepted and shown as such: payments skip it while it is disabled.
    expect(set[0]?.action.gateways.map((g) => [g.gatewayAccount.name, g.weight, g.gatewayAccount.enabled])).toEqual([["any", 70, true], ["spare", 30, false]]);
    expect(set[1]?.when.amount).toEqual({ currency: "USD", min: "1000.00", max: null });
    expect(set[2]?.when).toEqual({ currencies: null, cardBrands: null, cardCountries: null, amount: null, metadata: null });

    const [row] = await sql<{ version: number }>("SELECT version FROM routing_rule_set");
    expect(row?.version).toBe(1);
  });

  it("are replaced as a whole, and cleared by an empty list", async () => {
    ok(await setRules([{ name: "Only", action: { type: "FIXED", gateways: [{ gatewayAccountId: any }] } }]));
    expect((await readRules()).map((r) => r.name)).toEqual(["Only"]);
    expect(ok(await setRules([])).setRoutingRules.rules).toEqual([]);
    expect(await readRules()).toEqual([]);
    expect((await sql<{ version: number }>("SELECT version FROM routing_rule_set"))[0]?.version).toBe(3);
  });

  const gw = (id: () => string, weight?: number) => () => ({ gatewayAccountId: id(), ...(weight === undefined ? {} : { weight }) });
  const fixed = (id: () => string) => ({ type: "FIXED" as const, gateways: [gw(id)()] });
  it.each<[string, () => RoutingRuleInput[], string]>([
    ["more than 100 rules", () => Array.from({ length: 101 }, (_, i) => ({ name: `r${i}`, when: { metadata: [{ key: "n", equals: `${i}` }] }, action: fixed(() => any) })), "rules"],
    ["a duplicate name", () => [{ name: "a", when: { currencies: ["USD"] }, action: fixed(() => any) }, { name: "A", action: fixed(() => any) }], "rules[1].name"],
    ["an unknown currency", () => [{ name: "a", when: { currencies: ["EUR", "EURO"] }, action: fixed(() => any) }], "rules[0].when.currencies[1]"],
    ["an unknown brand", () => [{ name: "a", when: { cardBrands: ["amex"] }, action: fixed(() => any) }], "rules[0].when.cardBrands[0]"],
    ["an unknown country", () => [{ name: "a", when: { cardCountries: ["DE", "EU"] }, action: fixed(() => any) }], "rules[0].when.cardCountries[1]"],
    ["a negative bound", () => [{ name: "a", when: { amount: { currency: "USD", min: "-5" } }, action: fixed(() => any) }], "rules[0].when.amount.min"],
    ["min above max", () => [{ name: "a", when: { amount: { currency: "KWD", min: "2.000", max: "1.500" } }, action: fixed(() => any) }], "rules[0].when.amount"],
    ["more decimals than the currency has", () => [{ name: "a", when: { amount: { currency: "USD", max: "1.001" } }, action: fixed(() => any) }], "rules[0].when.amount.max"],
    ["a range outside the rule's currencies", () => [{ name: "a", when: { currencies: ["EUR"], amount: { currency: "USD", max: "1" } }, action: fixed(() => any) }], "rules[0].when.amount.currency"],
    ["FIXED with two gateways", () => [{ name: "a", action: { type: "FIXED", gateways: [gw(() => any)(), gw(() => usd)()] } }], "rules[0].action.gateways"],
    ["WEIGHTED without a weight", () => [{ name: "a", action: { type: "WEIGHTED", gateways: [gw(() => any, 1)(), gw(() => usd)()] } }], "rules[0].action.gateways[1].weight"],
    ["WEIGHTED with weight 0", () => [{ name: "a", action: { type: "WEIGHTED", gateways: [gw(() => any, 0)()] } }], "rules[0].action.gateways[0].weight"],
    ["ORDERED with a weight", () => [{ name: "a", action: { type: "ORDERED", gateways: [gw(() => any, 2)()] } }], "rules[0].action.gateways[0].weight"],
    ["a gateway listed twice", () => [{ name: "a", action: { type: "ORDERED", gateways: [gw(() => any)(), gw(() => any)()] } }], "rules[0].action.gateways[1]"],
    ["an unknown gateway account", () => [{ name: "a", action: fixed(() => "gwa_doesNotExist0000000") }], "rules[0].action.gateways[0]"],
    ["an account that accepts nothing the rule matches", () => [{ name: "EU", when: { currencies: ["EUR"] }, action: fixed(() => usd) }], "rules[0].action.gateways[0]"],
    ["a rule that can never match", () => [{ name: "all", action: fixed(() => any) }, { name: "eu", when: { currencies: ["EUR"] }, action: fixed(() => any) }], "rules[1]"],
  ])("refuse %s as BAD_USER_INPUT naming the field, writing nothing", async (_what, rules, expected) => {
    ok(await setRules([{ name: "Kept", action: fixed(() => any) }]));
    const result = await setRules(rules());
    expect(errorCode(result)).toBe("BAD_USER_INPUT");
    expect(field(result)).toBe(expected);
    expect((await readRules()).map((r) => r.name)).toEqual(["Kept"]);
  });

  it("refuse another merchant's gateway account like an unknown one, and keep each merchant's rules to itself", async () => {
    const other = (await server.stack.merchant("Other")).secretKey;
    const theirs = await connect("theirs", [], other);
    const result = await setRules([{ name: "a", action: { type: "FIXED", gateways: [{ gatewayAccountId: theirs }] } }]);
    expect(errorCode(result)).toBe("BAD_USER_INPUT");
    expect(field(result)).toBe("rules[0].action.gateways[0]");
    expect(result.errors?.[0]?.message).toBe(`No gateway account '${theirs}': use an id from gatewayAccounts`);
    expect(await readRules(other)).toEqual([]);
  });

  it("are written atomically: concurrent replacements all land, one after the other", async () => {
    const { merchantId, secretKey } = await server.stack.merchant("Racing");
    const results = await Promise.all(Array.from({ length: 6 }, () => setRules([], secretKey)));
    expect(results.map(errorCode)).toEqual(Array(6).fill(undefined));
    expect(await sql("SELECT version FROM routing_rule_set WHERE merchant_id = $1", [merchantId])).toEqual([{ version: 6 }]);
  });

  it("need a key", async () => {
    expect(errorCode(await gql(server.url, RoutingRulesDocument, {}))).toBe("UNAUTHENTICATED");
  });
});

describe("card country from the BIN", () => {
  it("is recorded at vaulting with the first six digits, and shown on the card; unknown prefixes stay null", async () => {
    // A merchant without gateway accounts: its payments go to the server's own sandbox.
    const key = (await server.stack.merchant("Cards")).secretKey;
    const confirm = async (number: string) => {
      const id = ok(await gql(server.url, CreatePaymentDocument, { input: { amount: "3.00", currency: "EUR" } }, { key })).createPayment.payment.id;
      return ok(await gql(server.url, ConfirmPaymentDocument, { input: { paymentId: id, card: card(number) } }, { key })).confirmPayment.payment;
    };
    const german = await confirm(INTERNATIONAL_TEST_CARDS.DE);
    const british = await confirm(INTERNATIONAL_TEST_CARDS.GB_MASTERCARD);
    const american = await confirm(TEST_CARDS.approve);
    const unknown = await confirm("4111111111111111");
    expect([german, british, american, unknown].map((p) => [p.card?.brand, p.card?.country])).toEqual([
      ["visa", "DE"], ["mastercard", "GB"], ["visa", "US"], ["visa", null],
    ]);
    expect(ok(await gql(server.url, PaymentDocument, { id: german.id }, { key })).payment.card?.country).toBe("DE");

    const rows = await sql<{ bin: string; country: string | null; last4: string }>(
      `SELECT m.bin, m.country, m.last4 FROM payment p JOIN payment_method m ON m.id = p.payment_method_id WHERE p.id = ANY($1) ORDER BY m.last4`,
      [[german.id, british.id, unknown.id]],
    );
    expect(rows).toEqual([
      { bin: "400000", country: "DE", last4: "0016" },
      { bin: "411111", country: null, last4: "1111" },
      { bin: "555555", country: "GB", last4: "4449" },
    ]);
  });
});
