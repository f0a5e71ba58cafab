// confirmPayment: validate the card → vault it, stage an attempt and move the payment to
// PROCESSING in one transaction, routed to a gateway (the reason is kept on the attempt); the
// gateway job leaves through the outbox (job id = attempt id),
// so the mutation returns at once and a crash after commit cannot lose the job.
import type { Payment } from "../../generated/prisma/client.js";
import { commit, type Ctx } from "../../platform/app.js";
import { idempotent } from "../../platform/idempotency.js";
import { newId } from "../../platform/ids.js";
import { GATEWAY_JOB_TOPIC, type GatewayJob } from "../../platform/queue.js";
import { validateCard, type CardInput } from "../../vault/card.js";
import { sealCard, vaultCard } from "../../vault/vault.js";
import { paymentCodec } from "../payment.snapshot.js";
import { AppError, ErrorCode } from "../../platform/errors.js";
import { routeAttempt } from "../../routing/route-attempt.js";
import { transitionPayment } from "../transition.js";

export interface ConfirmPaymentInput {
  paymentId: string;
  card: CardInput;
  idempotencyKey?: string | null;
}

export async function confirmPayment(ctx: Ctx, input: ConfirmPaymentInput, headerKey?: string): Promise<Payment> {
  const card = validateCard(input.card);
  // Encrypted before the transaction: the data key's provider work holds no transaction open.
  const sealed = await sealCard(ctx.app.vault, ctx.merchantId, card);
  // The stored request hash must not be a hash of a bare PAN: use the keyed fingerprint instead.
  const request = {
    paymentId: input.paymentId,
    card: { fingerprint: sealed.fingerprint, expMonth: card.expMonth, expYear: card.expYear },
  };
  const key = input.idempotencyKey ?? headerKey;
  return commit(ctx, () =>
    idempotent(ctx.app.db, { merchantId: ctx.merchantId, key, operation: "confirmPayment", request }, paymentCodec, async (tx) => {
      const method = await vaultCard(tx, ctx.app.vault, ctx.merchantId, sealed);
      const attemptId = newId("att");
      const job: GatewayJob = { kind: "authorize", attemptId, merchantId: ctx.merchantId };
      const payment = await transitionPayment(tx, ctx, input.paymentId, { kind: "confirm", paymentMethodId: method.id }, [
        { topic: GATEWAY_JOB_TOPIC, payload: job },
      ]);
      const route = await routeAttempt(ctx.app, tx, {
        merchantId: ctx.merchantId, paymentId: payment.id, currency: payment.currency, amount: payment.amount, cardBrand: card.brand, cardCountry: card.country, metadata: payment.metadata, tried: [],
      });
      if (!route) {
        throw new AppError(ErrorCode.GATEWAY_UNAVAILABLE, `No enabled gateway account accepts ${payment.currency} ${card.brand} cards`, { currency: payment.currency, cardBrand: card.brand });
      }
      // Fixed for this confirmation: captures and refunds convert at this same rate. Written (or
      // cleared) on every confirmation, so a payment re-confirmed without conversion keeps none.
      const settlement = route.settlement;
      const converted = !settlement && !payment.settlementCurrency ? payment : await tx.payment.update({
        where: { id: payment.id },
        data: {
          settlementCurrency: settlement?.currency ?? null, settlementAmount: settlement?.amount ?? null,
          fxRate: settlement?.rate.rate ?? null, fxRateAsOf: settlement?.rate.asOf ?? null, fxRateSource: settlement?.rate.source ?? null,
        },
      });
      await tx.paymentAttempt.create({
        data: {
          id: attemptId, merchantId: ctx.merchantId, paymentId: payment.id, status: "PENDING",
          amount: settlement?.amount ?? payment.amount, currency: settlement?.currency ?? payment.currency,
          gateway: route.gateway, gatewayAccountId: route.gatewayAccountId, routingReason: route.reason,
        },
      });
      return converted;
    }),
  );
}
