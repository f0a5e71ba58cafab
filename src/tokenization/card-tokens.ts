// Card tokens: a browser sends the card to POST /v1/tokens with a publishable key, the card is
// validated and vaulted there, and the merchant's server only ever handles the `tok_…`. A token is
// single-use and short-lived; consuming it is one conditional UPDATE inside the caller's
// transaction, so two concurrent uses cannot both win, and a failed confirmation gives it back.
import type { CardToken, PaymentMethod } from "../generated/prisma/client.js";
import type { App, Ctx } from "../app/app.js";
import type { Db, Tx } from "../platform/db.js";
import { recordAudit } from "../audit/audit.js";
import { AppError, ErrorCode, badInput } from "../platform/errors.js";
import { newId } from "../platform/ids.js";
import { validateCard } from "../vault/card.js";
import { sealCard, vaultCard } from "../vault/vault.js";

export interface CardTokenView {
  id: string;
  card: { brand: string; last4: string; expMonth: number; expYear: number; country: string | null };
  expiresAt: string;
  used: boolean;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The request body's card, type-checked field by field (the values themselves by validateCard). */
function cardOf(body: unknown): { number: string; expMonth: number; expYear: number; cvc: string | null } {
  if (!isRecord(body) || !isRecord(body.card)) throw badInput("The body must be JSON: { card: { number, expMonth, expYear, cvc } }", "card");
  const { number, expMonth, expYear, cvc } = body.card;
  if (typeof number !== "string") throw badInput("card.number must be a string of digits", "card.number");
  if (typeof expMonth !== "number") throw badInput("card.expMonth must be a number", "card.expMonth");
  if (typeof expYear !== "number") throw badInput("card.expYear must be a number", "card.expYear");
  if (cvc !== undefined && cvc !== null && typeof cvc !== "string") throw badInput("card.cvc must be a string of digits", "card.cvc");
  return { number, expMonth, expYear, cvc: cvc ?? null };
}

/** Validates and vaults the card, and issues its token (the CVC is checked for format and dropped). */
export async function createCardToken(app: App, actor: Pick<Ctx, "merchantId" | "requestId" | "actor">, body: unknown): Promise<CardTokenView> {
  // Sealed before the transaction: the vault's data-key work holds no transaction open.
  const card = await sealCard(app.vault, actor.merchantId, validateCard(cardOf(body)));
  const expiresAt = new Date(Date.now() + app.config.cardTokenTtlSeconds * 1000);
  return app.db.$transaction(async (tx) => {
    const method = await vaultCard(tx, app.vault, actor.merchantId, card);
    const token = await tx.cardToken.create({ data: { id: newId("tok"), merchantId: actor.merchantId, paymentMethodId: method.id, expiresAt } });
    await recordAudit(tx, actor, {
      action: "card_token.created", entityType: "card_token", entityId: token.id,
      after: { id: token.id, paymentMethodId: method.id, brand: method.brand, last4: method.last4, expiresAt: expiresAt.toISOString() },
    });
    return viewOf(token, method);
  });
}

export const viewOf = (token: CardToken, method: PaymentMethod): CardTokenView => ({
  id: token.id,
  card: { brand: method.brand, last4: method.last4, expMonth: method.expMonth, expYear: method.expYear, country: method.country },
  expiresAt: token.expiresAt.toISOString(),
  used: token.usedAt !== null,
});

const refused = (code: ErrorCode, message: string, reason: string, id: string): AppError => new AppError(code, message, { field: "token", reason, id });

/**
 * Marks the token used and returns its card, in the caller's transaction. Another merchant's (or an
 * unknown) token is NOT_FOUND; a used or expired one is BAD_USER_INPUT with `reason`
 * `token_used` / `token_expired`.
 */
export async function consumeCardToken(tx: Tx, merchantId: string, id: string): Promise<PaymentMethod> {
  if (!/^tok_[0-9A-Za-z]{1,64}$/.test(id)) throw badInput("token must be a 'tok_…' id from POST /v1/tokens", "token");
  const now = new Date();
  const { count } = await tx.cardToken.updateMany({ where: { id, merchantId, usedAt: null, expiresAt: { gt: now } }, data: { usedAt: now } });
  const token = await tx.cardToken.findFirst({ where: { id, merchantId } });
  if (!token) throw refused(ErrorCode.NOT_FOUND, `No such token: '${id}'`, "token_not_found", id);
  if (count === 0 && token.usedAt) throw refused(ErrorCode.BAD_USER_INPUT, `Token '${id}' was already used; tokens are single-use`, "token_used", id);
  if (count === 0) throw refused(ErrorCode.BAD_USER_INPUT, `Token '${id}' expired at ${token.expiresAt.toISOString()}`, "token_expired", id);
  const method = await tx.paymentMethod.findFirst({ where: { id: token.paymentMethodId, merchantId } });
  if (!method) throw new Error(`token ${id} names a missing payment method`);
  return method;
}

/** How often the worker purges, and how long after expiry an unused token (and its card) is kept. */
export const PURGE_EVERY_MS = 15 * 60_000;
export const PURGE_AFTER_MS = 60 * 60_000;

/**
 * A token that expired unused leaves a vaulted card nobody can ever use: past PURGE_AFTER_MS the
 * token and that card's ciphertext are deleted (in batches). An expired token can no longer be
 * consumed (consumeCardToken checks expiry in its UPDATE), so this cannot race a payment.
 */
export async function purgeExpiredCardTokens(db: Db, now = Date.now()): Promise<number> {
  let purged = 0;
  for (;;) {
    const count = await db.$transaction(async (tx) => {
      const stale = await tx.cardToken.findMany({
        where: { usedAt: null, expiresAt: { lt: new Date(now - PURGE_AFTER_MS) } }, select: { id: true, paymentMethodId: true }, take: 500,
      });
      if (stale.length === 0) return 0;
      await tx.cardToken.deleteMany({ where: { id: { in: stale.map((t) => t.id) }, usedAt: null } });
      await tx.paymentMethod.deleteMany({ where: { id: { in: stale.map((t) => t.paymentMethodId) } } });
      return stale.length;
    });
    purged += count;
    if (count < 500) return purged;
  }
}
