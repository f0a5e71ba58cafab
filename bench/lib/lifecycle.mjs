// The lifecycle load: C virtual clients, each with its own graphql-ws connection, loop
// createPayment → confirmPayment (4242…, or `card` with `confirm` fields) → wait for CAPTURED on
// paymentUpdated(paymentId:). With `shopper`, a challenged payment's REQUIRES_ACTION is met by
// `shopper(redirectUrl)` (acs-shopper.mjs) before CAPTURED is awaited.
// Closed loop by default (a client starts its next lifecycle when the last one ends); with `rate`
// the clients are paced so that together they start about `rate` lifecycles per second.
import { randomUUID } from "node:crypto";
import { GqlError, connectWs, post, waitForStatus } from "./gql.mjs";
import { round, sleep, summarize } from "./stats.mjs";

const CREATE = "mutation Create($input: CreatePaymentInput!) { createPayment(input: $input) { payment { id status } } }";
const CONFIRM = "mutation Confirm($input: ConfirmPaymentInput!) { confirmPayment(input: $input) { payment { id status } } }";
const CARD = { number: "4242424242424242", expMonth: 12, expYear: 2030, cvc: "123" };
const NEXT_ACTION = "query Next($id: ID!) { payment(id: $id) { nextAction { redirectUrl } } }";

/**
 * @param {object} o
 * @param {string} o.httpUrl   POST /graphql
 * @param {string} o.wsUrl     ws://…/graphql
 * @param {string} o.key       the merchant's secret key
 * @param {number} o.concurrency
 * @param {number} o.durationMs
 * @param {number} [o.rate]    lifecycles/s to pace at (all clients together); closed loop if absent
 * @param {number} [o.timeoutMs] budget of one whole lifecycle
 * @param {string[]} [o.ids]   captured payment ids are pushed here (the read phase's pool)
 * @param {string | (() => string)} [o.card] the card number, or a function giving each lifecycle's (default 4242…)
 * @param {object} [o.confirm] more confirmPayment input fields (requestThreeDSecure, returnUrl)
 * @param {(redirectUrl: string) => Promise<void>} [o.shopper] meets a 3-D Secure challenge
 */
export async function runLifecycles(o) {
  const timeoutMs = o.timeoutMs ?? 10_000;
  const clients = await Promise.all(Array.from({ length: o.concurrency }, () => connectWs(o.wsUrl, o.key)));
  const lifecycleMs = [];
  const createMs = [];
  const confirmMs = [];
  const captureWaitMs = [];
  const errors = {};
  const samples = [];
  let completedInWindow = 0;
  const started = performance.now();
  const deadline = started + o.durationMs;
  const interval = o.rate ? (1000 * o.concurrency) / o.rate : 0;

  const fail = (err) => {
    const kind = err instanceof GqlError ? err.kind : "client";
    errors[kind] = (errors[kind] ?? 0) + 1;
    if (samples.length < 5) samples.push(`${kind}: ${err.message}`);
  };

  async function one(ws) {
    const t0 = performance.now();
    const budget = () => Math.max(1, timeoutMs - (performance.now() - t0));
    const created = await post(o.httpUrl, o.key, CREATE, { input: { amount: "12.50", currency: "USD", idempotencyKey: randomUUID() } }, budget());
    const id = created.createPayment.payment.id;
    const t1 = performance.now();
    const confirmed = await post(o.httpUrl, o.key, CONFIRM, { input: { paymentId: id, card: o.card ? { ...CARD, number: typeof o.card === "function" ? o.card() : o.card } : CARD, ...o.confirm } }, budget());
    const t2 = performance.now();
    if (confirmed.confirmPayment.payment.status !== "PROCESSING") {
      throw new GqlError(`status:${confirmed.confirmPayment.payment.status}`, `confirmPayment answered ${confirmed.confirmPayment.payment.status}`);
    }
    if (o.shopper) {
      await waitForStatus(ws, id, "REQUIRES_ACTION", budget(), ["FAILED", "CANCELED", "REQUIRES_PAYMENT_METHOD", "CAPTURED"]);
      const next = await post(o.httpUrl, o.key, NEXT_ACTION, { id }, budget());
      await o.shopper(next.payment.nextAction.redirectUrl);
    }
    await waitForStatus(ws, id, "CAPTURED", budget());
    const t3 = performance.now();
    createMs.push(t1 - t0);
    confirmMs.push(t2 - t1);
    captureWaitMs.push(t3 - t2);
    lifecycleMs.push(t3 - t0);
    if (t3 <= deadline) completedInWindow += 1;
    if (o.ids && o.ids.length < 20_000) o.ids.push(id);
  }

  async function loop(ws, index) {
    // Paced clients start staggered, so the starts spread evenly over each interval.
    let next = started + (interval * index) / o.concurrency;
    for (;;) {
      if (interval) {
        const wait = next - performance.now();
        if (wait > 0) await sleep(wait);
        next = Math.max(next + interval, performance.now());
      }
      if (performance.now() >= deadline) return;
      await one(ws).catch(fail);
    }
  }

  await Promise.all(clients.map((ws, i) => loop(ws, i)));
  const drainedMs = performance.now() - started;
  await Promise.all(clients.map((ws) => ws.dispose()));
  const errorCount = Object.values(errors).reduce((a, b) => a + b, 0);
  return {
    concurrency: o.concurrency,
    pacedRate: o.rate ? round(o.rate) : null,
    durationS: round(o.durationMs / 1000),
    completed: lifecycleMs.length,
    lifecyclesPerS: round((completedInWindow * 1000) / o.durationMs),
    errors: errorCount,
    errorKinds: errors,
    errorSamples: samples,
    drainS: round((drainedMs - o.durationMs) / 1000),
    lifecycleMs: summarize(lifecycleMs),
    createMs: summarize(createMs),
    confirmMs: summarize(confirmMs),
    captureWaitMs: summarize(captureWaitMs),
  };
}
