// No card data anywhere it should not be (issue #4, item 9): a run that pays with every kind of
// test card, makes every kind of mistake with card numbers, and streams every change, at the most
// verbose log level — then no PAN or CVC is in any response, subscription message or log line, in
// any PostgreSQL row outside the vault's ciphertext (a pg_dump of the whole database), or in Redis.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import {
  CapturePaymentDocument, ConfirmPaymentDocument, CreatePaymentDocument, PaymentDocument, PaymentUpdatedDocument, RefundPaymentDocument,
} from "../../client/src/generated/graphql.js";
import { INTERNATIONAL_TEST_CARDS } from "../../src/gateways/sandbox/cards.js";
import { REDIS_URL, TEST_CARDS, createStack, eventually, gql, subscribe, wsClient, type Stack } from "../support/stack.js";

const AMEX = "378282246310005";
const CVCS = ["7391", "846"]; // distinctive, so a leak cannot hide among ordinary numbers
const PANS = [...Object.values(TEST_CARDS), INTERNATIONAL_TEST_CARDS.DE, INTERNATIONAL_TEST_CARDS.GB, AMEX, "4242424242424241" /* fails Luhn */];
const year = new Date().getUTCFullYear() + 3;

let stack: Stack;
let url: string;
let key: string;
const seen: string[] = []; // every response and subscription message, as text

beforeAll(async () => {
  stack = await createStack({ LOG_LEVEL: "debug", RETRY_BASE_MS: "20" });
  url = (await stack.start(["start", "--role", "all", "--port", "0"])).url;
  key = (await stack.merchant()).secretKey;
});
afterAll(async () => stack?.close());

async function call<TData, TVars>(u: string, doc: TypedDocumentNode<TData, TVars> | string, variables?: TVars, opts?: { key?: string }) {
  const result = await gql(u, doc, variables, opts);
  seen.push(JSON.stringify({ data: result.data, errors: result.errors }));
  return result;
}

it("leaves no PAN and no CVC in responses, subscriptions, logs, PostgreSQL or Redis", { timeout: 120_000 }, async () => {
  const client = wsClient(url, key);
  const stream = subscribe(client, PaymentUpdatedDocument, {});
  const ids: string[] = [];
  for (const [i, number] of [...Object.values(TEST_CARDS), INTERNATIONAL_TEST_CARDS.DE, INTERNATIONAL_TEST_CARDS.GB, AMEX].entries()) {
    const manual = i % 2 === 0;
    const created = await call(url, CreatePaymentDocument, { input: { amount: "12.34", currency: "EUR", captureMethod: manual ? "MANUAL" : "AUTOMATIC" } }, { key });
    const id = created.data!.createPayment.payment.id;
    ids.push(id);
    await call(url, ConfirmPaymentDocument, { input: { paymentId: id, card: { number, expMonth: 12, expYear: year, cvc: number === AMEX ? CVCS[0]! : CVCS[1]! } } }, { key });
  }
  for (const id of ids) {
    const p = await eventually(() => call(url, PaymentDocument, { id }, { key }).then((r) => r.data!.payment), (x) => x.status !== "PROCESSING");
    if (p.status === "AUTHORIZED") await call(url, CapturePaymentDocument, { input: { paymentId: id, amount: "10.00" } }, { key });
    if (p.status === "CAPTURED") await call(url, RefundPaymentDocument, { input: { paymentId: id, amount: "1.00" } }, { key });
  }

  // Mistakes with card numbers: each must be refused without the number coming back.
  const id = ids[0]!;
  const mistakes = [
    { query: ConfirmPaymentDocument, variables: { input: { paymentId: id, card: { number: "4242424242424241", expMonth: 12, expYear: year, cvc: CVCS[1] } } } },
    { query: ConfirmPaymentDocument, variables: { input: { paymentId: id, card: { number: 4242424242424242, expMonth: 12, expYear: year, cvc: CVCS[1] } } } },
    { query: ConfirmPaymentDocument, variables: { input: { paymentId: id, card: { number: TEST_CARDS.approve, expMonth: 13, expYear: year, cvc: CVCS[0] } } } },
    { query: CreatePaymentDocument, variables: { input: { amount: TEST_CARDS.approve, currency: TEST_CARDS.approve } } },
    { query: `mutation { confirmPayment(input: { paymentId: "${id}", card: { number: "${TEST_CARDS.approve}", expMonth: 12, expYear: ${year}, cvc: "${CVCS[0]}", extra: 1 } }) { payment { id } } }` },
    { query: `{ payment(id: "${TEST_CARDS.approve}") { id } }` },
  ];
  for (const m of mistakes) {
    const r = await call(url, m.query as string, m.variables as never, { key });
    expect(r.errors?.length).toBeGreaterThan(0);
  }
  await stream.until((e) => e.paymentUpdated.status === "REFUNDED" || e.paymentUpdated.status === "PARTIALLY_REFUNDED");
  seen.push(...stream.events.map((e) => JSON.stringify(e)), JSON.stringify(stream.errors));
  await stream.dispose();
  await client.dispose();

  const logs = stack.roles.flatMap((r) => r.output).join("\n");
  expect(logs.length).toBeGreaterThan(1000); // debug logs were captured
  const { stdout: dump } = await promisify(execFile)("pg_dump", ["--data-only", stack.databaseUrl], { maxBuffer: 64 * 1024 * 1024 });
  expect(dump).toContain("payment_method"); // the vault's table is in it, as ciphertext
  const redis = new Redis(REDIS_URL);
  const redisText: string[] = [];
  for (const k of await redis.keys(`${stack.env.REDIS_PREFIX}*`)) {
    const type = await redis.type(k);
    if (type === "string") redisText.push(k, (await redis.get(k)) ?? "");
    else if (type === "hash") redisText.push(k, JSON.stringify(await redis.hgetall(k)));
    else if (type === "list") redisText.push(k, JSON.stringify(await redis.lrange(k, 0, -1)));
    else if (type === "zset") redisText.push(k, JSON.stringify(await redis.zrange(k, 0, -1)));
  }
  redis.disconnect();

  for (const [where, text] of [["responses", seen.join("\n")], ["logs", logs], ["PostgreSQL", dump], ["Redis", redisText.join("\n")]] as const) {
    for (const pan of PANS) {
      const at = text.indexOf(pan);
      expect(at, `${pan} found in ${where}: …${JSON.stringify(text.slice(Math.max(0, at - 120), at + 200))}…`).toBe(-1);
    }
    // Milliseconds of timestamps (…:09.846) are the one place a 3-digit CVC can appear by chance.
    const untimed = text.replace(/(\d{2}:\d{2}:\d{2})\.\d{1,6}/g, "$1");
    for (const cvc of CVCS) {
      const found = new RegExp(`\\b${cvc}\\b`).exec(untimed);
      expect(found && untimed.slice(Math.max(0, found.index - 120), found.index + 60), `CVC ${cvc} found in ${where}`).toBeNull();
    }
    expect(/"cvc"\s*:/.test(text), `a "cvc" field found in ${where}`).toBe(false);
  }
});
