// Capture and void, crash-safe like authorize and refund. The operation is staged in a short
// transaction (a PENDING payment_operation row, and the caller's idempotency record IN_PROGRESS),
// then sent to the gateway under the operation's id as the gateway idempotency key, then settled
// in a second short transaction (the operation, the payment's transition, the idempotency record's
// answer). Whatever a crash, a lost connection or a gateway timeout leaves PENDING is finished under
// the same key by whoever comes next: a retry of the request with the same idempotency key, a
// later capture or cancel of the same payment, or the worker's reconciler. So "done at the gateway,
// AUTHORIZED in paygraph" lasts at most until then, and a retry converges on the one capture.
//
// One staged operation per payment at a time: staging takes the payment's row lock and finishes an
// operation already pending before it stages another.
import type { Payment, PaymentOperation } from "../../generated/prisma/client.js";
import type { App, Ctx } from "../../app/app.js";
import { relayOutbox } from "../../platform/outbox.js";
import type { Tx } from "../../platform/db.js";
import { AppError, ErrorCode, badInput, notFound } from "../../platform/errors.js";
import { type IdempotencyScope, answerKey, checkKey, claimKey } from "../../platform/idempotency.js";
import { newId } from "../../platform/ids.js";
import { gatewayShare } from "../../fx/settlement.js";
import { recordAudit } from "../../audit/audit.js";
import { TransientGatewayError, type GatewayOutcome } from "../../gateways/gateway.js";
import { decide, type PaymentChange } from "../payment-change.js";
import { paymentCodec } from "../payment.snapshot.js";
import { transitionPayment } from "../transition.js";
import { authorization, requireApproved } from "./authorization.js";
import { callGateway } from "../../gateways/gateway-call.js";

export type StagedKind = "CAPTURE" | "VOID";

export interface StagedRequest {
  kind: StagedKind;
  paymentId: string;
  /** CAPTURE: the amount in minor units; undefined = everything capturable. */
  amount?: bigint;
  scope: IdempotencyScope;
}

type Staged = { op: PaymentOperation } | { done: Payment } | { blockedBy: PaymentOperation };

/** Staging finishes at most this many operations left pending by others before it gives up. */
const MAX_BLOCKERS = 3;

const changeOf = (op: Pick<PaymentOperation, "kind" | "amount">): PaymentChange =>
  op.kind === "CAPTURE" ? { kind: "capture", amount: op.amount } : { kind: "canceled" };

/** capturePayment and cancelPayment: stage, call the gateway, settle; see the file's comment. */
export async function runStaged(ctx: Ctx, request: StagedRequest): Promise<Payment> {
  for (let blockers = 0; ; blockers++) {
    const staged = await stage(ctx, request);
    if ("done" in staged) return staged.done;
    if ("op" in staged) return drive(ctx, staged.op);
    if (blockers >= MAX_BLOCKERS) {
      throw new AppError(ErrorCode.CONFLICT, `Another operation on payment ${request.paymentId} is in progress; retry`, { retryable: true });
    }
    // Someone else's operation on this payment is still pending: finish it first (it decides
    // what this request may still do), whatever its own outcome.
    await drive(ctx, staged.blockedBy).catch((err: unknown) => {
      if (err instanceof AppError && err.code === ErrorCode.GATEWAY_UNAVAILABLE) throw err;
    });
  }
}

async function stage(ctx: Ctx, request: StagedRequest): Promise<Staged> {
  const key = checkKey(request.scope.key);
  const { merchantId } = ctx;
  return ctx.app.db.$transaction(async (tx) => {
    if (key !== undefined) {
      const earlier = await earlierWithKey(tx, request.scope, key);
      if (earlier) return earlier;
    }
    await tx.$queryRaw`SELECT id FROM payment WHERE id = ${request.paymentId} AND merchant_id = ${merchantId} FOR UPDATE`;
    const payment = await tx.payment.findFirst({ where: { id: request.paymentId, merchantId } });
    if (!payment) throw notFound("payment", request.paymentId);
    const pending = await tx.paymentOperation.findFirst({ where: { paymentId: payment.id, merchantId, status: "PENDING" } });
    // Thrown, not returned: the idempotency record claimed above must roll back with it.
    if (pending) throw new Blocked(pending);

    if (request.kind === "VOID" && payment.status !== "AUTHORIZED") {
      // Nothing was authorized at a gateway yet: canceling is a plain change.
      const done = await transitionPayment(tx, ctx, payment.id, { kind: "canceled" });
      if (key !== undefined) await answerKey(tx, merchantId, key, paymentCodec, done);
      return { done };
    }
    const amount = request.kind === "CAPTURE" ? request.amount ?? payment.amountCapturable : 0n;
    decide(payment, changeOf({ kind: request.kind, amount }), ctx.app.config.maxFailedAttempts); // refuse early: no gateway call for a doomed change
    const share = request.kind === "CAPTURE"
      ? gatewayShare(payment, payment.amountCaptured, amount)
      : { amount: 0n, currency: payment.settlementCurrency ?? payment.currency };
    if (request.kind === "CAPTURE" && share.amount <= 0n) {
      throw badInput(`This capture is worth nothing in ${share.currency}, the currency the payment was authorized in`, "amount");
    }
    const op = await tx.paymentOperation.create({
      data: {
        id: newId("op"), merchantId, paymentId: payment.id, kind: request.kind, status: "PENDING",
        amount, gatewayAmount: share.amount, gatewayCurrency: share.currency, idempotencyKey: key ?? null,
      },
    });
    return { op };
  }).catch((err: unknown) => {
    if (err instanceof Blocked) return { blockedBy: err.op };
    throw err;
  });
}

class Blocked extends Error {
  constructor(readonly op: PaymentOperation) {
    super(`payment operation ${op.id} is pending`);
  }
}

/**
 * Claims the caller's idempotency key for this request, or answers from an earlier one: its stored
 * answer, or its operation still pending (which this request then finishes: the same key converges).
 */
async function earlierWithKey(tx: Tx, scope: IdempotencyScope, key: string): Promise<Staged | undefined> {
  const existing = await claimKey(tx, scope, key);
  if (!existing) return undefined;
  if (existing.state === "COMPLETED" && existing.response !== null) return { done: paymentCodec.decode(existing.response) };
  const op = await tx.paymentOperation.findFirst({ where: { merchantId: scope.merchantId, idempotencyKey: key, status: "PENDING" } });
  if (op) return { op };
  throw new AppError(ErrorCode.IDEMPOTENCY_IN_PROGRESS, `A request with idempotency key '${key}' is still in progress`, { retryable: true });
}

/**
 * Sends a staged operation to the gateway under its id and settles it. A transient answer leaves
 * it PENDING and throws GATEWAY_UNAVAILABLE (retryable): a retry or the reconciler finishes it.
 */
export async function drive(ctx: Ctx, op: PaymentOperation): Promise<Payment> {
  const payment = await ctx.app.db.payment.findFirst({ where: { id: op.paymentId, merchantId: op.merchantId } });
  if (!payment) throw notFound("payment", op.paymentId);
  const { target, reference } = await authorization(ctx, payment);
  const operation = op.kind === "CAPTURE" ? "capture" : "void";
  const { outcome } = op.kind === "CAPTURE"
    ? await callGateway(ctx.app, target, { op: "capture", input: { idempotencyKey: op.id, reference, amount: op.gatewayAmount, currency: op.gatewayCurrency } })
    : await callGateway(ctx.app, target, { op: "void", input: { idempotencyKey: op.id, reference } });
  if (outcome.kind === "transient") {
    throw new AppError(ErrorCode.GATEWAY_UNAVAILABLE, `The gateway could not ${operation} the payment now (${outcome.code}); it will be retried, and a retry with the same idempotency key answers its outcome`, {
      gatewayCode: outcome.code, retryable: true, operationId: op.id,
    });
  }
  const settled = await settle(ctx, op, outcome);
  requireApproved(settled.outcome, operation);
  return settled.payment;
}

/**
 * The second transaction: the operation's outcome, the payment's change and the caller's answer,
 * together. Settling twice is harmless: only the first finds the operation PENDING.
 */
async function settle(ctx: Ctx, op: PaymentOperation, outcome: GatewayOutcome): Promise<{ payment: Payment; outcome: GatewayOutcome }> {
  const approved = outcome.kind === "approved";
  const failureCode = outcome.kind === "declined" ? outcome.code : null;
  return relayOutbox(ctx, () => ctx.app.db.$transaction(async (tx) => {
    const claimed = await tx.paymentOperation.updateMany({
      where: { id: op.id, status: "PENDING" },
      data: { status: approved ? "SUCCEEDED" : "FAILED", failureCode, updatedAt: new Date() },
    });
    if (claimed.count !== 1) {
      // Settled by another driver: answer what it decided.
      const [current, now] = await Promise.all([
        tx.paymentOperation.findUniqueOrThrow({ where: { id: op.id } }),
        tx.payment.findFirstOrThrow({ where: { id: op.paymentId, merchantId: op.merchantId } }),
      ]);
      const theirs: GatewayOutcome = current.status === "SUCCEEDED" ? outcome : { kind: "declined", code: current.failureCode ?? "failed", declineCode: "", message: "" };
      return { payment: now, outcome: theirs };
    }
    if (!approved) {
      await recordAudit(tx, ctx, {
        action: "payment_operation.failed", entityType: "payment_operation", entityId: op.id,
        after: { paymentId: op.paymentId, kind: op.kind, amount: op.amount.toString(), failureCode },
      });
      // A refusal stores no answer under the caller's key: like any error, a retry asks again.
      if (op.idempotencyKey) {
        await tx.idempotencyRecord.deleteMany({ where: { merchantId: op.merchantId, key: op.idempotencyKey, state: "IN_PROGRESS" } });
      }
      return { payment: await tx.payment.findFirstOrThrow({ where: { id: op.paymentId, merchantId: op.merchantId } }), outcome };
    }
    const payment = await transitionPayment(tx, ctx, op.paymentId, changeOf(op));
    if (op.idempotencyKey) await answerKey(tx, op.merchantId, op.idempotencyKey, paymentCodec, payment);
    return { payment, outcome };
  }));
}

/**
 * The worker's half (reconciler → gateway queue): finish an operation nobody finished. A transient
 * gateway answer is thrown as such, so BullMQ retries it with backoff under the same key.
 */
export async function finishOperation(app: App, job: { operationId: string; merchantId: string }): Promise<void> {
  const op = await app.db.paymentOperation.findFirst({ where: { id: job.operationId, merchantId: job.merchantId } });
  if (!op || op.status !== "PENDING") return;
  const ctx: Ctx = { app, merchantId: op.merchantId, requestId: `job:${op.id}`, actor: "system:worker" };
  await drive(ctx, op).catch((err: unknown) => {
    if (err instanceof AppError && err.code === ErrorCode.GATEWAY_UNAVAILABLE) throw new TransientGatewayError(err.message);
    // Any other AppError is the gateway's refusal, already settled (FAILED) by drive.
    if (!(err instanceof AppError)) throw err;
  });
}
