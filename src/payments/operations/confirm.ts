// confirmPayment: take the card (inline details → vaulted now; a `tok_…` → consumed; a saved
// `pm_…` → checked against the payment's customer, src/customers/payment-methods.ts), stage an
// attempt and move the payment to PROCESSING atomically, routed to a gateway (the reason is kept
// on the attempt); the gateway job leaves through the outbox (job id = attempt id), so the
// mutation returns at once and a crash after commit cannot lose the job. The writes are one
// statement; it runs in a transaction when a key is claimed or a token or saved card is used
// first, and alone otherwise (an inline card with no key: the commonest confirmation).
import { Prisma, type Payment, type PaymentAttempt, type PaymentMethod } from "../../generated/prisma/client.js";
import type { Ctx } from "../../app/app.js";
import { relayOutbox, type OutboxMessage } from "../../platform/outbox.js";
import { checkKey, idempotent } from "../../platform/idempotency.js";
import { newId } from "../../platform/ids.js";
import { rowInsertSql } from "../../platform/sql-columns.js";
import { GATEWAY_JOB_TOPIC, type GatewayJob } from "../../platform/queue.js";
import { validateCard, type CardInput } from "../../vault/card.js";
import { sealCard } from "../../vault/vault.js";
import { exactlyOne, paymentMethodForConfirm, type MethodSource } from "../../customers/payment-methods.js";
import { getPayment, readPayment } from "../payment.queries.js";
import { auditInsertSql } from "../../audit/audit.js";
import { attemptView } from "../../audit/views.js";
import { paymentCodec } from "../payment.snapshot.js";
import { AppError, ErrorCode } from "../../platform/errors.js";
import { routeAttempt, type Route } from "../../routing/route-attempt.js";
import { paymentWritten, transitionPayment, transitionPaymentNow, type TransitionOptions } from "../transition.js";
import { sqlIn, type Tx } from "../../platform/db.js";
import { decide, type PaymentChange, type Settlement } from "../payment-change.js";
import { checkReturnUrl } from "../three-d-secure/return-url.js";
import { BLOCKED_BY_RISK, assessRisk } from "../../risk/assess.js";
import { checkShopper, type Shopper } from "../../risk/shopper.js";

export interface ConfirmPaymentInput {
  paymentId: string;
  /** Exactly one of card, token, paymentMethodId. */
  card?: CardInput | null;
  token?: string | null;
  paymentMethodId?: string | null;
  /** Attach the card to the payment's customer for later payments. */
  savePaymentMethod?: boolean | null;
  /** Where the shopper's browser goes after a 3-D Secure challenge (three-d-secure/return-url.ts). */
  returnUrl?: string | null;
  /** ANY: authenticate with 3-D Secure before authorizing; AUTOMATIC (default): when the issuer or the risk step asks. */
  requestThreeDSecure?: "AUTOMATIC" | "ANY" | null;
  /** What the merchant knows of the shopper, for the risk step (src/risk/shopper.ts). */
  shopper?: { ip?: string | null; email?: string | null; country?: string | null } | null;
  idempotencyKey?: string | null;
}

/** What a confirmation asks beyond its card: carried into its change and its first attempt. */
interface ConfirmOptions { returnUrl: string | null; requestThreeDSecure: "AUTOMATIC" | "ANY"; shopper: Shopper | null }

export async function confirmPayment(ctx: Ctx, input: ConfirmPaymentInput, headerKey?: string): Promise<Payment> {
  const given = exactlyOne(input as unknown as Record<string, unknown>, ["card", "token", "paymentMethodId"]);
  const save = input.savePaymentMethod === true;
  let source: MethodSource;
  let request: Record<string, unknown>;
  if (given === "card") {
    const card = validateCard(input.card!);
    // Encrypted before the transaction: the data key's provider work holds no transaction open.
    const sealed = await sealCard(ctx.app.vault, ctx.merchantId, card);
    source = { kind: "card", card: sealed };
    // The stored request hash must not be a hash of a bare PAN: use the keyed fingerprint instead.
    request = {
      paymentId: input.paymentId,
      card: { fingerprint: sealed.fingerprint, expMonth: card.expMonth, expYear: card.expYear },
    };
  } else if (given === "token") {
    source = { kind: "token", token: input.token! };
    request = { paymentId: input.paymentId, token: input.token };
  } else {
    source = { kind: "saved", paymentMethodId: input.paymentMethodId! };
    request = { paymentId: input.paymentId, paymentMethodId: input.paymentMethodId };
  }
  if (save) request.savePaymentMethod = true;
  const options: ConfirmOptions = { returnUrl: checkReturnUrl(ctx.app.config, input.returnUrl), requestThreeDSecure: input.requestThreeDSecure ?? "AUTOMATIC", shopper: checkShopper(input.shopper) };
  // Not in the request's hash: a retry from the shopper's next address is the same request.
  if (options.returnUrl) request.returnUrl = options.returnUrl;
  if (options.requestThreeDSecure !== "AUTOMATIC") request.requestThreeDSecure = options.requestThreeDSecure;
  const key = checkKey(input.idempotencyKey ?? headerKey);
  // A card given inline, not saved, no idempotency key: everything the confirmation writes (the
  // card, the attempt, the payment's change, their audit records, the job) is one statement, so it
  // needs no transaction around it (src/payments/transition.ts, transitionPaymentNow).
  if (source.kind === "card" && !save && key === undefined) {
    const card = source;
    return relayOutbox(ctx, () =>
      confirmWith(ctx, ctx.app.db, () => readPayment(ctx.app.sql, ctx.merchantId, input.paymentId), card, false, options,
        (before, change, writes) => transitionPaymentNow(ctx, before, change, writes)));
  }
  return relayOutbox(ctx, () =>
    idempotent(ctx.app.db, { merchantId: ctx.merchantId, key, operation: "confirmPayment", request }, paymentCodec, (tx) =>
      confirmWith(ctx, tx, () => getPayment(tx, ctx.merchantId, input.paymentId), source, save, options,
        (before, change, writes) => transitionPayment(tx, ctx, before.id, change, { ...writes, read: before }))),
  );
}

type WriteChange = (before: Payment, change: PaymentChange, writes: Pick<TransitionOptions, "also" | "writes">) => Promise<Payment>;

/**
 * The confirmation: take the card, check the payment can be confirmed, route it, and write the
 * change with the attempt, through `write` (in the caller's transaction, or as a statement alone).
 * `q` is where its reads (and a saved card's or token's writes) go.
 */
async function confirmWith(ctx: Ctx, q: Tx, loadPayment: () => Promise<Payment>, source: MethodSource, save: boolean, { returnUrl, requestThreeDSecure, shopper }: ConfirmOptions, write: WriteChange): Promise<Payment> {
  let read: Promise<Payment> | undefined;
  const current = (): Promise<Payment> => (read ??= loadPayment());
  const { method, withChange, attach } = await paymentMethodForConfirm(q, ctx, current, source, save);
  const before = await current();
  // Refused before routing: a payment that cannot be confirmed is told so, not that no gateway fits.
  decide(before, { kind: "confirm", paymentMethodId: method.id, settlement: null }, ctx.app.config.maxFailedAttempts);
  // The risk step (src/risk) and the routing read at once (the risk step's Redis round trip hides
  // behind the routing's reads); a blocked confirmation then reaches no gateway.
  const [risk, route] = await Promise.all([
    // In a transaction, on its connection (sqlIn says why); alone, through the pool's prepared statements.
    assessRisk(ctx.app, q === ctx.app.db ? ctx.app.sql : sqlIn(q), before, method, shopper),
    routeAttempt(ctx.app, q, {
      merchantId: ctx.merchantId, paymentId: before.id, currency: before.currency, amount: before.amount, cardBrand: method.brand, cardCountry: method.country, metadata: before.metadata, tried: [],
    }),
  ]);
  const methodWrites = withChange(paymentWritten).map((w, i) => Prisma.sql`method_${Prisma.raw(String(i))} AS (${w})`);
  // A card the risk step blocks is not saved for the customer (it still pays nothing, and is kept as this payment's).
  if (risk.outcome !== "BLOCK") await attach?.();
  if (risk.outcome === "BLOCK") {
    // The why stays in `payment.risk` (the merchant's to read): the message may reach the shopper
    // (the hosted checkout shows it), and a fraudster must not learn which signal to change.
    const error = { code: BLOCKED_BY_RISK, declineCode: null, message: "Declined by the merchant's risk checks before reaching the card's bank; nothing was charged", attemptId: null };
    return write(before, { kind: "blocked", paymentMethodId: method.id, risk, error }, { also: [], writes: methodWrites });
  }
  if (risk.outcome === "REVIEW") return write(before, { kind: "review", paymentMethodId: method.id, risk, returnUrl }, { also: [], writes: methodWrites });
  const { settlement, also, writes } = firstAttempt(ctx, before, method, route, requestThreeDSecure === "ANY" || risk.outcome === "REQUEST_3DS");
  return write(before, { kind: "confirm", paymentMethodId: method.id, settlement, returnUrl, risk }, { also, writes: [...writes, ...methodWrites] });
}

/**
 * A confirmation's first attempt at the gateway `route` chose (or an approval's, after review),
 * written in the statement that moves the payment (src/payments/transition.ts), so it is one
 * write round trip: the attempt row and its audit record, and its gateway job through the outbox.
 */
export function firstAttempt(
  ctx: Ctx, before: Payment, method: Pick<PaymentMethod, "brand">, route: Route | undefined, authenticationRequired: boolean,
): { settlement: Settlement | null; also: OutboxMessage[]; writes: Prisma.Sql[] } {
  if (!route) {
    throw new AppError(ErrorCode.GATEWAY_UNAVAILABLE, `No enabled gateway account accepts ${before.currency} ${method.brand} cards`, { currency: before.currency, cardBrand: method.brand });
  }
  // Fixed for this confirmation: captures and refunds convert at this same rate. Written (or
  // cleared) by the confirmation's own change, so its audit record and message carry it.
  const s = route.settlement;
  const settlement = s ? { currency: s.currency, amount: s.amount, rate: s.rate.rate, asOf: s.rate.asOf, source: s.rate.source } : null;
  const now = new Date();
  // The attempt exactly as its INSERT leaves it.
  const attempt: PaymentAttempt = {
    id: newId("att"), merchantId: ctx.merchantId, paymentId: before.id, gateway: route.gateway, status: "PENDING",
    amount: settlement?.amount ?? before.amount, currency: settlement?.currency ?? before.currency,
    gatewayReference: null, errorCode: null, declineCode: null, errorMessage: null, tries: 0,
    gatewayAccountId: route.gatewayAccountId, routingReason: route.reason, previousAttemptId: null, decision: null, latencyMs: null,
    authenticationRequired, createdAt: now, updatedAt: now,
  };
  const job: GatewayJob = { kind: "authorize", attemptId: attempt.id, merchantId: ctx.merchantId };
  // Where the attempt goes, with the settlement rate fixed for it.
  const audit = auditInsertSql(ctx, {
    action: "payment_attempt.created", entityType: "payment_attempt", entityId: attempt.id,
    after: { ...attemptView(attempt), settlement: settlement ? { currency: settlement.currency, amount: settlement.amount.toString(), rate: settlement.rate, rateSource: settlement.source } : null },
  }, paymentWritten);
  return {
    settlement,
    also: [{ topic: GATEWAY_JOB_TOPIC, payload: job }],
    writes: [
      Prisma.sql`attempt AS (${rowInsertSql("payment_attempt", Prisma.PaymentAttemptScalarFieldEnum, attempt, paymentWritten)})`,
      Prisma.sql`attempt_audit AS (${audit})`,
    ],
  };
}
