// Hosted checkout sessions: a page of paygraph's where a shopper pays one payment. A session is
// created with its payment (one statement: the payment, the session, their audit records and the
// idempotency record), lives 30 minutes to 24 hours, and ends COMPLETE when its payment is
// authorized or captured (completeForPayments, fed by the payment's own outbox messages) or
// EXPIRED (expireCheckoutSession, or the worker's sweep at expiresAt; an unpaid payment is then
// cancelled). Its page holds `clientSecret`, which reads and pays this session and nothing else
// (client-secret.ts). Every end is an audit record, so a webhook event.
import type { App, Ctx } from "../app/app.js";
import { Prisma, type CheckoutSession, type Payment } from "../generated/prisma/client.js";
import { recordAudit, auditInsertSql } from "../audit/audit.js";
import { AppError, ErrorCode, badInput, notFound } from "../platform/errors.js";
import { newId, randomToken } from "../platform/ids.js";
import { checkKey, type Codec } from "../platform/idempotency.js";
import { relayOutbox, writeOutbox } from "../platform/outbox.js";
import { publicUrl } from "../app/public-url.js";
import { rowInsertSql } from "../platform/sql-columns.js";
import type { Tx } from "../platform/db.js";
import { insertNewPayment, preparePayment, type CreatePaymentInput } from "../payments/operations/create.js";
import { paymentWritten, transitionPayment } from "../payments/transition.js";
import { checkReturnUrl } from "../payments/three-d-secure/return-url.js";
import { checkShopper } from "../risk/shopper.js";

export const LOCALES = ["en", "ar"] as const;
export type Locale = (typeof LOCALES)[number];
const MIN_MINUTES = 30;
const MAX_MINUTES = 24 * 60;

/** Outbox topic of a session's end: its webhook event goes out from there. */
export const CHECKOUT_SESSION_EVENT_TOPIC = "checkout_session.event";
export interface CheckoutSessionEventMessage { merchantId: string; auditRecordId: string; action: string }

/** Payment statuses that complete a session. */
const PAID: readonly string[] = ["AUTHORIZED", "CAPTURED", "PARTIALLY_REFUNDED", "REFUNDED"];

export interface CreateCheckoutSessionInput extends Omit<CreatePaymentInput, "idempotencyKey"> {
  successUrl: string;
  cancelUrl?: string | null;
  expiresInMinutes?: number | null;
  locale?: string | null;
  /** For the risk step; the page's own request gives the IP address when it pays. */
  shopper?: { ip?: string | null; email?: string | null; country?: string | null } | null;
  idempotencyKey?: string | null;
}

const sessionCodec: Codec<CheckoutSession> = {
  encode: (s) => ({ ...s, expiresAt: s.expiresAt.toISOString(), completedAt: s.completedAt?.toISOString() ?? null, createdAt: s.createdAt.toISOString(), updatedAt: s.updatedAt.toISOString() }),
  decode: (json) => {
    const j = json as Record<string, string | null>;
    return { ...(j as unknown as CheckoutSession), expiresAt: new Date(j.expiresAt!), completedAt: j.completedAt ? new Date(j.completedAt) : null, createdAt: new Date(j.createdAt!), updatedAt: new Date(j.updatedAt!) };
  },
};

/** The session as its audit records and webhook events show it (never its client secret). */
export function checkoutSessionResource(s: CheckoutSession): Prisma.InputJsonObject {
  return {
    object: "checkout_session", id: s.id, status: s.status, paymentId: s.paymentId, locale: s.locale, successUrl: s.successUrl, cancelUrl: s.cancelUrl,
    expiresAt: s.expiresAt.toISOString(), completedAt: s.completedAt?.toISOString() ?? null, createdAt: s.createdAt.toISOString(),
  };
}

export async function createCheckoutSession(ctx: Ctx, input: CreateCheckoutSessionInput, headerKey?: string): Promise<CheckoutSession> {
  if (!(await publicUrl(ctx.app))) {
    throw new AppError(ErrorCode.SERVICE_UNAVAILABLE, "Hosted checkout needs paygraph's public URL: set PUBLIC_URL (the address shoppers reach paygraph at)");
  }
  const successUrl = checkReturnUrl(ctx.app.config, input.successUrl, "successUrl")!;
  const cancelUrl = checkReturnUrl(ctx.app.config, input.cancelUrl, "cancelUrl");
  const minutes = input.expiresInMinutes ?? MAX_MINUTES;
  if (!Number.isInteger(minutes) || minutes < MIN_MINUTES || minutes > MAX_MINUTES) throw badInput(`expiresInMinutes must be ${MIN_MINUTES} to ${MAX_MINUTES} (24 hours)`, "expiresInMinutes");
  const locale = input.locale ?? "en";
  if (!(LOCALES as readonly string[]).includes(locale)) throw badInput(`locale must be one of ${LOCALES.join(", ")}`, "locale");
  const shopper = checkShopper(input.shopper);
  const id = newId("cs");
  const { payment, request } = preparePayment(ctx, input, { checkoutSessionId: id });
  const now = payment.createdAt;
  const session: CheckoutSession = {
    id, merchantId: ctx.merchantId, paymentId: payment.id, status: "OPEN", clientSecret: `${id}_secret_${randomToken(32)}`,
    successUrl, cancelUrl, locale, shopper: shopper ? { ...shopper } : null, expiresAt: new Date(now.getTime() + minutes * 60_000), completedAt: null, createdAt: now, updatedAt: now,
  };
  const scope = {
    merchantId: ctx.merchantId, key: checkKey(input.idempotencyKey ?? headerKey), operation: "createCheckoutSession",
    request: { ...request, successUrl, cancelUrl, minutes, locale, ...(shopper ? { shopper } : {}) },
  };
  return insertNewPayment(ctx, payment, scope, session, sessionCodec, [
    Prisma.sql`checkout_session_row AS (${rowInsertSql("checkout_session", Prisma.CheckoutSessionScalarFieldEnum, session, paymentWritten)})`,
    Prisma.sql`checkout_session_audit AS (${auditInsertSql(ctx, { action: "checkout_session.created", entityType: "checkout_session", entityId: id, after: checkoutSessionResource(session) }, paymentWritten)})`,
  ]);
}

export async function getCheckoutSession(app: App, merchantId: string, id: string): Promise<CheckoutSession> {
  const session = await app.db.checkoutSession.findFirst({ where: { id, merchantId } });
  if (!session) throw notFound("checkout session", id);
  return session;
}

/** What the session's status is now: OPEN until its payment is paid (the COMPLETE write may trail by a moment). */
export const statusOf = (session: CheckoutSession, payment: Pick<Payment, "status">): CheckoutSession["status"] =>
  session.status === "OPEN" && PAID.includes(payment.status) ? "COMPLETE" : session.status;

/**
 * Ends an open session whose payment has not started: EXPIRED, with its payment cancelled. A
 * session already expired is answered as it is; a paid one, or one whose payment is being
 * processed or authenticated, cannot expire (INVALID_STATE_TRANSITION).
 */
export async function expireCheckoutSession(ctx: Ctx, id: string): Promise<CheckoutSession> {
  return relayOutbox(ctx, () =>
    ctx.app.db.$transaction(async (tx) => {
      const [locked] = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM checkout_session WHERE id = ${id} AND merchant_id = ${ctx.merchantId} FOR UPDATE`;
      if (!locked) throw notFound("checkout session", id);
      const session = await tx.checkoutSession.findUniqueOrThrow({ where: { id } });
      if (session.status === "EXPIRED") return session;
      const payment = await tx.payment.findFirstOrThrow({ where: { id: session.paymentId, merchantId: ctx.merchantId } });
      if (session.status === "COMPLETE" || !["REQUIRES_PAYMENT_METHOD", "CANCELED", "FAILED"].includes(payment.status)) {
        throw new AppError(ErrorCode.INVALID_STATE_TRANSITION, `Cannot expire a checkout session whose payment is ${payment.status}`, { from: statusOf(session, payment), to: "EXPIRED", paymentStatus: payment.status });
      }
      if (payment.status === "REQUIRES_PAYMENT_METHOD") await transitionPayment(tx, ctx, payment.id, { kind: "canceled" }, { read: payment });
      const expired = await tx.checkoutSession.update({ where: { id }, data: { status: "EXPIRED", updatedAt: new Date() } });
      await recordSessionEvent(tx, ctx, "checkout_session.expired", session, expired);
      return expired;
    }),
  );
}

async function recordSessionEvent(tx: Tx, ctx: Ctx, action: string, before: CheckoutSession, after: CheckoutSession): Promise<void> {
  const [auditRecordId] = await recordAudit(tx, ctx, { action, entityType: "checkout_session", entityId: after.id, before: checkoutSessionResource(before), after: checkoutSessionResource(after) });
  const message: CheckoutSessionEventMessage = { merchantId: ctx.merchantId, auditRecordId: auditRecordId!, action };
  await writeOutbox(tx, [{ topic: CHECKOUT_SESSION_EVENT_TOPIC, payload: message }]);
}

/**
 * Completes the open sessions of these payments (just authorized or captured): called with the
 * payments' own `payment.updated` messages, so at least once; a session already complete is left.
 */
export async function completeForPayments(app: App, payments: { merchantId: string; checkoutSessionId: string }[]): Promise<void> {
  for (const { merchantId, checkoutSessionId } of payments) {
    const ctx: Ctx = { app, merchantId, requestId: `checkout:${checkoutSessionId}`, actor: "system:checkout" };
    await relayOutbox(ctx, () =>
      app.db.$transaction(async (tx) => {
        const before = await tx.checkoutSession.findFirst({ where: { id: checkoutSessionId, merchantId, status: "OPEN" } });
        if (!before) return;
        const now = new Date();
        const done = await tx.checkoutSession.updateMany({ where: { id: before.id, status: "OPEN" }, data: { status: "COMPLETE", completedAt: now, updatedAt: now } });
        if (done.count === 1) await recordSessionEvent(tx, ctx, "checkout_session.completed", before, { ...before, status: "COMPLETE", completedAt: now, updatedAt: now });
      }),
    );
  }
}

/** The payments of `messages` that complete a checkout session. */
export function paidCheckoutPayments(messages: { merchantId: string; payment: Record<string, unknown> }[]): { merchantId: string; checkoutSessionId: string }[] {
  return messages.flatMap((m) => {
    const sessionId = m.payment.checkoutSessionId;
    return typeof sessionId === "string" && PAID.includes(String(m.payment.status)) ? [{ merchantId: m.merchantId, checkoutSessionId: sessionId }] : [];
  });
}

/**
 * The worker's sweep over open sessions past expiresAt, oldest first: one whose payment was paid
 * completes (should its completion have been missed), one whose payment has not started expires,
 * one whose payment is being processed or authenticated waits (the next sweep looks again, from
 * `after`: rows that must wait do not hold the others up).
 */
export async function expireDueSessions(app: App, now = new Date()): Promise<number> {
  let ended = 0;
  for (let after: Date | undefined; ; ) {
    const due = await app.db.checkoutSession.findMany({
      where: { status: "OPEN", expiresAt: { lt: now, ...(after ? { gt: after } : {}) } },
      select: { id: true, merchantId: true, paymentId: true, expiresAt: true }, orderBy: { expiresAt: "asc" }, take: 100,
    });
    for (const s of due) {
      const payment = await app.db.payment.findFirst({ where: { id: s.paymentId, merchantId: s.merchantId }, select: { status: true } });
      if (payment && PAID.includes(payment.status)) {
        await completeForPayments(app, [{ merchantId: s.merchantId, checkoutSessionId: s.id }]);
        ended++;
        continue;
      }
      const ctx: Ctx = { app, merchantId: s.merchantId, requestId: `checkout:${s.id}`, actor: "system:checkout" };
      await expireCheckoutSession(ctx, s.id).then(() => ended++, (err: unknown) => {
        if (!(err instanceof AppError && err.code === ErrorCode.INVALID_STATE_TRANSITION)) app.log.warn({ err, id: s.id }, "checkout session past its time could not be expired; will retry");
      });
    }
    if (due.length < 100) return ended;
    after = due.at(-1)!.expiresAt;
  }
}
