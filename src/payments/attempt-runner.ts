// The worker's half of a payment attempt: call the gateway outside any transaction, then record
// the outcome and move the payment in one short transaction. Safe to run again after a crash at
// any point: the attempt id is the gateway idempotency key, and only a PENDING attempt is finished.
//
// What a failed call leads to is the outcome table's decision (src/routing/outcome-decisions.ts):
// RETRY the same gateway under the same key (BullMQ's backoff), FAIL_OVER to the route plan's next
// gateway with a new attempt and key, STOP, or STEP_UP. One rule is code, not data: a gateway
// whose answer was lost (timeout, 5xx) is asked under the key what happened before the payment
// goes anywhere else — a late approval is recorded, and a fate still unknown stays PENDING for the
// reconciler. Only a call that never connected (or a gateway skipped for its open circuit) proves
// nothing was charged without asking.
//
// 3-D Secure (three-d-secure/): an attempt that requires authentication authenticates first, then
// authorizes with the result. An issuer that asks for it (a `requires_action` answer, or a STEP_UP
// row) gets a new attempt at the same gateway that does: a new key, since the first one's charge
// record at the gateway says "requires action" for ever.
import type { App, Ctx } from "../app/app.js";
import { CONNECT_FAILED, TransientGatewayError, type GatewayOutcome } from "../gateways/gateway.js";
import { callGateway, gatewayFor, type GatewayTarget } from "../gateways/gateway-call.js";
import { routeAttempt } from "../routing/route-attempt.js";
import type { RouteChoice } from "../routing/route-plan.js";
import { decisionTable } from "../routing/decision-table.js";
import { classify, GatewayDecision, type FailedOutcome } from "../routing/outcome-decisions.js";
import { newId } from "../platform/ids.js";
import { relayOutbox, writeOutbox } from "../platform/outbox.js";
import { GATEWAY_JOB_TOPIC, type GatewayJob } from "../platform/queue.js";
import { Prisma, type Payment, type PaymentAttempt, type PaymentMethod } from "../generated/prisma/client.js";
import { columnsAs, pickRow } from "../platform/sql-columns.js";
import { recordAudit } from "../audit/audit.js";
import { attemptView } from "../audit/views.js";
import { cardDetails, VaultError } from "../vault/vault.js";
import type { CardDetails } from "../gateways/gateway.js";
import type { PaymentChange } from "./payment-change.js";
import { transitionPayment } from "./transition.js";
import { AUTHENTICATION_REQUIRED, PROCEEDS, authenticateAttempt, authorizationProof } from "./three-d-secure/authentication.js";
import type { ThreeDSecureAuthentication } from "../generated/prisma/client.js";

/** The code of an attempt that was not sent because its gateway's circuit breaker is open. */
export const CIRCUIT_OPEN = "circuit_open";
/** The code of an attempt whose vaulted card could not be decrypted (a VaultError): never sent. */
export const CARD_UNREADABLE = "card_unreadable";

/** What an issuer that still asks for authentication (after one, or when none can be had) comes to. */
const stillRequired = (message: string): GatewayOutcome => ({ kind: "declined", code: AUTHENTICATION_REQUIRED, declineCode: AUTHENTICATION_REQUIRED, message });

export function changeForOutcome(outcome: GatewayOutcome, decision: GatewayDecision | null, payment: Payment, attemptId: string): PaymentChange {
  switch (outcome.kind) {
    case "approved":
      return payment.captureMethod === "AUTOMATIC" ? { kind: "captured", amount: payment.amount } : { kind: "authorized" };
    case "requires_action": // a step-up is a new attempt (finish's `next`); one that reaches here is final
      return { kind: "declined", error: { code: AUTHENTICATION_REQUIRED, declineCode: AUTHENTICATION_REQUIRED, message: "The issuer asks for 3-D Secure authentication", attemptId } };
    case "declined":
      return { kind: "declined", error: { code: outcome.code, declineCode: outcome.declineCode || null, message: outcome.message, attemptId } };
    case "transient":
      return { kind: "declined", error: { code: outcome.code, declineCode: null, message: `${outcome.message} (nothing was charged)`, attemptId } };
  }
}

/** The next gateway of this confirmation's plan, skipping every account it already tried. */
async function failoverTarget(app: App, attempt: PaymentAttempt, payment: Payment, method: PaymentMethod): Promise<RouteChoice | undefined> {
  if (!attempt.gatewayAccountId) return undefined; // the server's default gateway has no alternative
  // The chain of this confirmation, from one read of the payment's attempts (not a query per hop).
  const attempts = await app.db.paymentAttempt.findMany({
    where: { paymentId: attempt.paymentId, merchantId: attempt.merchantId },
    select: { id: true, gatewayAccountId: true, previousAttemptId: true, errorCode: true, tries: true },
  });
  const byId = new Map(attempts.map((a) => [a.id, a] as const));
  const tried = [attempt.gatewayAccountId];
  for (let earlier = byId.get(attempt.previousAttemptId ?? ""), hops = 0; earlier && hops < 20; earlier = byId.get(earlier.previousAttemptId ?? ""), hops++) {
    // A gateway skipped for its open circuit was never called: it may still take the payment.
    const skipped = earlier.errorCode === CIRCUIT_OPEN && earlier.tries === 0;
    if (earlier.gatewayAccountId && !skipped) tried.push(earlier.gatewayAccountId);
  }
  return routeAttempt(app, app.db, {
    merchantId: attempt.merchantId, paymentId: payment.id, currency: payment.currency, amount: payment.amount, settlementCurrency: payment.settlementCurrency,
    cardBrand: method.brand, cardCountry: method.country, metadata: payment.metadata, tried,
  });
}

/** After the last retry: the gateway's own record decides; `transient` stays only if nothing was charged. */
async function settleLostAnswer(app: App, target: GatewayTarget, attemptId: string, outcome: FailedOutcome & { kind: "transient" }): Promise<GatewayOutcome> {
  // A request that got no answer may still be running at the gateway: give it a full timeout to
  // land before believing a "no such charge".
  if (outcome.code !== "processing_error") await new Promise((r) => setTimeout(r, app.config.gatewayTimeoutMs));
  const { outcome: lookup } = await callGateway(app, target, { op: "retrieve", idempotencyKey: attemptId });
  if (lookup.kind === "not_found") return outcome;
  if (lookup.kind === "transient") throw new TransientGatewayError(`outcome of ${attemptId} unknown: ${outcome.code}, then ${lookup.code} on lookup`);
  return lookup;
}

function attemptFields(outcome: GatewayOutcome, decision: GatewayDecision | null, latencyMs: number | null) {
  switch (outcome.kind) {
    case "approved":
      return { status: "SUCCEEDED" as const, gatewayReference: outcome.reference, errorCode: null, errorMessage: null, latencyMs };
    case "requires_action":
      // The issuer asked for 3-D Secure: this attempt is over (a stepped-up one authenticates and authorizes).
      return { status: "FAILED" as const, gatewayReference: outcome.reference, errorCode: AUTHENTICATION_REQUIRED, errorMessage: "The issuer asked for 3-D Secure authentication", latencyMs, decision };
    case "declined":
      return { status: "FAILED" as const, errorCode: outcome.code, declineCode: outcome.declineCode || null, errorMessage: outcome.message, latencyMs, decision };
    case "transient":
      return { status: "FAILED" as const, errorCode: outcome.code, errorMessage: outcome.message, latencyMs, decision };
  }
}


/**
 * Stages this run and reads what it needs, in one prepared statement: `tries` counted up on the
 * PENDING attempt (so a run that dies after calling still leaves the call counted, and a later run
 * knows the gateway may have seen this key; a concurrent duplicate run stages its own), returned
 * with the payment and the card. Undefined once the attempt is settled: nothing is called then.
 * A run that ends without calling (an unreadable card, an open circuit) gives its count back.
 */
async function stageAttempt(app: App, job: { attemptId: string; merchantId: string }): Promise<{ attempt: PaymentAttempt; payment: Payment; method: PaymentMethod; authentication: ThreeDSecureAuthentication | undefined } | undefined> {
  const A = Prisma.PaymentAttemptScalarFieldEnum, P = Prisma.PaymentScalarFieldEnum, M = Prisma.PaymentMethodScalarFieldEnum;
  const [row] = await app.sql.rows<Record<string, unknown>>(Prisma.sql`
    WITH a AS (
      UPDATE payment_attempt SET tries = tries + 1, updated_at = now()
      WHERE id = ${job.attemptId} AND merchant_id = ${job.merchantId} AND status = 'PENDING' RETURNING *)
    SELECT ${columnsAs("a", A)}, ${columnsAs("p", P)}, ${columnsAs("m", M)}
    FROM a
    JOIN payment p ON p.id = a.payment_id AND p.merchant_id = a.merchant_id
    LEFT JOIN payment_method m ON m.id = p.payment_method_id AND m.merchant_id = a.merchant_id`);
  const attempt = row && pickRow<PaymentAttempt>(row, "a", A);
  if (!row || !attempt) return undefined;
  const payment = pickRow<Payment>(row, "p", P)!;
  const method = pickRow<PaymentMethod>(row, "m", M);
  if (!method) throw new Error(`payment ${payment.id} of attempt ${attempt.id} has no payment method`);
  // Only an attempt that authenticates has an authentication to read: the common path reads none.
  const authentication = attempt.authenticationRequired
    ? (await app.db.threeDSecureAuthentication.findUnique({ where: { attemptId: attempt.id } })) ?? undefined
    : undefined;
  return { attempt, payment, method, authentication };
}

export async function runAuthorizeAttempt(app: App, job: { attemptId: string; merchantId: string }, finalTry: boolean): Promise<void> {
  const { db } = app;
  const read = await stageAttempt(app, job);
  if (!read) return; // finished by an earlier run of this job
  const { attempt, method } = read;
  let { payment, authentication } = read;
  // Decrypted before anything is sent: a card the vault cannot read (its KEK missing or retired,
  // the ciphertext tampered) fails this attempt with `card_unreadable` and is never charged. The
  // VaultError was logged at error level, naming the key.
  let card: CardDetails;
  try {
    card = await cardDetails(app.vault, method);
  } catch (err) {
    if (!(err instanceof VaultError)) throw err;
    const unreadable: GatewayOutcome = { kind: "declined", code: CARD_UNREADABLE, declineCode: "", message: `The vault cannot decrypt this card (${err.code}${err.kekId ? `, key ${err.kekId}` : ""}); nothing was charged` };
    return finish(app, attempt, payment, unreadable, GatewayDecision.STOP, null, undefined, undefined, true);
  }
  if (attempt.authenticationRequired && !authentication) {
    const step = await authenticateAttempt(app, { attempt, payment, card }, finalTry);
    if (step.kind === "settled") return;
    if (step.kind === "refused") return finish(app, attempt, payment, step.outcome, GatewayDecision.STOP, null, undefined, undefined, true);
    ({ authentication, payment } = step);
  }
  // A waiting or refused authentication leaves its attempt no longer PENDING: defensive only.
  if (authentication && !PROCEEDS.includes(authentication.transStatus)) return;
  const gateway = await gatewayFor(app, attempt);
  let plan: Promise<RouteChoice | undefined> | undefined;
  const next = (): Promise<RouteChoice | undefined> => (plan ??= failoverTarget(app, attempt, payment, method));
  const failoverTo = async (code: string): Promise<NextAttempt | undefined> => {
    // The shopper has finished a challenge and left: another gateway's would never be answered.
    if (authentication?.flow === "CHALLENGE") return undefined;
    const route = await next();
    return route && { ...route, reason: `Failover after ${attempt.gateway} (${code}). ${route.reason}`, authenticationRequired: attempt.authenticationRequired, action: "payment_attempt.failed_over" };
  };
  // The issuer asks for 3-D Secure: once per confirmation, at the same gateway, under a new key.
  const stepUp = (): NextAttempt | undefined => attempt.authenticationRequired ? undefined : {
    gateway: attempt.gateway, gatewayAccountId: attempt.gatewayAccountId, authenticationRequired: true, action: "payment_attempt.stepped_up",
    reason: `The issuer asked ${attempt.gateway} for 3-D Secure: authenticating the card, then authorizing again at ${attempt.gateway}`,
  };
  const account = attempt.gatewayAccountId;

  // This run's count (staged above): 1 when no other run has called with this key.
  const tries = attempt.tries;
  // An open circuit: a first call is not sent when another gateway (with a circuit not open
  // either) can take it. Only if no other run counted a call: the finish is guarded on `tries`
  // staying this run's count, and gives the count back (the attempt shows 0 calls).
  if (account && tries === 1 && !(await app.stats.admit(account))) {
    const target = await next();
    if (target && !target.allCircuitsOpen) {
      const skipped: GatewayOutcome = { kind: "transient", code: CIRCUIT_OPEN, message: `${attempt.gateway} was not called: its circuit breaker is open` };
      return finish(app, attempt, payment, skipped, GatewayDecision.FAIL_OVER, null, await failoverTo(CIRCUIT_OPEN), tries, true);
    }
  }

  const proof = authorizationProof(authentication);
  const { outcome: answer, latencyMs } = await callGateway(app, attempt, {
    op: "authorize",
    input: {
      idempotencyKey: attempt.id, amount: attempt.amount, currency: attempt.currency, card, capture: payment.captureMethod === "AUTOMATIC",
      ...(proof ? { authentication: proof } : {}),
    },
  }, { segment: { currency: attempt.currency, brand: method.brand } });
  if (answer.kind === "approved") return finish(app, attempt, payment, answer, null, latencyMs, undefined);
  if (answer.kind === "requires_action") {
    const up = stepUp();
    return up
      ? finish(app, attempt, payment, answer, GatewayDecision.STEP_UP, latencyMs, up)
      : finish(app, attempt, payment, stillRequired(`The issuer still asks for authentication after 3-D Secure (${authentication?.transStatus ?? "none"})`), GatewayDecision.STOP, latencyMs, undefined);
  }

  const table = await decisionTable(db, attempt.merchantId, gateway.kind);
  let { decision } = classify(answer, table);
  let outcome: GatewayOutcome = answer;
  if (answer.kind === "transient") {
    await db.paymentAttempt.updateMany({
      where: { id: attempt.id, status: "PENDING" },
      data: { errorCode: answer.code, errorMessage: answer.message, latencyMs, updatedAt: new Date() },
    });
    // Never connected, and no other call with this key (so far: the finish is guarded on it).
    const provenUncharged = answer.code === CONNECT_FAILED && tries === 1;
    const leaveNow = decision !== GatewayDecision.RETRY && (!provenUncharged || decision !== GatewayDecision.FAIL_OVER || (await next()) !== undefined);
    if (!leaveNow && !finalTry) throw new TransientGatewayError(`${answer.code}: ${answer.message}`);
    if (!provenUncharged) {
      outcome = await settleLostAnswer(app, attempt, attempt.id, answer);
      if (outcome.kind === "declined") decision = classify(outcome, table).decision;
    }
    // Retries spent and the gateway confirmed no charge: the next gateway may have it.
    if (outcome.kind === "transient" && decision === GatewayDecision.RETRY) decision = GatewayDecision.FAIL_OVER;
  }
  // RETRY means "same key again": for a refusal it would only get the same refusal.
  if (outcome.kind === "declined" && decision === GatewayDecision.RETRY) decision = GatewayDecision.STOP;
  const guard = answer.kind === "transient" && answer.code === CONNECT_FAILED && outcome === answer ? tries : undefined;
  // A lost answer the gateway's record says was "requires action", or a STEP_UP row: authenticate.
  if (outcome.kind === "requires_action" || (outcome.kind === "declined" && decision === GatewayDecision.STEP_UP)) {
    const up = stepUp();
    if (up) return finish(app, attempt, payment, outcome, GatewayDecision.STEP_UP, latencyMs, up, guard);
    return finish(app, attempt, payment, stillRequired(`The issuer still asks for authentication after 3-D Secure (${authentication?.transStatus ?? "none"})`), GatewayDecision.STOP, latencyMs, undefined, guard);
  }
  const failedOver = (outcome.kind === "declined" || outcome.kind === "transient") && decision === GatewayDecision.FAIL_OVER;
  return finish(app, attempt, payment, outcome, outcome.kind === "approved" ? null : decision, latencyMs, failedOver ? await failoverTo(outcome.kind === "approved" ? "" : outcome.code) : undefined, guard);
}

/** The attempt that takes over from a failed one: at the next gateway (failover), or the same one with 3-D Secure (step-up). */
interface NextAttempt {
  gateway: string;
  gatewayAccountId: string | null;
  /** Its routing reason, in words. */
  reason: string;
  authenticationRequired: boolean;
  /** The audit action of the handover. */
  action: "payment_attempt.failed_over" | "payment_attempt.stepped_up";
}

/** Records the outcome; moves the payment, or hands it to a new attempt (`failover`: at the next gateway, or the same one for 3-D Secure). */
async function finish(
  app: App, attempt: PaymentAttempt, payment: Payment, outcome: GatewayOutcome,
  decision: GatewayDecision | null, latencyMs: number | null, failover: NextAttempt | undefined,
  /** When the outcome is only known to be harmless if no other run called meanwhile: the tries it saw. */
  triesGuard?: number,
  /** This run never called the gateway: its staged count is given back. */
  uncalled = false,
): Promise<void> {
  const ctx: Ctx = { app, merchantId: attempt.merchantId, requestId: `job:${attempt.id}`, actor: "system:worker" };
  let orphan: string | undefined;
  await relayOutbox(ctx, () =>
    app.db.$transaction(async (tx) => {
      // Only the run that flips PENDING moves on: a concurrent duplicate finds 0 rows.
      const finished = await tx.paymentAttempt.updateMany({
        where: { id: attempt.id, status: "PENDING", ...(triesGuard === undefined ? {} : { tries: triesGuard }) },
        data: { ...attemptFields(outcome, decision, latencyMs), ...(uncalled ? { tries: { decrement: 1 } } : {}), updatedAt: new Date() },
      });
      if (finished.count !== 1) return void (orphan = outcome.kind === "approved" ? outcome.reference : undefined);
      // The payment read before the call: its version check makes a stale one harmless (transition.ts).
      if (!failover) return void (await transitionPayment(tx, ctx, payment.id, changeForOutcome(outcome, decision, payment, attempt.id), { read: payment }));
      // The payment stays PROCESSING: the next gateway gets a new attempt, so a new idempotency key.
      const nextId = newId("att");
      const next = await tx.paymentAttempt.create({
        data: {
          id: nextId, merchantId: attempt.merchantId, paymentId: payment.id, status: "PENDING", amount: attempt.amount, currency: attempt.currency,
          gateway: failover.gateway, gatewayAccountId: failover.gatewayAccountId, previousAttemptId: attempt.id,
          routingReason: failover.reason, authenticationRequired: failover.authenticationRequired,
        },
      });
      // The payment does not change (PROCESSING throughout), so its history would not show this.
      const failed = { ...attempt, ...attemptFields(outcome, decision, latencyMs), ...(uncalled ? { tries: attempt.tries - 1 } : {}) };
      await recordAudit(tx, ctx,
        { action: failover.action, entityType: "payment_attempt", entityId: attempt.id, before: attemptView(attempt), after: { ...attemptView(failed as PaymentAttempt), nextAttemptId: nextId } },
        { action: "payment_attempt.created", entityType: "payment_attempt", entityId: nextId, after: attemptView(next) });
      const job: GatewayJob = { kind: "authorize", attemptId: nextId, merchantId: attempt.merchantId };
      await writeOutbox(tx, [{ topic: GATEWAY_JOB_TOPIC, payload: job }]);
    }),
  );
  if (orphan) await releaseOrphan(app, attempt, orphan);
}

/**
 * A duplicate run of this attempt was approved after another run had already settled it (say,
 * failed over to the next gateway): that charge belongs to no payment. Giving it back is a job of
 * its own, through the outbox, retried like any gateway call until the gateway answers.
 */
async function releaseOrphan(app: App, attempt: PaymentAttempt, reference: string): Promise<void> {
  const job: GatewayJob = { kind: "release", attemptId: attempt.id, merchantId: attempt.merchantId, reference };
  await relayOutbox({ app }, () => app.db.$transaction((tx) => writeOutbox(tx, [{ topic: GATEWAY_JOB_TOPIC, payload: job }])));
}

export async function runRelease(app: App, job: { attemptId: string; merchantId: string; reference: string }): Promise<void> {
  const attempt = await app.db.paymentAttempt.findFirst({ where: { id: job.attemptId, merchantId: job.merchantId } });
  if (!attempt || attempt.status === "SUCCEEDED") return; // the other run recorded this very approval
  const payment = await app.db.payment.findFirstOrThrow({ where: { id: attempt.paymentId, merchantId: job.merchantId } });
  const key = `${attempt.id}:release`;
  const { outcome: released } = payment.captureMethod === "AUTOMATIC"
    ? await callGateway(app, attempt, { op: "refund", input: { idempotencyKey: key, reference: job.reference, amount: attempt.amount, currency: attempt.currency } })
    : await callGateway(app, attempt, { op: "void", input: { idempotencyKey: key, reference: job.reference } });
  if (released.kind === "transient") throw new TransientGatewayError(`release of ${attempt.id}: ${released.code}`);
  app.log.error({ attemptId: attempt.id, gateway: attempt.gateway, released: released.kind }, "an approval arrived for an attempt already settled; released it at the gateway");
}
