// The risk step (issue 12, first slice) through the real server, worker and sandbox: every
// confirmation is scored before it is routed, its assessment is on the payment with reasons in
// words; BLOCK charges nothing and counts as a failed attempt, REQUEST_3DS leads to the 3-D Secure
// challenge, velocity counts hold under concurrent confirmations, and an honest retry after
// "insufficient funds" is not counted against the card.
import { beforeAll, describe, expect, it } from "vitest";
import { ApprovePaymentDocument, ConfirmPaymentDocument, CreatePaymentDocument, PaymentDocument, RejectPaymentDocument, type ConfirmPaymentInput } from "../../client/src/generated/graphql.js";
import { TEST_CARDS, card, errorCode, eventually, gql, ok, useServer } from "../support/stack.js";
import { merchantWithOwner, signIn, userWithRole } from "../support/users.js";

const server = useServer({ MAX_FAILED_ATTEMPTS: "12" });
// Reviews nobody decides are cancelled after 1.8 s here (swept every 250 ms).
const hurried = useServer({ RISK_REVIEW_TIMEOUT_HOURS: "0.0005", RECONCILE_EVERY_MS: "250" });
let url: string;
let key: string;
beforeAll(() => void ({ url, key } = server));

const create = async (amount = "20.00", currency = "USD") => ok(await gql(url, CreatePaymentDocument, { input: { amount, currency } }, { key })).createPayment.payment;
const confirm = (paymentId: string, number: string, extra: Partial<ConfirmPaymentInput> = {}) =>
  gql(url, ConfirmPaymentDocument, { input: { paymentId, card: card(number), ...extra } }, { key });
const read = async (id: string) => ok(await gql(url, PaymentDocument, { id }, { key })).payment;
const settled = (id: string) => eventually(() => read(id), (p) => p.status !== "PROCESSING");
const codes = (p: { risk?: { reasons: { code: string }[] } | null }) => p.risk?.reasons.map((r) => r.code) ?? [];

describe("the risk step", () => {
  it("blocks the sandbox's blocked card in confirmPayment's own answer: nothing charged, a failed attempt, the reason in words", async () => {
    const payment = await create();
    const answer = ok(await confirm(payment.id, "4100000000000019")).confirmPayment.payment;
    expect(answer.status).toBe("REQUIRES_PAYMENT_METHOD");
    expect(answer.lastPaymentError).toMatchObject({ code: "blocked_by_risk", attemptId: null });
    expect(answer.risk).toMatchObject({ score: 100, level: "HIGHEST", outcome: "BLOCK", modelVersion: null, reasons: [{ code: "test_card", source: "rule:test_card" }] });
    const after = await read(payment.id);
    expect(after.attempts.nodes).toEqual([]);
    expect(after.card?.last4).toBe("0019");
    expect(after.events.nodes.map((e) => e.type)).toEqual(["payment.created", "payment.blocked"]);
    // Another card pays the same payment.
    ok(await confirm(payment.id, TEST_CARDS.approve));
    const paid = await settled(payment.id);
    expect([paid.status, paid.risk?.outcome, paid.lastPaymentError]).toEqual(["CAPTURED", "ALLOW", null]);
  });

  it("REQUEST_3DS leads to the 3-D Secure challenge", async () => {
    const payment = await create();
    ok(await confirm(payment.id, "4000000000003238"));
    const waiting = await settled(payment.id);
    expect(waiting.status).toBe("REQUIRES_ACTION");
    expect(waiting.risk?.outcome).toBe("REQUEST_3DS");
    expect(waiting.nextAction?.type).toBe("REDIRECT_TO_URL");
    expect(waiting.threeDSecure).toMatchObject({ transStatus: "C", flow: "CHALLENGE" });
    // Authenticated before any authorization: the one attempt waits for the challenge.
    expect(waiting.attempts.nodes.map((a) => [a.status, a.tries])).toEqual([["REQUIRES_ACTION", 0]]);
  });

  it("counts distinct cards per email atomically under concurrent confirmations, and says so", async () => {
    const email = `velocity-${Date.now()}@shop.example`;
    const cards = [TEST_CARDS.approve, "4000000760000002", "4000001240000000", "4000004840008001", "4000008260000000", "5555558265554449"];
    const payments = await Promise.all(cards.map(() => create()));
    await Promise.all(payments.map((p, i) => confirm(p.id, cards[i]!, { shopper: { email } }).then(ok)));
    const done = await Promise.all(payments.map((p) => settled(p.id)));
    const flagged = done.flatMap((p) => p.risk?.reasons.filter((r) => r.code === "cards_per_email").map((r) => r.message) ?? []);
    // Each confirmation saw its own count: 1 to 6, whatever the order; from 4 on the rule fires.
    expect(flagged.sort()).toEqual(["4 cards tried with this email in 10 minutes", "5 cards tried with this email in 10 minutes", "6 cards tried with this email in 10 minutes"]);
    for (const p of done) {
      const fired = codes(p).includes("cards_per_email");
      // 55 points: 3-D Secure first (frictionless here), then captured.
      expect([p.status, p.risk?.outcome, p.threeDSecure?.transStatus ?? null]).toEqual(fired ? ["CAPTURED", "REQUEST_3DS", "Y"] : ["CAPTURED", "ALLOW", null]);
    }
  });

  it("does not count an honest retry after insufficient funds against the card, but does count a card used over and over", async () => {
    const payment = await create();
    for (let i = 0; i < 7; i++) {
      ok(await confirm(payment.id, TEST_CARDS.softDecline));
      const declined = await settled(payment.id);
      expect(declined.lastPaymentError?.declineCode).toBe("insufficient_funds");
      if (i > 0) expect(codes(declined)).toEqual([]);
    }
    // Another card, confirmed on six payments in a row: from the sixth attempt the rule fires.
    const number = "4000003800000008";
    const risks = [];
    for (let i = 0; i < 6; i++) risks.push((ok(await confirm((await create()).id, number)).confirmPayment.payment).risk);
    expect(risks.slice(0, 5).every((r) => r?.reasons.length === 0)).toBe(true);
    expect(risks[5]).toMatchObject({ outcome: "ALLOW", score: 45, reasons: [{ code: "card_attempts", message: "6 attempts with this card in 10 minutes", points: 45 }] });
  });

  it("weighs a card from another country than the shopper's, and a large amount", async () => {
    const small = ok(await confirm((await create()).id, "4000000760000002", { shopper: { country: "US", ip: "203.0.113.7" } })).confirmPayment.payment;
    expect(small.risk).toMatchObject({ score: 30, level: "NORMAL", outcome: "ALLOW", reasons: [{ code: "country_mismatch", message: "A card issued in BR used by a shopper in US" }] });
    const large = ok(await confirm((await create("6000.00", "USD")).id, "4000000760000002", { shopper: { country: "US" } })).confirmPayment.payment;
    expect(large.risk).toMatchObject({ score: 50, level: "ELEVATED", outcome: "REQUEST_3DS" });
    expect(codes(large).sort()).toEqual(["country_mismatch", "large_amount"]);
  });

  it("refuses shopper signals that are not what they say, with a typed error and nothing written", async () => {
    const payment = await create();
    for (const [shopper, field] of [[{ ip: "10.0.0.300" }, "shopper.ip"], [{ ip: "fe80::1%eth-0" }, "shopper.ip"], [{ email: "not-an-email" }, "shopper.email"], [{ country: "XX" }, "shopper.country"]] as const) {
      const result = await confirm(payment.id, TEST_CARDS.approve, { shopper });
      expect([errorCode(result), result.errors?.[0]?.extensions?.field]).toEqual(["BAD_USER_INPUT", field]);
    }
    expect((await read(payment.id)).status).toBe("REQUIRES_PAYMENT_METHOD");
  });
});

describe("review", () => {
  it("holds the reviewed card in REQUIRES_REVIEW until a person with risk:review approves or rejects it; keys and other roles cannot, nor another merchant", async () => {
    const shop = await merchantWithOwner(server.stack);
    const owner = await signIn(url, shop.ownerEmail);
    const support = (await userWithRole(url, owner, "SUPPORT")).token;
    const developer = (await userWithRole(url, owner, "DEVELOPER")).token;
    const as = (k: string) => ({ key: k });
    const held = async () => {
      const p = ok(await gql(url, CreatePaymentDocument, { input: { amount: "30.00", currency: "EUR" } }, as(shop.secretKey))).createPayment.payment;
      const answer = ok(await gql(url, ConfirmPaymentDocument, { input: { paymentId: p.id, card: card("4000000000009235") } }, as(shop.secretKey))).confirmPayment.payment;
      expect([answer.status, answer.risk?.outcome, answer.risk?.level]).toEqual(["REQUIRES_REVIEW", "REVIEW", "ELEVATED"]);
      return p.id;
    };
    const approve = (id: string, k: string) => gql(url, ApprovePaymentDocument, { input: { paymentId: id } }, as(k));
    const first = await held();
    for (const k of [shop.secretKey, developer]) {
      const refused = await approve(first, k);
      expect([errorCode(refused), refused.errors?.[0]?.extensions?.missingScope]).toEqual(["FORBIDDEN", "risk:review"]);
    }
    // Another merchant's owner: as if the payment did not exist.
    const other = await merchantWithOwner(server.stack);
    expect(errorCode(await approve(first, await signIn(url, other.ownerEmail)))).toBe("NOT_FOUND");
    expect((ok(await gql(url, PaymentDocument, { id: first }, as(shop.secretKey)))).payment.attempts.nodes).toEqual([]);

    expect(ok(await approve(first, support)).approvePayment.payment.status).toBe("PROCESSING");
    const paid = await eventually(async () => ok(await gql(url, PaymentDocument, { id: first }, as(shop.secretKey))).payment, (p) => p.status !== "PROCESSING");
    expect([paid.status, paid.attempts.nodes.length]).toEqual(["CAPTURED", 1]);
    expect(paid.events.nodes.map((e) => e.type)).toEqual(["payment.created", "payment.requires_review", "payment.approved", "payment.captured"]);
    // Approving again is refused: it is no longer held.
    expect(errorCode(await approve(first, support))).toBe("INVALID_STATE_TRANSITION");

    const second = await held();
    const rejected = ok(await gql(url, RejectPaymentDocument, { input: { paymentId: second, reason: "Shipping address on a fraud list" } }, as(owner))).rejectPayment.payment;
    expect([rejected.status, rejected.lastPaymentError?.code, rejected.lastPaymentError?.message]).toEqual(["CANCELED", "rejected_in_review", "Shipping address on a fraud list"]);
    expect(errorCode(await gql(url, RejectPaymentDocument, { input: { paymentId: second, reason: " " } }, as(owner)))).toBe("BAD_USER_INPUT");
  });

  it("cancels a review nobody decides in RISK_REVIEW_TIMEOUT_HOURS", async () => {
    const p = ok(await gql(hurried.url, CreatePaymentDocument, { input: { amount: "30.00", currency: "EUR" } }, { key: hurried.key })).createPayment.payment;
    expect(ok(await gql(hurried.url, ConfirmPaymentDocument, { input: { paymentId: p.id, card: card("4000000000009235") } }, { key: hurried.key })).confirmPayment.payment.status).toBe("REQUIRES_REVIEW");
    const ended = await eventually(async () => ok(await gql(hurried.url, PaymentDocument, { id: p.id }, { key: hurried.key })).payment, (x) => x.status !== "REQUIRES_REVIEW");
    expect([ended.status, ended.lastPaymentError?.code, ended.attempts.nodes.length]).toEqual(["CANCELED", "review_timed_out", 0]);
  });
});
