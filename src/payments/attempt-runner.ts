// The worker's half of a payment attempt: call the gateway outside any transaction, then record
// the outcome and move the payment in one short transaction. Safe to run again after a crash at
// any point: the attempt id is the gateway idempotency key, and only a PENDING attempt is finished.
// A lost answer (timeout, 5xx) is never taken for a decline: when retries run out, the gateway is
// asked what happened under the key, and an attempt whose fate is unknown stays PENDING for the
// reconciler rather than letting the shopper pay a second time. When nothing was charged (a soft
// decline, a gateway never reached, a lost answer the gateway confirmed it never charged) and the
// merchant connected another gateway that accepts the payment, the next attempt goes there, with
// a new idempotency key.
import type { App, Ctx } from "../platform/app.js";
import { commit } from "../platform/app.js";
import { gatewayLatency } from "../platform/metrics.js";
import { CONNECT_FAILED, TransientGatewayError, type Gateway, type GatewayOutcome } from "../gateways/gateway.js";
import { gatewayFor } from "../gateways/registry.js";
import { listGatewayAccounts } from "../gateways/accounts/gateway-accounts.js";
import { nextGateway, type RouteChoice } from "../routing/route-plan.js";
import { newId } from "../platform/ids.js";
import { writeOutbox } from "../platform/outbox.js";
import { GATEWAY_JOB_TOPIC, type GatewayJob } from "../platform/queue.js";
import type { Payment, PaymentAttempt } from "../generated/prisma/client.js";
import { cardDetails } from "../vault/vault.js";
import type { PaymentChange } from "./payment-change.js";
import { transitionPayment } from "./transition.js";

export function changeForOutcome(outcome: GatewayOutcome, payment: Payment, attemptId: string): PaymentChange {
  switch (outcome.kind) {
    case "approved":
      return payment.captureMethod === "AUTOMATIC" ? { kind: "captured", amount: payment.amount } : { kind: "authorized" };
    case "requires_action":
      return { kind: "requiresAction" };
    case "declined":
      return { kind: "declined", error: { code: outcome.code, declineCode: outcome.declineCode || null, message: outcome.message, attemptId } };
    case "transient":
      return { kind: "declined", error: { code: outcome.code, declineCode: null, message: `${outcome.message} (retries exhausted; nothing was charged)`, attemptId } };
  }
}

/**
 * Whether a failed attempt may go on to the next gateway: only when nothing was charged (a soft
 * decline, or a lost answer the gateway confirmed as never charged), never after a hard decline.
 */
const mayFailOver = (outcome: GatewayOutcome): boolean =>
  (outcome.kind === "declined" && (!outcome.hard || GATEWAY_REFUSALS.has(outcome.code))) || outcome.kind === "transient";

/** Refusals about the gateway, not the card: the next gateway may take the payment. */
const GATEWAY_REFUSALS = new Set(["currency_not_supported"]);

/** The next gateway account of this confirmation's plan, skipping every account it already tried. */
async function failoverTarget(app: App, attempt: PaymentAttempt, brand: string): Promise<RouteChoice | undefined> {
  if (!attempt.gatewayAccountId) return undefined; // the server's default gateway has no alternative
  const tried = [attempt.gatewayAccountId];
  for (let previous = attempt.previousAttemptId; previous && tried.length < 20; ) {
    const earlier = await app.db.paymentAttempt.findUnique({ where: { id: previous }, select: { gatewayAccountId: true, previousAttemptId: true } });
    if (earlier?.gatewayAccountId) tried.push(earlier.gatewayAccountId);
    previous = earlier?.previousAttemptId ?? null;
  }
  return nextGateway(await listGatewayAccounts(app.db, attempt.merchantId), attempt.currency, brand, tried);
}

/** After the last retry: the gateway's own record decides; `transient` stays only if nothing was charged. */
async function settleLostAnswer(app: App, gateway: Gateway, attemptId: string, outcome: GatewayOutcome & { kind: "transient" }): Promise<GatewayOutcome> {
  // A request that got no answer may still be running at the gateway: give it a full timeout to
  // land before believing a "no such charge".
  if (outcome.code !== "processing_error") await new Promise((r) => setTimeout(r, app.config.gatewayTimeoutMs));
  const lookup = await gateway.retrieve(attemptId);
  if (lookup.kind === "not_found") return outcome;
  if (lookup.kind === "transient") throw new TransientGatewayError(`outcome of ${attemptId} unknown: ${outcome.code}, then ${lookup.code} on lookup`);
  return lookup;
}

function attemptFields(outcome: GatewayOutcome, latencyMs: number) {
  switch (outcome.kind) {
    case "approved":
      return { status: "SUCCEEDED" as const, gatewayReference: outcome.reference, errorCode: null, errorMessage: null, latencyMs };
    case "requires_action":
      return { status: "REQUIRES_ACTION" as const, gatewayReference: outcome.reference, latencyMs };
    case "declined":
      return { status: "FAILED" as const, errorCode: outcome.code, declineCode: outcome.declineCode || null, errorMessage: outcome.message, latencyMs };
    case "transient":
      return { status: "FAILED" as const, errorCode: outcome.code, errorMessage: outcome.message, latencyMs };
  }
}

export async function runAuthorizeAttempt(app: App, job: { attemptId: string; merchantId: string }, finalTry: boolean): Promise<void> {
  const { db } = app;
  const ctx: Ctx = { app, merchantId: job.merchantId, requestId: `job:${job.attemptId}` };
  const attempt = await db.paymentAttempt.findFirst({ where: { id: job.attemptId, merchantId: job.merchantId } });
  if (!attempt || attempt.status !== "PENDING") return; // finished by an earlier run of this job
  const payment = await db.payment.findFirstOrThrow({ where: { id: attempt.paymentId, merchantId: job.merchantId } });
  const method = await db.paymentMethod.findFirstOrThrow({ where: { id: payment.paymentMethodId ?? "", merchantId: job.merchantId } });
  const gateway = await gatewayFor(app, attempt);

  // Staged before the call: a run that dies after calling still leaves `tries` counted, so a later
  // run knows the gateway may have seen this key.
  const neverCalled = attempt.tries === 0;
  await db.paymentAttempt.updateMany({ where: { id: attempt.id, status: "PENDING" }, data: { tries: { increment: 1 }, updatedAt: new Date() } });
  const started = performance.now();
  const answer = await gateway.authorize({
    idempotencyKey: attempt.id,
    amount: attempt.amount,
    currency: attempt.currency,
    card: cardDetails(app.config, method),
    capture: payment.captureMethod === "AUTOMATIC",
  });
  const latencyMs = Math.round(performance.now() - started);
  gatewayLatency.observe({ gateway: attempt.gateway, operation: "authorize", outcome: answer.kind }, latencyMs / 1000);

  let plan: Promise<RouteChoice | undefined> | undefined;
  let orphan: string | undefined;
  const next = (): Promise<RouteChoice | undefined> => (plan ??= failoverTarget(app, attempt, method.brand));
  let outcome: GatewayOutcome = answer;
  if (answer.kind === "transient") {
    await db.paymentAttempt.updateMany({
      where: { id: attempt.id, status: "PENDING" },
      data: { errorCode: answer.code, errorMessage: answer.message, latencyMs, updatedAt: new Date() },
    });
    // Never connected, and no earlier call with this key: nothing can have been charged, so with
    // another gateway to go to, go now rather than spend retries on a dead one.
    const failNow = answer.code === CONNECT_FAILED && neverCalled && (await next()) !== undefined;
    if (!failNow && !finalTry) throw new TransientGatewayError(`${answer.code}: ${answer.message}`);
    if (!failNow) outcome = await settleLostAnswer(app, gateway, attempt.id, answer);
  }
  const failover = mayFailOver(outcome) ? await next() : undefined;
  await commit(ctx, () =>
    db.$transaction(async (tx) => {
      // Only the run that flips PENDING moves on: a concurrent duplicate finds 0 rows.
      const finished = await tx.paymentAttempt.updateMany({
        where: { id: attempt.id, status: "PENDING" },
        data: { ...attemptFields(outcome, latencyMs), updatedAt: new Date() },
      });
      if (finished.count !== 1) return void (orphan = outcome.kind === "approved" ? outcome.reference : undefined);
      if (!failover) return void (await transitionPayment(tx, ctx, payment.id, changeForOutcome(outcome, payment, attempt.id)));
      // The payment stays PROCESSING: the next gateway gets a new attempt, so a new idempotency key.
      const nextId = newId("att");
      const code = outcome.kind === "declined" || outcome.kind === "transient" ? outcome.code : outcome.kind;
      await tx.paymentAttempt.create({
        data: {
          id: nextId, merchantId: attempt.merchantId, paymentId: payment.id, status: "PENDING", amount: attempt.amount, currency: attempt.currency,
          gateway: failover.gateway, gatewayAccountId: failover.gatewayAccountId, previousAttemptId: attempt.id,
          routingReason: `Failover after ${attempt.gateway} (${code}). ${failover.reason}`,
        },
      });
      const job: GatewayJob = { kind: "authorize", attemptId: nextId, merchantId: attempt.merchantId };
      await writeOutbox(tx, [{ topic: GATEWAY_JOB_TOPIC, payload: job }]);
    }),
  );
  if (orphan) await releaseOrphan(app, gateway, attempt, payment, orphan);
}

/**
 * A duplicate run of this attempt was approved after another run had already settled it (say,
 * failed over to the next gateway): that charge belongs to no payment. Give it back at once.
 */
async function releaseOrphan(app: App, gateway: Gateway, attempt: PaymentAttempt, payment: Payment, reference: string): Promise<void> {
  const settled = await app.db.paymentAttempt.findUnique({ where: { id: attempt.id }, select: { status: true } });
  if (settled?.status === "SUCCEEDED") return; // the other run recorded this very approval
  const key = `${attempt.id}:release`;
  const released = payment.captureMethod === "AUTOMATIC"
    ? await gateway.refund({ idempotencyKey: key, reference, amount: attempt.amount, currency: attempt.currency })
    : await gateway.void({ idempotencyKey: key, reference });
  app.log.error({ attemptId: attempt.id, gateway: attempt.gateway, released: released.kind }, "an approval arrived for an attempt already settled; released it at the gateway");
}
