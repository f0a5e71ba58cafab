// Analytics: exact figures on seeded rows (direct SQL with chosen timestamps, through the same
// triggers as the service's own writes), bucket edges, DAY buckets, offsets in the input, mixed
// currencies never summed, tenancy, rollups following a real payment, the live subscription, and
// totals in a reporting currency at admin-set rates (expected figures computed by hand below).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AnalyticsDocument, AnalyticsUpdatedDocument, ConfirmPaymentDocument, CreatePaymentDocument, PaymentDocument, RefundPaymentDocument, SetExchangeRateDocument,
  type AnalyticsFieldsFragment, type AnalyticsInput,
} from "../../client/src/generated/graphql.js";
import { Seeder } from "../support/analytics-seed.js";
import { TEST_CARDS, card, errorCode, eventually, gql, ok, subscribe, useServer, wsClient } from "../support/stack.js";

const server = useServer({ ANALYTICS_FOLD_MS: "150" });
let seed: Seeder;
let acquirerX: string;

type Group = AnalyticsFieldsFragment["buckets"][number]["groups"][number];
const money = (amount: string, currency: string, minorUnits: string) => ({ amount, currency, minorUnits });
const p = (percentile: number, aboveMs: number, atMostMs: number | null) => ({ percentile, aboveMs, atMostMs });
const key = (k: Partial<Group["key"]> = {}): Group["key"] => ({ status: null, currency: null, gateway: null, cardBrand: null, ...k });
const group = (g: Partial<Group>): Group => ({
  key: key(), payments: 0, volume: [], attemptsFinished: 0, attemptsSucceeded: 0, authorizationSuccessRate: null, refunds: 0, refundVolume: [],
  latency: { samples: 0, percentiles: [] }, reportingVolume: null, reportingRefundVolume: null, ...g,
});
const ask = async (input: AnalyticsInput, k = server.key) => ok(await gql(server.url, AnalyticsDocument, { input }, { key: k })).analytics;

beforeAll(async () => {
  seed = await Seeder.connect(server.stack.databaseUrl, server.merchantId);
  const [visa, mastercard] = [await seed.card("visa"), await seed.card("mastercard")];
  acquirerX = await seed.gatewayAccount("acquirer-x");
  // Hour 10:00Z: P1 USD 10.00 (a failed then a succeeded attempt, 2.50 refunded), P2 USD 5.00 at
  // the last millisecond of the hour, P3 EUR failed, P5 KWD without a card. Hour 11:00Z: P4 JPY.
  const p1 = await seed.payment({ status: "PARTIALLY_REFUNDED", currency: "USD", amount: 1000n, captured: 1000n, refunded: 250n, createdAt: "2026-03-10T10:15:00Z", cardId: visa });
  await seed.attempt({ paymentId: p1, status: "FAILED", latencyMs: 40, createdAt: "2026-03-10T10:15:00Z" });
  await seed.attempt({ paymentId: p1, status: "SUCCEEDED", latencyMs: 120, createdAt: "2026-03-10T10:15:01Z" });
  await seed.refund(p1, 250n, "SUCCEEDED", "2026-03-10T10:30:00Z");
  await seed.refund(p1, 100n, "FAILED", "2026-03-10T10:31:00Z");
  const p2 = await seed.payment({ status: "CAPTURED", currency: "USD", amount: 500n, captured: 500n, createdAt: "2026-03-10T10:59:59.999Z", cardId: mastercard });
  await seed.attempt({ paymentId: p2, status: "SUCCEEDED", latencyMs: 800, createdAt: "2026-03-10T10:59:59.999Z", gatewayAccountId: acquirerX, gateway: "acquirer-x" });
  const p3 = await seed.payment({ status: "FAILED", currency: "EUR", amount: 700n, createdAt: "2026-03-10T10:20:00Z", cardId: visa });
  await seed.attempt({ paymentId: p3, status: "FAILED", latencyMs: 3000, createdAt: "2026-03-10T10:20:00Z" });
  await seed.payment({ status: "REQUIRES_PAYMENT_METHOD", currency: "KWD", amount: 12500n, createdAt: "2026-03-10T10:05:00Z" });
  const p4 = await seed.payment({ status: "CAPTURED", currency: "JPY", amount: 1000n, captured: 1000n, createdAt: "2026-03-10T11:00:00.000Z", cardId: visa });
  await seed.attempt({ paymentId: p4, status: "SUCCEEDED", latencyMs: 60, createdAt: "2026-03-10T11:00:00.000Z" });
});
afterAll(async () => seed?.close());

const sandbox = { id: null, name: "sandbox" };
const hour10 = group({
  payments: 4,
  volume: [money("0.00", "EUR", "0"), money("0.000", "KWD", "0"), money("15.00", "USD", "1500")],
  attemptsFinished: 4, attemptsSucceeded: 2, authorizationSuccessRate: 0.5,
  refunds: 1, refundVolume: [money("2.50", "USD", "250")],
  // samples 40, 120, 800, 3000 ms: p50 is the 2nd (120), p95 and p99 the 4th (3000)
  latency: { samples: 4, percentiles: [p(50, 100, 150), p(95, 2000, 3000), p(99, 2000, 3000)] },
});
const hour11 = group({
  payments: 1, volume: [money("1000", "JPY", "1000")], attemptsFinished: 1, attemptsSucceeded: 1, authorizationSuccessRate: 1,
  latency: { samples: 1, percentiles: [p(50, 50, 75), p(95, 50, 75), p(99, 50, 75)] },
});

describe("analytics", () => {
  it("gives every figure exactly per UTC hour, with a payment at 10:59:59.999 in 10:00 and one at 11:00:00.000 in 11:00", async () => {
    const input = { from: "2026-03-10T10:00:00Z", to: "2026-03-10T13:00:00Z", interval: "HOUR" as const };
    const expected = {
      from: "2026-03-10T10:00:00.000Z", to: "2026-03-10T13:00:00.000Z", interval: "HOUR", groupBy: [],
      buckets: [
        { start: "2026-03-10T10:00:00.000Z", end: "2026-03-10T11:00:00.000Z", groups: [hour10] },
        { start: "2026-03-10T11:00:00.000Z", end: "2026-03-10T12:00:00.000Z", groups: [hour11] },
        { start: "2026-03-10T12:00:00.000Z", end: "2026-03-10T13:00:00.000Z", groups: [] },
      ],
      reportingCurrency: null, conversions: [], missingRates: [],
    };
    expect(await ask(input)).toEqual(expected); // deltas not folded yet, or some of them
    await eventually(() => seed.unfoldedDeltas(), (n) => n === 0);
    expect(await ask(input)).toEqual(expected); // all from the rollup
  });

  it("groups by status and currency, never adding amounts of different currencies", async () => {
    const answer = await ask({ from: "2026-03-10T10:00:00Z", to: "2026-03-10T11:00:00Z", interval: "HOUR", groupBy: ["STATUS", "CURRENCY"] });
    expect(answer.buckets[0]?.groups).toEqual([
      // attempts and refunds have no payment status
      group({ key: key({ currency: "EUR" }), attemptsFinished: 1, authorizationSuccessRate: 0, latency: { samples: 1, percentiles: [p(50, 2000, 3000), p(95, 2000, 3000), p(99, 2000, 3000)] } }),
      group({ key: key({ currency: "USD" }), attemptsFinished: 3, attemptsSucceeded: 2, authorizationSuccessRate: 2 / 3, refunds: 1, refundVolume: [money("2.50", "USD", "250")],
        latency: { samples: 3, percentiles: [p(50, 100, 150), p(95, 750, 1000), p(99, 750, 1000)] } }),
      group({ key: key({ status: "CAPTURED", currency: "USD" }), payments: 1, volume: [money("5.00", "USD", "500")] }),
      group({ key: key({ status: "FAILED", currency: "EUR" }), payments: 1, volume: [money("0.00", "EUR", "0")] }),
      group({ key: key({ status: "PARTIALLY_REFUNDED", currency: "USD" }), payments: 1, volume: [money("10.00", "USD", "1000")] }),
      group({ key: key({ status: "REQUIRES_PAYMENT_METHOD", currency: "KWD" }), payments: 1, volume: [money("0.000", "KWD", "0")] }),
    ]);
  });

  it("groups by gateway account (a payment goes to the gateway of its successful attempt) and card brand", async () => {
    const answer = await ask({ from: "2026-03-10T10:00:00Z", to: "2026-03-10T11:00:00Z", interval: "HOUR", groupBy: ["GATEWAY", "CARD_BRAND"] });
    expect(answer.buckets[0]?.groups).toEqual([
      group({ key: key({ cardBrand: null }), payments: 1, volume: [money("0.000", "KWD", "0")] }),
      group({ key: key({ cardBrand: "visa" }), payments: 1, volume: [money("0.00", "EUR", "0")] }),
      group({ key: key({ gateway: { id: acquirerX, name: "acquirer-x" }, cardBrand: "mastercard" }), payments: 1, volume: [money("5.00", "USD", "500")],
        attemptsFinished: 1, attemptsSucceeded: 1, authorizationSuccessRate: 1, latency: { samples: 1, percentiles: [p(50, 750, 1000), p(95, 750, 1000), p(99, 750, 1000)] } }),
      group({ key: key({ gateway: sandbox, cardBrand: "visa" }), payments: 1, volume: [money("10.00", "USD", "1000")],
        attemptsFinished: 3, attemptsSucceeded: 1, authorizationSuccessRate: 1 / 3, refunds: 1, refundVolume: [money("2.50", "USD", "250")],
        latency: { samples: 3, percentiles: [p(50, 100, 150), p(95, 2000, 3000), p(99, 2000, 3000)] } }),
    ]);
  });

  it("cuts DAY buckets of 24 UTC hours from `from`, which may carry any offset", async () => {
    const day = await ask({ from: "2026-03-10T00:00:00Z", to: "2026-03-12T00:00:00Z", interval: "DAY" });
    expect(day.buckets.map((b) => [b.start, b.groups.map((g) => [g.payments, g.volume.map((v) => `${v.amount} ${v.currency}`)])])).toEqual([
      ["2026-03-10T00:00:00.000Z", [[5, ["0.00 EUR", "1000 JPY", "0.000 KWD", "15.00 USD"]]]],
      ["2026-03-11T00:00:00.000Z", []],
    ]);
    // 12:00 at +02:00 is 10:00Z; a day from 11:00Z holds only the 11:00 payment
    const offset = await ask({ from: "2026-03-10T12:00:00+02:00", to: "2026-03-10T13:00:00+02:00", interval: "HOUR" });
    expect(offset.buckets).toEqual([{ start: "2026-03-10T10:00:00.000Z", end: "2026-03-10T11:00:00.000Z", groups: [hour10] }]);
    const shifted = await ask({ from: "2026-03-10T06:00:00-05:00", to: "2026-03-11T06:00:00-05:00", interval: "DAY" });
    expect(shifted.buckets).toEqual([{ start: "2026-03-10T11:00:00.000Z", end: "2026-03-11T11:00:00.000Z", groups: [hour11] }]);
  });

  it.each([
    ["from after to", { from: "2026-03-10T11:00:00Z", to: "2026-03-10T10:00:00Z", interval: "HOUR" }],
    ["from equal to to", { from: "2026-03-10T10:00:00Z", to: "2026-03-10T10:00:00Z", interval: "HOUR" }],
    ["from inside an hour", { from: "2026-03-10T10:30:00Z", to: "2026-03-10T11:30:00Z", interval: "HOUR" }],
    ["a range that is not whole days", { from: "2026-03-10T00:00:00Z", to: "2026-03-11T05:00:00Z", interval: "DAY" }],
    ["too many hours", { from: "2026-01-01T00:00:00Z", to: "2026-03-01T00:00:00Z", interval: "HOUR" }],
  ] as const)("refuses %s with BAD_USER_INPUT", async (_what, input) => {
    expect(errorCode(await gql(server.url, AnalyticsDocument, { input }, { key: server.key }))).toBe("BAD_USER_INPUT");
  });

  it("never shows another merchant's figures", async () => {
    const other = await server.stack.merchant("Other");
    const theirs = seed.forMerchant(other.merchantId);
    await theirs.payment({ status: "CAPTURED", currency: "USD", amount: 99_999n, captured: 99_999n, createdAt: "2026-03-10T10:10:00Z" });
    const input = { from: "2026-03-10T10:00:00Z", to: "2026-03-10T11:00:00Z", interval: "HOUR" as const };
    expect((await ask(input)).buckets[0]?.groups).toEqual([hour10]);
    expect((await ask(input, other.secretKey)).buckets[0]?.groups).toEqual([group({ payments: 1, volume: [money("999.99", "USD", "99999")] })]);
  });

  it("follows a payment made through the API, from creation to refund", async () => {
    const { secretKey } = await server.stack.merchant("Live");
    const now = new Date();
    const from = new Date(Math.floor(now.getTime() / 3_600_000) * 3_600_000 - 3_600_000).toISOString();
    const to = new Date(Date.parse(from) + 3 * 3_600_000).toISOString();
    const figures = async () => (await ask({ from, to, interval: "HOUR", groupBy: ["STATUS"] }, secretKey)).buckets.flatMap((b) => b.groups);
    const id = ok(await gql(server.url, CreatePaymentDocument, { input: { amount: "12.50", currency: "USD" } }, { key: secretKey })).createPayment.payment.id;
    expect(await figures()).toEqual([group({ key: key({ status: "REQUIRES_PAYMENT_METHOD" }), payments: 1, volume: [money("0.00", "USD", "0")] })]);
    ok(await gql(server.url, ConfirmPaymentDocument, { input: { paymentId: id, card: card(TEST_CARDS.approve) } }, { key: secretKey }));
    await eventually(async () => ok(await gql(server.url, PaymentDocument, { id }, { key: secretKey })).payment, (p) => p.status === "CAPTURED");
    ok(await gql(server.url, RefundPaymentDocument, { input: { paymentId: id, amount: "2.00" } }, { key: secretKey }));
    await eventually(async () => ok(await gql(server.url, PaymentDocument, { id }, { key: secretKey })).payment, (p) => p.status === "PARTIALLY_REFUNDED");
    const groups = await figures();
    expect(groups.map((g) => ({ ...g, latency: g.latency.samples }))).toEqual([
      { ...group({ attemptsFinished: 1, attemptsSucceeded: 1, authorizationSuccessRate: 1, refunds: 1, refundVolume: [money("2.00", "USD", "200")] }), latency: 1 },
      { ...group({ key: key({ status: "PARTIALLY_REFUNDED" }), payments: 1, volume: [money("12.50", "USD", "1250")] }), latency: 0 },
    ]);
  });

  it("pushes changed buckets over graphql-ws, at most one message a second, the last with the final figures", async () => {
    const ws = wsClient(server.url, server.key);
    const input = { from: "2026-04-01T00:00:00Z", to: "2026-04-01T02:00:00Z", interval: "HOUR" as const, reportingCurrency: "EUR" };
    const sub = subscribe(ws, AnalyticsUpdatedDocument, { input });
    const first = await sub.until(() => true);
    expect(first.analyticsUpdated.buckets.map((b) => [b.start, b.groups])).toEqual([["2026-04-01T00:00:00.000Z", []], ["2026-04-01T01:00:00.000Z", []]]);
    const changes = 30;
    for (let i = 0; i < changes; i += 1) {
      await seed.payment({ status: "CAPTURED", currency: "EUR", amount: 100n, captured: 100n, createdAt: "2026-04-01T01:30:00Z" });
      await new Promise((r) => setTimeout(r, 20));
    }
    const last = await sub.until((e) => e.analyticsUpdated.buckets[0]?.groups[0]?.payments === changes);
    expect(last.analyticsUpdated.buckets).toEqual([{
      start: "2026-04-01T01:00:00.000Z", end: "2026-04-01T02:00:00.000Z",
      groups: [group({ payments: changes, volume: [money("30.00", "EUR", "3000")], reportingVolume: money("30.00", "EUR", "3000"), reportingRefundVolume: money("0.00", "EUR", "0") })],
    }]);
    // Only the bucket that changed is sent, and a burst of 30 changes makes far fewer messages.
    const updates = sub.events.slice(1);
    expect(updates.every((e) => e.analyticsUpdated.buckets.length === 1)).toBe(true);
    expect(updates.length).toBeLessThan(changes / 2);
    expect(sub.errors).toEqual([]);
    sub.dispose();
    await ws.dispose();
  });

  it("answers DAY buckets off UTC midnight (from the daily rollup and edge hours) as the sum of their hours", async () => {
    const [visa, mastercard] = [await seed.card("visa"), await seed.card("mastercard")];
    const captured = async (currency: string, minor: bigint, createdAt: string, cardId: string | undefined, latencies: number[], gateway?: string) => {
      const paymentId = await seed.payment({ status: minor > 0n ? "CAPTURED" : "FAILED", currency, amount: minor || 700n, captured: minor, createdAt, cardId });
      for (const [n, latencyMs] of latencies.entries()) {
        const status = n === latencies.length - 1 && minor > 0n ? "SUCCEEDED" : "FAILED";
        await seed.attempt({ paymentId, status, latencyMs, createdAt, ...(gateway ? { gatewayAccountId: acquirerX, gateway } : {}) });
      }
      return paymentId;
    };
    // In hours that each scheme adds, subtracts, or must leave out at the range's ends.
    await captured("USD", 2000n, "2026-06-01T01:30:00Z", visa, [40]);
    const b = await captured("EUR", 3000n, "2026-06-01T22:40:00Z", mastercard, [800], "acquirer-x");
    await seed.refund(b, 500n, "SUCCEEDED", "2026-06-02T01:10:00Z");
    await captured("USD", 0n, "2026-06-02T01:00:00Z", visa, [3000]);
    await captured("JPY", 500n, "2026-06-02T13:00:00Z", visa, [120, 60]);
    await captured("USD", 900n, "2026-06-02T23:00:00Z", mastercard, [200], "acquirer-x");
    await captured("USD", 200n, "2026-06-03T10:00:00Z", visa, [100]);
    await seed.payment({ status: "REQUIRES_PAYMENT_METHOD", currency: "EUR", amount: 100n, createdAt: "2026-06-03T23:00:00Z" });

    // A group's figures without percentiles (those cannot be added from hours; checked by hand below).
    const figures = (g: Group) => ({
      key: JSON.stringify(g.key), payments: g.payments, volume: g.volume.map((v) => `${v.minorUnits} ${v.currency}`), attempts: [g.attemptsFinished, g.attemptsSucceeded],
      refunds: g.refunds, refundVolume: g.refundVolume.map((v) => `${v.minorUnits} ${v.currency}`), samples: g.latency.samples,
    });
    type Figures = ReturnType<typeof figures>;
    const addAmounts = (a: string[], b: string[]): string[] => {
      const sums = new Map<string, bigint>();
      for (const [minor, currency] of [...a, ...b].map((m) => m.split(" "))) sums.set(currency ?? "", (sums.get(currency ?? "") ?? 0n) + BigInt(minor ?? "0"));
      return [...sums].sort(([x], [y]) => (x < y ? -1 : 1)).map(([currency, minor]) => `${minor} ${currency}`);
    };
    const sumOfHours = (groups: Group[]): Figures[] => {
      const byKey = new Map<string, Figures>();
      for (const f of groups.map(figures)) {
        const acc = byKey.get(f.key);
        byKey.set(f.key, acc ? {
          key: f.key, payments: acc.payments + f.payments, volume: addAmounts(acc.volume, f.volume),
          attempts: [(acc.attempts[0] ?? 0) + (f.attempts[0] ?? 0), (acc.attempts[1] ?? 0) + (f.attempts[1] ?? 0)],
          refunds: acc.refunds + f.refunds, refundVolume: addAmounts(acc.refundVolume, f.refundVolume), samples: acc.samples + f.samples,
        } : f);
      }
      return [...byKey.values()].sort((x, y) => (x.key < y.key ? -1 : 1));
    };
    const compare = async (from: string, days: number, groupBy: AnalyticsInput["groupBy"]) => {
      const to = new Date(Date.parse(from) + days * 86_400_000).toISOString();
      const [day, hour] = [await ask({ from, to, interval: "DAY", groupBy }), await ask({ from, to, interval: "HOUR", groupBy })];
      expect(day.buckets.map((bucket) => bucket.groups.map(figures).sort((x, y) => (x.key < y.key ? -1 : 1))))
        .toEqual(Array.from({ length: days }, (_, d) => sumOfHours(hour.buckets.slice(d * 24, d * 24 + 24).flatMap((h) => h.groups))));
      return day;
    };
    const all = ["STATUS", "CURRENCY", "GATEWAY", "CARD_BRAND"] as const;
    for (const folded of [false, true]) {
      if (folded) await eventually(() => seed.unfoldedDeltas(), (n) => n === 0);
      for (const from of ["2026-06-01T22:00:00Z", "2026-06-01T02:00:00Z", "2026-06-01T12:00:00Z", "2026-06-01T13:00:00Z"]) {
        await compare(from, 2, []);
        await compare(from, 2, [...all]);
      }
      // 22:00Z (UTC+2's midnight): B, its refund, C and D in the first day; E and G in the second.
      const plus2 = await compare("2026-06-01T22:00:00Z", 2, []);
      expect(plus2.buckets.map((bucket) => bucket.groups)).toEqual([
        [group({
          payments: 3, volume: [money("30.00", "EUR", "3000"), money("500", "JPY", "500"), money("0.00", "USD", "0")],
          attemptsFinished: 4, attemptsSucceeded: 2, authorizationSuccessRate: 0.5, refunds: 1, refundVolume: [money("5.00", "EUR", "500")],
          // samples 60, 120, 800, 3000 ms
          latency: { samples: 4, percentiles: [p(50, 100, 150), p(95, 2000, 3000), p(99, 2000, 3000)] },
        })],
        [group({
          payments: 2, volume: [money("11.00", "USD", "1100")], attemptsFinished: 2, attemptsSucceeded: 2, authorizationSuccessRate: 1,
          latency: { samples: 2, percentiles: [p(50, 75, 100), p(95, 150, 200), p(99, 150, 200)] },
        })],
      ]);
    }
  });

  describe("in a reporting currency", () => {
    let shop: string;
    let admin: string;
    const rateAsOf = "2026-11-01T00:00:00.000Z";
    beforeAll(async () => {
      const [owner, platform] = await Promise.all([server.stack.merchant("Reports"), server.stack.merchant("Platform", { admin: true })]);
      shop = owner.secretKey;
      admin = platform.secretKey;
      const setRate = async (input: { from: string; to: string; rate: string; asOf: string }) => ok(await gql(server.url, SetExchangeRateDocument, { input }, { key: admin }));
      // The older EUR rate is history: the latest asOf is the rate in force. NOK gets no rate (nor has the sandbox one).
      await setRate({ from: "EUR", to: "USD", rate: "1.2", asOf: "2026-10-01T00:00:00Z" });
      await setRate({ from: "EUR", to: "USD", rate: "1.085", asOf: rateAsOf });
      await setRate({ from: "JPY", to: "USD", rate: "0.006565", asOf: rateAsOf });
      const theirs = seed.forMerchant(owner.merchantId);
      const paid = (currency: string, minor: bigint, createdAt: string, refunded = 0n) =>
        theirs.payment({ status: refunded ? "PARTIALLY_REFUNDED" : "CAPTURED", currency, amount: minor, captured: minor, refunded, createdAt });
      await paid("USD", 1000n, "2026-05-04T10:05:00Z");
      await theirs.refund(await paid("EUR", 1010n, "2026-05-04T10:10:00Z", 250n), 250n, "SUCCEEDED", "2026-05-04T10:40:00Z");
      await paid("JPY", 700n, "2026-05-04T10:20:00Z");
      await paid("JPY", 300n, "2026-05-04T10:30:00Z");
      await paid("JPY", 3000n, "2026-05-04T11:15:00Z");
      await paid("NOK", 5000n, "2026-05-04T12:00:00Z");
    });
    const conversions = [
      { from: "EUR", to: "USD", rate: "1.085", source: "manual", asOf: rateAsOf },
      { from: "JPY", to: "USD", rate: "0.006565", source: "manual", asOf: rateAsOf },
    ];

    it("converts each currency's total once, half to even, then adds, naming every rate used", async () => {
      const answer = await ask({ from: "2026-05-04T10:00:00Z", to: "2026-05-04T12:00:00Z", interval: "HOUR", reportingCurrency: "USD" }, shop);
      expect(answer).toMatchObject({ reportingCurrency: "USD", conversions, missingRates: [] });
      expect(answer.buckets.map((b) => b.groups)).toEqual([
        // $10.00 + €10.10 × 1.085 = $10.9585 → 1096 cents + ¥1000 × 0.006565 = 656.5 cents → 656 (tie, to
        // even; ¥700 and ¥300 converted apart would give 460 + 197). Refunds: €2.50 × 1.085 = 271.25 → 271.
        [group({ payments: 4, volume: [money("10.10", "EUR", "1010"), money("1000", "JPY", "1000"), money("10.00", "USD", "1000")],
          refunds: 1, refundVolume: [money("2.50", "EUR", "250")], reportingVolume: money("27.52", "USD", "2752"), reportingRefundVolume: money("2.71", "USD", "271") })],
        // ¥3000 × 0.006565 = 1969.5 cents → 1970 (tie, to even)
        [group({ payments: 1, volume: [money("3000", "JPY", "3000")], reportingVolume: money("19.70", "USD", "1970"), reportingRefundVolume: money("0.00", "USD", "0") })],
      ]);
    });

    it("never drops a currency without a rate: its groups have null reporting figures and the pair is listed", async () => {
      const answer = await ask({ from: "2026-05-04T00:00:00Z", to: "2026-05-05T00:00:00Z", interval: "DAY", groupBy: ["CURRENCY"], reportingCurrency: " usd" }, shop);
      expect(answer).toMatchObject({ reportingCurrency: "USD", conversions, missingRates: [{ from: "NOK", to: "USD" }] });
      expect(answer.buckets[0]?.groups.map((g) => [g.key.currency, g.reportingVolume?.amount ?? null, g.reportingRefundVolume?.amount ?? null])).toEqual([
        ["EUR", "10.96", "2.71"],
        ["JPY", "26.26", "0.00"], // ¥4000 × 0.006565 = 2626 cents
        ["NOK", null, "0.00"], // no NOK refunds: nothing to convert
        ["USD", "10.00", "0.00"],
      ]);
      const all = await ask({ from: "2026-05-04T00:00:00Z", to: "2026-05-05T00:00:00Z", interval: "DAY", reportingCurrency: "USD" }, shop);
      expect(all.buckets[0]?.groups.map((g) => [g.volume.length, g.reportingVolume, g.reportingRefundVolume?.amount])).toEqual([[4, null, "2.71"]]);
    });

    it.each([["XYZ"], ["XAU"], [""]])("refuses reporting currency %j with BAD_USER_INPUT", async (reportingCurrency) => {
      const result = await gql(server.url, AnalyticsDocument, { input: { from: "2026-05-04T10:00:00Z", to: "2026-05-04T11:00:00Z", interval: "HOUR", reportingCurrency } }, { key: shop });
      expect(errorCode(result)).toBe("BAD_USER_INPUT");
      expect(result.errors?.[0]?.extensions?.field).toBe("reportingCurrency");
    });
  });
});
