// Bad input gets a typed error with a clear message, never a stack trace or SQL, and writes nothing.
import { readFileSync } from "node:fs";
import path from "node:path";
import {
  buildSchema, getNamedType, isEnumType, isInputObjectType, isLeafType, isListType, isNonNullType, isScalarType,
  type GraphQLField, type GraphQLInputType,
} from "graphql";
import pg from "pg";
import { beforeAll, describe, expect, it } from "vitest";
import { ConfirmPaymentDocument, CreateApiKeyDocument, CreatePaymentDocument, PaymentDocument, PaymentsDocument, RefundDocument } from "../../client/src/generated/graphql.js";
import { TEST_CARDS, card, errorCode, eventually, gql, ok, subscribe, useServer, wsClient } from "../support/stack.js";

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
    expect(after.attempts.nodes).toHaveLength(0);
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

// NUL and unpaired surrogates: PostgreSQL refuses the first (22021, 22P05 in jsonb) and jsonb the
// second; a text column would silently store U+FFFD instead. Every string of every argument of
// every operation in the schema is tried, and must be BAD_USER_INPUT naming its path.
describe("text PostgreSQL cannot store", () => {
  const SCHEMA = buildSchema(readFileSync(path.resolve(import.meta.dirname, "../../schema/schema.graphql"), "utf8"));
  const UNSTORABLE = { "a NUL": "a\u0000b", "a lone surrogate": "a\ud800b" } as const;
  const NUMERIC = new Set(["Int", "Float", "Boolean"]);
  type Step = string | 0;

  /** Every path from an argument to a leaf that takes text (String, ID, a custom scalar). */
  const slots = (type: GraphQLInputType, at: Step[]): Step[][] => {
    if (isNonNullType(type)) return slots(type.ofType, at);
    if (isListType(type)) return slots(type.ofType, [...at, 0]);
    if (isInputObjectType(type)) return Object.values(type.getFields()).flatMap((f) => slots(f.type, [...at, f.name]));
    return isScalarType(type) && !NUMERIC.has(type.name) ? [at] : [];
  };
  /** A value of `type`: `bad` at the end of `steps` (JSON scalars: under a key), harmless fillers for what is required. */
  const build = (type: GraphQLInputType, steps: Step[] | undefined, bad: string): unknown => {
    if (isNonNullType(type)) return build(type.ofType, steps, bad);
    if (isListType(type)) return steps ? [build(type.ofType, steps.slice(1), bad)] : [];
    if (isInputObjectType(type)) {
      const fields = Object.values(type.getFields()).filter((f) => f.name === steps?.[0] || (isNonNullType(f.type) && f.defaultValue === undefined));
      return Object.fromEntries(fields.map((f) => [f.name, build(f.type, f.name === steps?.[0] ? steps.slice(1) : undefined, bad)]));
    }
    if (isEnumType(type)) return type.getValues()[0]?.value;
    const name = isScalarType(type) ? type.name : "";
    if (name.startsWith("JSON")) return steps ? { note: bad } : {};
    if (steps) return bad;
    return NUMERIC.has(name) ? (name === "Boolean" ? true : 1) : name === "DateTime" ? "2026-01-01T00:00:00Z" : "x";
  };
  /** The path the server names: below `input`, or from any other argument's name. */
  const fieldOf = (arg: string, steps: Step[], json: boolean): string =>
    [...steps, ...(json ? ["note"] : [])].reduce<string>((p, s) => (s === 0 ? `${p || arg}[0]` : p ? `${p}.${s}` : s), arg === "input" ? "" : arg) || arg;

  interface Probe { op: string; query: string; variables: Record<string, unknown>; field: string }
  const probes = (kind: "query" | "mutation" | "subscription", bad: string): Probe[] => {
    const root = kind === "query" ? SCHEMA.getQueryType() : kind === "mutation" ? SCHEMA.getMutationType() : SCHEMA.getSubscriptionType();
    return Object.values(root?.getFields() ?? {}).flatMap((field: GraphQLField<unknown, unknown>) => field.args.flatMap((arg) => slots(arg.type, []).map((steps) => {
      const variables = Object.fromEntries(field.args.map((a) => [a.name, build(a.type, a === arg ? steps : undefined, bad)]));
      const defs = field.args.map((a) => `$${a.name}: ${String(a.type)}`).join(", ");
      const args = field.args.map((a) => `${a.name}: $${a.name}`).join(", ");
      const selection = isLeafType(getNamedType(field.type)) ? "" : " { __typename }";
      const leaf = getNamedType(steps.reduce<GraphQLInputType>((t, s) => {
        const inner = getNamedType(t);
        return s === 0 || !isInputObjectType(inner) ? t : inner.getFields()[s]!.type;
      }, arg.type));
      return { op: `${field.name}(${[arg.name, ...steps].join(".")})`, query: `${kind}(${defs}) { ${field.name}(${args})${selection} }`, variables, field: fieldOf(arg.name, steps, leaf.name.startsWith("JSON")) };
    })));
  };

  /** Rows in every table of the server's database: nothing may change while bad text is refused. */
  const rowCounts = async (): Promise<Record<string, number>> => {
    const client = new pg.Client({ connectionString: server.stack.databaseUrl });
    await client.connect();
    try {
      const tables = (await client.query<{ name: string }>("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'")).rows;
      const counts = await client.query<{ name: string; n: string }>(tables.map((t) => `SELECT '${t.name}' AS name, count(*) AS n FROM "${t.name}"`).join(" UNION ALL "));
      return Object.fromEntries(counts.rows.map((r) => [r.name, Number(r.n)]));
    } finally {
      await client.end();
    }
  };

  let before: Record<string, number>;
  let publishable: string;
  beforeAll(async () => {
    publishable = ok(await gql(url, CreateApiKeyDocument, { input: { name: "checkout", kind: "PUBLISHABLE" } }, { key })).createApiKey.secret;
    // The worker folds earlier tests' analytics and relays their outbox: wait until it is idle.
    before = await eventually(rowCounts, (c) => c.analytics_delta === 0 && c.outbox_message === 0);
  });

  for (const [what, bad] of Object.entries(UNSTORABLE)) {
    it(`refuses ${what} in every text argument of every query and mutation, naming its path`, async () => {
      const all = [...probes("query", bad), ...probes("mutation", bad)];
      expect(all.length).toBeGreaterThan(100);
      const wrong: string[] = [];
      for (const probe of all) {
        const result = await gql(url, probe.query, probe.variables, { key });
        const answer = `${result.status} ${errorCode(result)} ${String(result.errors?.[0]?.extensions?.field)}`;
        if (answer !== `400 BAD_USER_INPUT ${probe.field}`) wrong.push(`${probe.op}: ${answer}`);
      }
      expect(wrong).toEqual([]);
    });

    it(`refuses ${what} in a subscription's arguments`, async () => {
      const client = wsClient(url, key);
      try {
        for (const probe of probes("subscription", bad)) {
          const live = subscribe(client, probe.query, probe.variables);
          await eventually(async () => live.errors.length + live.events.length, (n) => n > 0);
          const errors = live.errors.flat() as { extensions?: Record<string, unknown> }[];
          expect(errors.map((e) => [e.extensions?.code, e.extensions?.field]), probe.op).toEqual([["BAD_USER_INPUT", probe.field]]);
        }
      } finally {
        await client.dispose();
      }
    });
  }

  it("finds it in literals, object keys, fragments and variable defaults too", async () => {
    const refused = async (query: string, variables: Record<string, unknown> = {}) => {
      const result = await gql(url, query, variables, { key });
      return [errorCode(result), result.errors?.[0]?.extensions?.field];
    };
    expect(await refused(`mutation { createCustomer(input: { name: "a\\u0000b" }) { customer { id } } }`)).toEqual(["BAD_USER_INPUT", "name"]);
    expect(await refused(`mutation { createCustomer(input: { metadata: { note: "\\u0000" } }) { customer { id } } }`)).toEqual(["BAD_USER_INPUT", "metadata.note"]);
    expect(await refused(`mutation($m: JSONObject) { createPayment(input: { amount: "1.00", currency: "USD", metadata: $m }) { payment { id } } }`, { m: { "or\u0000der": "1" } }))
      .toEqual(["BAD_USER_INPUT", "metadata"]);
    expect(await refused(`query($a: String) { ...P } fragment P on Query { payments(first: 1, after: $a) { __typename } }`, { a: "\udc00" })).toEqual(["BAD_USER_INPUT", "after"]);
    expect(await refused(`query($id: ID! = "pay_\\u0000") { payment(id: $id) { id } }`)).toEqual(["BAD_USER_INPUT", "id"]);
    // graphql's own lexer refuses an unpaired surrogate escape in a literal: a parse error, not INTERNAL.
    expect(await refused(`{ payment(id: "\\ud800") { id } }`)).toEqual(["GRAPHQL_PARSE_FAILED", undefined]);
    // A surrogate pair is a character like any other.
    expect(await refused(`{ payment(id: "pay_\ud83d\udcb3") { id } }`)).toEqual(["NOT_FOUND", undefined]);
  });

  it("is refused on the REST routes too, before any lookup", async () => {
    const token = await fetch(`${url}/v1/tokens`, {
      method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${publishable}` },
      body: JSON.stringify({ card: { ...card(TEST_CARDS.approve), number: "4242424242424242\u0000" } }),
    });
    expect(token.status).toBe(400);
    expect(((await token.json()) as { error: { code: string } }).error.code).toBe("BAD_USER_INPUT");
    const oauth = await fetch(`${url}/oauth/token`, {
      method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "grant_type=client_credentials&client_id=oac_%00&client_secret=%00%ED%A0%80",
    });
    expect(oauth.status).toBe(401);
    expect(((await oauth.json()) as { error: string }).error).toBe("invalid_client");
  });

  it("wrote nothing for any of them", async () => {
    expect(await rowCounts()).toEqual(before);
  });
});
