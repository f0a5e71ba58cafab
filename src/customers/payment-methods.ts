// Saved cards. A vaulted card (PaymentMethod) becomes reusable through a saved_payment_method row:
//
// - attached to a customer, it pays any number of that customer's payments, and only theirs;
// - unattached (createPaymentMethod without customerId), it pays once (then it is spent);
// - detached (detachPaymentMethod, deleteCustomer), it never pays again and cannot be re-attached;
// - a card vaulted inline by confirmPayment({ card }) has no row: it paid its payment and is not
//   reusable unless saved there (`savePaymentMethod: true`).
//
// This is Stripe's rule for PaymentMethods. Every check that guards a use is one conditional
// UPDATE of the row, so a use racing a detach (or a second use of a single-use method) loses cleanly.
import { Prisma, type Payment, type PaymentMethod, type SavedPaymentMethod } from "../generated/prisma/client.js";
import type { Ctx } from "../app/app.js";
import type { Tx } from "../platform/db.js";
import { auditInsertSql, recordAudit } from "../audit/audit.js";
import { paymentMethodView } from "../audit/views.js";
import { AppError, ErrorCode, badInput } from "../platform/errors.js";
import type { CardInput } from "../vault/card.js";
import { validateCard } from "../vault/card.js";
import { cardRow, sealCard, vaultCard, type SealedCard } from "../vault/vault.js";
import { rowInsertSql } from "../platform/sql-columns.js";
import { consumeCardToken } from "../tokenization/card-tokens.js";
import { getCustomer, getPaymentMethod } from "./customer.data.js";

const unusable = (message: string, reason: string, field = "paymentMethodId"): AppError =>
  new AppError(ErrorCode.BAD_USER_INPUT, message, { field, reason });

/** What the audit log keeps of a saved card: ids and its public summary. */
/** The audit log's view of a card (src/audit/views.ts) with the customer it is attached to. */
const cardView = (m: PaymentMethod, customerId: string | null) => ({ ...paymentMethodView(m), customerId });

/** Exactly one of the named inputs; BAD_USER_INPUT naming the field otherwise. */
export function exactlyOne(input: Record<string, unknown>, names: readonly string[]): string {
  const given = names.filter((n) => input[n] !== undefined && input[n] !== null);
  if (given.length === 1) return given[0]!;
  throw badInput(`Give exactly one of ${names.join(", ")}${given.length ? ` (got ${given.join(" and ")})` : ""}`, given[1] ?? names[0]);
}

async function attachInTx(tx: Tx, ctx: Ctx, method: PaymentMethod, customerId: string, existing: SavedPaymentMethod | null): Promise<void> {
  const now = new Date();
  if (!existing) {
    await tx.savedPaymentMethod.create({ data: { paymentMethodId: method.id, merchantId: ctx.merchantId, customerId, attachedAt: now } });
  } else {
    if (existing.customerId === customerId && !existing.detachedAt) return; // already there: nothing changes
    const { count } = await tx.savedPaymentMethod.updateMany({
      where: { paymentMethodId: method.id, merchantId: ctx.merchantId, customerId: null, usedAt: null, detachedAt: null },
      data: { customerId, attachedAt: now },
    });
    if (count === 0) {
      const row = await tx.savedPaymentMethod.findUnique({ where: { paymentMethodId: method.id } });
      if (row?.detachedAt) throw new AppError(ErrorCode.CONFLICT, `Payment method '${method.id}' was detached and cannot be attached again; vault the card anew`, { field: "paymentMethodId", reason: "detached" });
      if (row?.customerId) throw new AppError(ErrorCode.CONFLICT, `Payment method '${method.id}' is attached to another customer; detach it first`, { field: "paymentMethodId", reason: "attached_elsewhere" });
      throw new AppError(ErrorCode.CONFLICT, `Payment method '${method.id}' was already used without a customer and cannot be saved`, { field: "paymentMethodId", reason: "spent" });
    }
  }
  await recordAudit(tx, ctx, { action: "payment_method.attached", entityType: "payment_method", entityId: method.id, after: cardView(method, customerId) });
}

/** Server-side vaulting (secret key): from card details or a token, optionally attached to a customer. */
export async function createPaymentMethod(ctx: Ctx, input: { card?: CardInput | null; token?: string | null; customerId?: string | null }): Promise<{ method: PaymentMethod; saved: SavedPaymentMethod }> {
  const source = exactlyOne(input, ["card", "token"]);
  // Sealed before the transaction: the vault's data-key work holds no transaction open.
  const card: SealedCard | undefined = source === "card" ? await sealCard(ctx.app.vault, ctx.merchantId, validateCard(input.card!)) : undefined;
  return ctx.app.db.$transaction(async (tx) => {
    if (input.customerId) await getCustomer(tx, ctx.merchantId, input.customerId, "customerId");
    const method = card ? await vaultCard(tx, ctx.app.vault, ctx.merchantId, card) : await consumeCardToken(tx, ctx.merchantId, input.token!);
    const saved = await tx.savedPaymentMethod.create({
      data: { paymentMethodId: method.id, merchantId: ctx.merchantId, customerId: input.customerId ?? null, attachedAt: input.customerId ? new Date() : null },
    });
    await recordAudit(tx, ctx, { action: "payment_method.created", entityType: "payment_method", entityId: method.id, after: { ...cardView(method, saved.customerId), source } });
    if (input.customerId) {
      await recordAudit(tx, ctx, { action: "payment_method.attached", entityType: "payment_method", entityId: method.id, after: cardView(method, input.customerId) });
    }
    return { method, saved };
  });
}

export async function attachPaymentMethod(ctx: Ctx, input: { paymentMethodId: string; customerId: string }): Promise<PaymentMethod> {
  return ctx.app.db.$transaction(async (tx) => {
    const { method, saved } = await getPaymentMethod(tx, ctx.merchantId, input.paymentMethodId);
    await getCustomer(tx, ctx.merchantId, input.customerId, "customerId");
    if (!saved) throw unusable(`Payment method '${method.id}' paid a payment without being saved and cannot be reused`, "not_reusable");
    await attachInTx(tx, ctx, method, input.customerId, saved);
    return method;
  });
}

/** Detaching is final: the card can no longer pay (as Stripe's detach). */
export async function detachPaymentMethod(ctx: Ctx, input: { paymentMethodId: string }): Promise<PaymentMethod> {
  return ctx.app.db.$transaction(async (tx) => {
    const { method, saved } = await getPaymentMethod(tx, ctx.merchantId, input.paymentMethodId);
    const { count } = await tx.savedPaymentMethod.updateMany({
      where: { paymentMethodId: method.id, merchantId: ctx.merchantId, customerId: { not: null }, detachedAt: null },
      data: { detachedAt: new Date() },
    });
    if (count === 0) throw new AppError(ErrorCode.CONFLICT, `Payment method '${method.id}' is not attached to a customer`, { field: "paymentMethodId", reason: "not_attached" });
    await recordAudit(tx, ctx, { action: "payment_method.detached", entityType: "payment_method", entityId: method.id, before: cardView(method, saved?.customerId ?? null), after: cardView(method, null) });
    return method;
  });
}

/** How confirmPayment was given its card: exactly one of these. */
export type MethodSource =
  | { kind: "card"; card: SealedCard }
  | { kind: "token"; token: string }
  | { kind: "saved"; paymentMethodId: string };

/**
 * The card a confirmation pays with, in the confirmation's transaction (a refusal rolls back the
 * token's consumption too). A saved card must be the merchant's; if attached, to this payment's
 * customer; if unattached, unused. `save` attaches the card to the payment's customer: through
 * `attach`, which the confirmation calls once the risk step has not blocked the card.
 */
export async function paymentMethodForConfirm(
  tx: Tx, ctx: Ctx, loadPayment: () => Promise<Payment>, source: MethodSource, save: boolean,
): Promise<ConfirmMethod> {
  // Read only when a rule needs it (saving, or a saved card): a plain card or token needs no extra
  // query here, and transitionPayment, in the same transaction, answers another merchant's payment NOT_FOUND.
  const payment = save || source.kind === "saved" ? await loadPayment() : undefined;
  if (save && !payment!.customerId) throw badInput("savePaymentMethod needs a payment created with a customerId", "savePaymentMethod");
  if (save) await getCustomer(tx, ctx.merchantId, payment!.customerId!, "savePaymentMethod"); // not deleted since
  const created = (m: PaymentMethod) => ({ action: "payment_method.created", entityType: "payment_method", entityId: m.id, after: { ...cardView(m, null), source: "confirm" } });
  if (source.kind === "card" && !save) {
    // The common case, a card given inline and not saved: the card's row and its audit record are
    // written in the statement that moves the payment (the confirmation's one write round trip).
    const method = cardRow(source.card, ctx.merchantId);
    return { method, withChange: (guard) => [rowInsertSql("payment_method", Prisma.PaymentMethodScalarFieldEnum, method, guard), auditInsertSql(ctx, created(method), guard)] };
  }
  if (source.kind === "card" || source.kind === "token") {
    const method = source.kind === "card" ? await vaultCard(tx, ctx.app.vault, ctx.merchantId, source.card) : await consumeCardToken(tx, ctx.merchantId, source.token);
    if (source.kind === "card") await recordAudit(tx, ctx, created(method));
    return { method, withChange: () => [], ...(save ? { attach: () => attachInTx(tx, ctx, method, payment!.customerId!, null).then(() => undefined) } : {}) };
  }
  const { method, saved } = await getPaymentMethod(tx, ctx.merchantId, source.paymentMethodId);
  if (!saved) throw unusable(`Payment method '${method.id}' paid a payment without being saved and cannot be reused`, "not_reusable");
  if (saved.detachedAt) throw unusable(`Payment method '${method.id}' was detached and can no longer be used`, "detached");
  if (saved.customerId && saved.customerId !== payment!.customerId) {
    throw unusable(`Payment method '${method.id}' belongs to another customer than this payment's`, "customer_mismatch");
  }
  const now = new Date();
  // Attached: every use by its customer, while not detached. Unattached: one use only.
  const { count } = await tx.savedPaymentMethod.updateMany({
    where: saved.customerId
      ? { paymentMethodId: method.id, merchantId: ctx.merchantId, customerId: saved.customerId, detachedAt: null }
      : { paymentMethodId: method.id, merchantId: ctx.merchantId, customerId: null, usedAt: null, detachedAt: null },
    data: { usedAt: now },
  });
  if (count === 0) throw unusable(`Payment method '${method.id}' was already used (or detached) and cannot pay again`, "spent");
  // Used just now, unattached: attached in the same transaction (the use above counted as its first).
  const attach = async () => {
    await tx.savedPaymentMethod.update({ where: { paymentMethodId: method.id }, data: { customerId: payment!.customerId, attachedAt: now } });
    await recordAudit(tx, ctx, { action: "payment_method.attached", entityType: "payment_method", entityId: method.id, after: cardView(method, payment!.customerId) });
  };
  return { method, withChange: () => [], ...(save && !saved.customerId ? { attach } : {}) };
}

/** The card a confirmation pays with, and what to write in the statement of its change of the payment. */
export interface ConfirmMethod {
  method: PaymentMethod;
  /** Statements (`INSERT … SELECT … FROM guard`) written exactly when `guard`, the payment's change, is. */
  withChange(guard: Prisma.Sql): Prisma.Sql[];
  /** savePaymentMethod: attaches the card to the payment's customer (not called when the risk step blocks it). */
  attach?: () => Promise<void>;
}
