// A merchant's own risk controls (issue 12) through the real server, worker and sandbox: rules in
// the risk language checked on save (typed errors naming the field, nothing unsafe, nothing half
// saved), evaluated in the documented order (lists, then ALLOW, BLOCK, REVIEW, REQUEST_3DS rules,
// then the score against the merchant's thresholds), shadow rules recorded and not acted on, allow
// and block lists, reportFraud's block entries, and the hosted checkout's shopper signals.
// Every card here is a fresh number (the sandbox approves any valid one), so no card's history or
// velocity from another test moves a score.
import { randomInt } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import {
  AddRiskListEntryDocument, ConfirmPaymentDocument, CreateCheckoutSessionDocument, CreateCustomerDocument, CreatePaymentDocument, CustomerDocument,
  PayCheckoutSessionDocument, PaymentDocument, RemoveRiskListEntryDocument, ReportFraudDocument, RiskRulesDocument, SetRiskRulesDocument,
  type ConfirmPaymentInput, type SetRiskRulesInput,
} from "../../client/src/generated/graphql.js";
import { isDocumentedTestCard, withLuhnDigit } from "../../src/gateways/sandbox/cards.js";
import { RISK_MODEL } from "../../src/risk/model/risk-model.js";
import { TEST_CARDS as RISK_TEST_CARDS } from "../../src/risk/rules.js";
import { card, errorCode, eventually, gql, ok, useServer } from "../support/stack.js";

const server = useServer();
const as = () => ({ key: server.key });

/**
 * A valid card number never used before: `prefix` (the issuer country's BIN, see src/vault/bin-country.ts),
 * random digits, Luhn digit; never one the sandbox or the risk step knows by its first six and last four.
 */
function freshCard(prefix = "424242424"): string {
  for (;;) {
    const number = withLuhnDigit(prefix + Array.from({ length: 15 - prefix.length }, () => randomInt(10)).join(""));
    const key = `${number.slice(0, 6)}:${number.slice(-4)}`;
    if (!isDocumentedTestCard(number.slice(0, 6), number.slice(-4)) && !(key in RISK_TEST_CARDS)) return number;
  }
}
const BIN = { US: "424242424", DE: "400000276", JP: "400000392", BR: "400000076" } as const;

const create = async (amount = "20.00", currency = "USD", customerId?: string) =>
  ok(await gql(server.url, CreatePaymentDocument, { input: { amount, currency, customerId } }, as())).createPayment.payment;
const pay = async (number: string, extra: Partial<ConfirmPaymentInput> = {}, amount = "20.00", currency = "USD") => {
  const payment = await create(amount, currency);
  return ok(await gql(server.url, ConfirmPaymentDocument, { input: { paymentId: payment.id, card: card(number), ...extra } }, as())).confirmPayment.payment;
};
const read = async (id: string) => ok(await gql(server.url, PaymentDocument, { id }, as())).payment;
const setRules = (input: SetRiskRulesInput) => gql(server.url, SetRiskRulesDocument, { input }, as());
const field = (r: { errors?: readonly { extensions?: Record<string, unknown> }[] }) => [errorCode(r as never), r.errors?.[0]?.extensions?.field];

// Each test starts from paygraph's defaults: no rules, thresholds 50/70/85, the shipped large amounts.
beforeEach(async () => void ok(await setRules({ rules: [], thresholds: { requestThreeDSecure: 50, review: 70, block: 85 }, largeAmounts: [] })));

describe("the model", () => {
  it("scores a card like a real one and says why in words; the sandbox's documented cards are scored by the rules only", async () => {
    const number = freshCard();
    for (let i = 0; i < 3; i++) expect((await pay(number)).risk?.modelVersion).toBe(RISK_MODEL.version);
    const spike = await pay(number, {}, "600.00");
    expect(spike.risk?.reasons[0]).toEqual({ code: "amount_vs_usual", message: "30.0× this card's usual amount here", source: "model:amount_vs_usual", points: expect.any(Number) });
    expect(spike.risk?.outcome).not.toBe("ALLOW");
    // 4242 4242 4242 4242, however it is used: like Stripe's test cards, no model score.
    const sandbox = await pay("4242424242424242", {}, "600.00");
    expect([sandbox.risk?.modelVersion, sandbox.risk?.reasons.filter((r) => r.source.startsWith("model:"))]).toEqual([null, []]);
  });
});

describe("merchant risk rules", () => {
  it("checks every rule on save: a typed error naming the field, nothing unsafe, nothing half saved", async () => {
    const before = ok(await gql(server.url, RiskRulesDocument, {}, as())).riskRules;
    const rule = (when: string, name = "r") => ({ name, action: "REVIEW" as const, when });
    const refused: [SetRiskRulesInput, string][] = [
      [{ rules: [rule("amount > 100", "fine"), rule("amount >", "broken")] }, "rules[1].when"],
      [{ rules: [rule('shopper_email_domain.matches("(a+)+$")')] }, "rules[0].when"], // a regex could backtrack for seconds
      [{ rules: [rule("[1, 2].exists(x, x > 1)")] }, "rules[0].when"], // no macros
      [{ rules: [rule("amount + 1")] }, "rules[0].when"], // not true or false
      [{ rules: [rule("password == \"x\"")] }, "rules[0].when"], // no such variable
      [{ rules: [rule(`amount > 1${" && amount > 1".repeat(40)}`)] }, "rules[0].when"], // too long
      [{ rules: [rule("amount > 1", "Bad Name")] }, "rules[0].name"],
      [{ rules: [rule("amount > 1", "twice"), rule("amount > 2", "twice")] }, "rules[1].name"],
      [{ rules: [], thresholds: { requestThreeDSecure: 60, review: 50 } }, "thresholds.review"],
      [{ rules: [], thresholds: { block: 101 } }, "thresholds.block"],
      [{ rules: [], largeAmounts: [{ amount: "-5.00", currency: "USD" }] }, "largeAmounts[0].amount"],
    ];
    for (const [input, path] of refused) expect(field(await setRules(input)), JSON.stringify(input)).toEqual(["BAD_USER_INPUT", path]);
    expect(ok(await gql(server.url, RiskRulesDocument, {}, as())).riskRules).toEqual(before);

    const saved = ok(await setRules({ rules: [{ name: "eu-big", action: "REQUEST_3DS", when: 'card_country.startsWith("D") && amount >= 50000', mode: "SHADOW", message: "Big German order" }] })).setRiskRules.riskSettings;
    expect(saved.version).toBe(before.version + 1);
    expect(saved.rules).toEqual([{ name: "eu-big", action: "REQUEST_3DS", when: 'card_country.startsWith("D") && amount >= 50000', mode: "SHADOW", message: "Big German order" }]);
    expect(before.variables.map((v) => v.name)).toEqual(expect.arrayContaining(["amount", "card_country", "cards_per_email_10m", "risk_score"]));
  });

  it("lets the merchant's ACTIVE rules decide by action (ALLOW, BLOCK, REVIEW), and only records SHADOW ones", async () => {
    ok(await setRules({
      rules: [
        { name: "big-eur", action: "BLOCK", when: 'currency == "EUR" && amount >= 100000', message: "EUR 1,000 or more" },
        { name: "watch-jp", action: "REVIEW", when: 'card_country == "JP"', mode: "SHADOW" },
        { name: "review-de", action: "REVIEW", when: 'card_country == "DE"' },
        { name: "allow-small-de", action: "ALLOW", when: 'card_country == "DE" && amount < 1000' },
      ],
    }));
    const blocked = await pay(freshCard(BIN.US), {}, "1500.00", "EUR");
    expect([blocked.status, blocked.lastPaymentError?.code, blocked.risk?.outcome, blocked.risk?.decidedBy, blocked.risk?.reasons[0]?.message])
      .toEqual(["REQUIRES_PAYMENT_METHOD", "blocked_by_risk", "BLOCK", "merchant_rule:big-eur", "EUR 1,000 or more"]);

    const watched = await pay(freshCard(BIN.JP));
    expect([watched.risk?.outcome, watched.risk?.decidedBy, watched.risk?.shadowMatches]).toEqual(["ALLOW", "score", [{ rule: "watch-jp", action: "REVIEW" }]]);
    expect((await eventually(() => read(watched.id), (p) => p.status !== "PROCESSING")).status).toBe("CAPTURED");

    const held = await pay(freshCard(BIN.DE));
    expect([held.status, held.risk?.decidedBy]).toEqual(["REQUIRES_REVIEW", "merchant_rule:review-de"]);
    // ALLOW rules come before REVIEW rules, whatever their order in the list.
    const small = await pay(freshCard(BIN.DE), {}, "5.00");
    expect([small.risk?.outcome, small.risk?.decidedBy]).toEqual(["ALLOW", "merchant_rule:allow-small-de"]);
  });

  it("weighs the score against the merchant's own thresholds and large amounts", async () => {
    const settings = ok(await setRules({ rules: [], thresholds: { review: 25 }, largeAmounts: [{ amount: "100", currency: "usd" }] })).setRiskRules.riskSettings;
    expect([settings.thresholds, settings.largeAmounts]).toEqual([{ requestThreeDSecure: null, review: 25, block: null }, [{ amount: "100.00", currency: "USD" }]]);
    const large = await pay(freshCard(BIN.US), {}, "150.00");
    expect([large.status, large.risk?.outcome, large.risk?.decidedBy]).toEqual(["REQUIRES_REVIEW", "REVIEW", "score"]);
    expect(large.risk?.reasons).toContainEqual({ code: "large_amount", message: "An amount of 100.00 USD or more", source: "rule:large_amount", points: 20 });
    expect(large.risk!.score).toBeGreaterThanOrEqual(25);
    const small = await pay(freshCard(BIN.US), {}, "1.00");
    expect([small.risk?.outcome, small.risk!.score < 25]).toEqual(["ALLOW", true]);
  });
});

describe("allow and block lists", () => {
  it("lets the allow list override the merchant's rules, blocks by the block list, and ends an entry when removed", async () => {
    ok(await setRules({ rules: [{ name: "block-all", action: "BLOCK", when: "amount > 0" }] }));
    const vip = `vip-${Date.now()}@shop.example`;
    const allowed = ok(await gql(server.url, AddRiskListEntryDocument, { input: { list: "ALLOW", email: vip, reason: "Known buyer" } }, as())).addRiskListEntry.riskListEntry;
    expect([allowed.list, allowed.subject, allowed.label.endsWith("@shop.example"), allowed.label.includes(vip)]).toEqual(["ALLOW", "EMAIL", true, false]);
    const vipRisk = (await pay(freshCard(), { shopper: { email: vip } })).risk;
    expect([vipRisk?.outcome, vipRisk?.decidedBy, vipRisk?.reasons[0]?.code]).toEqual(["ALLOW", "allow_list", "allow_list"]);
    expect((await pay(freshCard(), { shopper: { email: `other-${vip}` } })).risk?.decidedBy).toBe("merchant_rule:block-all");

    ok(await setRules({ rules: [] }));
    const thief = `thief-${Date.now()}@shop.example`;
    const entry = ok(await gql(server.url, AddRiskListEntryDocument, { input: { list: "BLOCK", email: thief } }, as())).addRiskListEntry.riskListEntry;
    // With a key, the confirmation runs in a transaction and the risk step reads on its connection.
    const blocked = await pay(freshCard(), { shopper: { email: thief }, idempotencyKey: `k-${thief}` });
    expect([blocked.status, blocked.risk?.outcome, blocked.risk?.decidedBy, blocked.risk?.reasons[0]?.message])
      .toEqual(["REQUIRES_PAYMENT_METHOD", "BLOCK", "block_list", `The email is on the merchant's block list (${entry.label})`]);
    // The why is the merchant's (risk.reasons); the error's message, which a shopper may see, does not tell it.
    expect(blocked.lastPaymentError?.message).toBe("Declined by the merchant's risk checks before reaching the card's bank; nothing was charged");
    // An address is listed by its digest and shown by its network only.
    const address = ok(await gql(server.url, AddRiskListEntryDocument, { input: { list: "BLOCK", ip: "203.0.113.77" } }, as())).addRiskListEntry.riskListEntry;
    expect([address.subject, address.label]).toEqual(["IP", "203.0.113.•"]);
    expect((await pay(freshCard(), { shopper: { ip: "203.0.113.77" } })).risk?.decidedBy).toBe("block_list");
    ok(await gql(server.url, RemoveRiskListEntryDocument, { input: { id: entry.id } }, as()));
    expect((await pay(freshCard(), { shopper: { email: thief } })).risk?.outcome).toBe("ALLOW");

    const refused = [
      [{ list: "BLOCK", email: thief, ip: "203.0.113.9" }, "ip"], [{ list: "BLOCK", email: "nope" }, "email"], [{ list: "BLOCK", ip: "10.0.0.300" }, "ip"],
      [{ list: "BLOCK", email: "   " }, "paymentMethodId"], [{ list: "BLOCK", ip: "fe80::1%eth-0" }, "ip"],
    ] as const;
    for (const [input, path] of refused) {
      expect(field(await gql(server.url, AddRiskListEntryDocument, { input }, as())), JSON.stringify(input)).toEqual(["BAD_USER_INPUT", path]);
    }
  });

  it("reportFraud puts the card and the email on the block list once, and their next payments are blocked", async () => {
    const number = freshCard();
    const email = `fraud-${Date.now()}@shop.example`;
    const paid = await pay(number, { shopper: { email } });
    await eventually(() => read(paid.id), (p) => p.status === "CAPTURED");
    const report = ok(await gql(server.url, ReportFraudDocument, { input: { paymentId: paid.id, reason: "Chargeback: fraudulent" } }, as())).reportFraud;
    expect(report.blocked.map((e) => [e.list, e.subject, e.paymentId, e.reason])).toEqual([
      ["BLOCK", "CARD", paid.id, "Chargeback: fraudulent"], ["BLOCK", "EMAIL", paid.id, "Chargeback: fraudulent"],
    ]);
    expect(report.blocked[0]!.label).toBe(`visa •••• ${number.slice(-4)}`);
    // Reporting again changes nothing.
    const again = ok(await gql(server.url, ReportFraudDocument, { input: { paymentId: paid.id } }, as())).reportFraud;
    expect(again.blocked.map((e) => e.id).sort()).toEqual(report.blocked.map((e) => e.id).sort());

    const cardRisk = (await pay(number)).risk;
    expect([cardRisk?.outcome, cardRisk?.decidedBy, cardRisk?.reasons[0]?.message]).toEqual(["BLOCK", "block_list", `The card is on the merchant's block list (visa •••• ${number.slice(-4)})`]);
    expect((await pay(freshCard(), { shopper: { email } })).risk?.decidedBy).toBe("block_list");
    // A payment never paid with a card cannot be reported.
    expect(errorCode(await gql(server.url, ReportFraudDocument, { input: { paymentId: (await create()).id } }, as()))).toBe("INVALID_STATE_TRANSITION");
  });

  it("does not save a blocked card to the customer, even when asked to", async () => {
    const customer = ok(await gql(server.url, CreateCustomerDocument, { input: { email: `c-${Date.now()}@shop.example` } }, as())).createCustomer.customer;
    const payment = await create("20.00", "USD", customer.id);
    const answer = ok(await gql(server.url, ConfirmPaymentDocument, { input: { paymentId: payment.id, card: card("4100000000000019"), savePaymentMethod: true } }, as())).confirmPayment.payment;
    expect(answer.risk?.outcome).toBe("BLOCK");
    expect(ok(await gql(server.url, CustomerDocument, { id: customer.id }, as())).customer?.paymentMethods.nodes).toEqual([]);
  });
});

describe("the hosted checkout's signals", () => {
  it("gives the risk step the shopper the merchant named on the session", async () => {
    const session = ok(await gql(server.url, CreateCheckoutSessionDocument, {
      input: { amount: "20.00", currency: "USD", successUrl: "http://127.0.0.1/thanks", shopper: { country: "US", email: `s-${Date.now()}@shop.example` } },
    }, as())).createCheckoutSession.checkoutSession;
    const secret = new URL(session.url!).hash.slice(1);
    ok(await gql(server.url, PayCheckoutSessionDocument, { input: { id: session.id, card: card(freshCard(BIN.BR)) } }, { key: secret }));
    const payment = await read(session.payment.id);
    expect(payment.risk?.reasons).toContainEqual(expect.objectContaining({ code: "country_mismatch", message: "A card issued in BR used by a shopper in US" }));
  });
});
