// The page pays its session: the card goes to confirmPayment like every other card, with the page itself
// as the 3-D Secure returnUrl (the shopper comes back to see the outcome live). A payment already
// under way or paid is answered as it stands: a double click, a reload or a second tab pays once.
import type { Ctx } from "../app/app.js";
import type { CheckoutSession } from "../generated/prisma/client.js";
import { publicUrl } from "../app/public-url.js";
import { AppError, ErrorCode } from "../platform/errors.js";
import { confirmPayment } from "../payments/operations/confirm.js";
import { readPayment } from "../payments/payment.queries.js";
import type { Shopper } from "../risk/shopper.js";
import type { CardInput } from "../vault/card.js";
import { getCheckoutSession, statusOf } from "./checkout-sessions.js";

const PLACEHOLDER = /\{CHECKOUT_SESSION_ID\}|%7BCHECKOUT_SESSION_ID%7D/gi;

export const successUrlOf = (session: Pick<CheckoutSession, "id" | "successUrl">): string => session.successUrl.replace(PLACEHOLDER, session.id);

export async function payCheckoutSession(ctx: Ctx, input: { id: string; card: CardInput; idempotencyKey?: string | null }, shopperIp?: string) {
  const session = await getCheckoutSession(ctx.app, ctx.merchantId, input.id);
  const payment = await readPayment(ctx.app.sql, ctx.merchantId, session.paymentId);
  const status = statusOf(session, payment);
  if (status === "EXPIRED" || (status === "OPEN" && session.expiresAt <= new Date())) {
    throw new AppError(ErrorCode.INVALID_STATE_TRANSITION, "This checkout session has expired", { from: "EXPIRED", to: "COMPLETE" });
  }
  // Under way, waiting for the shopper's bank, or paid: nothing more to send.
  if (status === "COMPLETE" || payment.status !== "REQUIRES_PAYMENT_METHOD") return { ...session, payment };
  const base = await publicUrl(ctx.app);
  const confirmed = await confirmPayment(ctx, {
    // The page's keys live under its session, apart from the merchant's own keys.
    paymentId: session.paymentId, card: input.card, idempotencyKey: input.idempotencyKey ? `checkout:${session.id}:${input.idempotencyKey.slice(0, 200)}` : null,
    ...(base ? { returnUrl: `${base}/checkout/${session.id}` } : {}),
    // What the merchant told of the shopper, and the page's request's address: it comes from the shopper.
    shopper: { ...(session.shopper as Shopper | null), ...(shopperIp ? { ip: shopperIp } : {}) },
  }).catch(async (err: unknown) => {
    // Another tab confirmed first: answer the payment as it now stands.
    if (err instanceof AppError && err.code === ErrorCode.INVALID_STATE_TRANSITION) return readPayment(ctx.app.sql, ctx.merchantId, session.paymentId);
    throw err;
  });
  return { ...session, payment: confirmed };
}
