// paymentUpdated: live payment changes over graphql-ws, fed by the outbox through Redis pub/sub,
// so a change made by a worker anywhere reaches a subscriber on any api process.
// With a paymentId the stream starts with the payment as it is now (no gap between a read and
// the subscription) and re-reads it after a Redis reconnect; versions only grow, so duplicates
// and stale events are dropped here.
import { Arg, Authorized, ID, Resolver, Root, Subscription } from "type-graphql";
import type { Payment } from "../generated/prisma/client.js";
import { merchantCtx, type GqlContext } from "../app/graphql-context.js";
import { startWithAndFilter } from "../platform/pubsub.js";
import { getPayment } from "./payment.queries.js";
import { paymentFromJson, paymentToJson } from "./payment.snapshot.js";
import { PaymentType } from "./payment.type.js";
import type { PaymentUpdatedMessage } from "./transition.js";

/**
 * Every change is published twice: on the merchant's channel (dashboards) and on the payment's
 * own channel, so a client following one payment is not woken by every other payment's events.
 */
export const merchantChannel = (redisPrefix: string, merchantId: string): string => `${redisPrefix}:payments:${merchantId}`;
export const paymentChannel = (redisPrefix: string, merchantId: string, paymentId: string): string =>
  `${redisPrefix}:payment:${merchantId}:${paymentId}`;

async function paymentUpdates(context: GqlContext, paymentId: string | undefined): Promise<AsyncIterableIterator<PaymentUpdatedMessage>> {
  const ctx = merchantCtx(context);
  const current = async (id: string): Promise<PaymentUpdatedMessage> => {
    const payment = await getPayment(ctx.app.db, ctx.merchantId, id);
    return { merchantId: ctx.merchantId, paymentId: id, version: payment.version, payment: paymentToJson(payment) };
  };
  // Subscribe first, then read: a change between the two arrives on the stream, never in a gap.
  const { redisPrefix } = ctx.app.config;
  const source = await ctx.app.pubsub.subscribe<PaymentUpdatedMessage>(
    paymentId ? paymentChannel(redisPrefix, ctx.merchantId, paymentId) : merchantChannel(redisPrefix, ctx.merchantId),
    paymentId ? () => current(paymentId) : undefined,
  );
  const first = paymentId
    ? await current(paymentId).catch(async (err: unknown) => {
        await source.return?.();
        throw err;
      })
    : undefined;
  const delivered = new Map<string, number>();
  return startWithAndFilter(first, source, (m) => {
    if (paymentId && m.paymentId !== paymentId) return false;
    if ((delivered.get(m.paymentId) ?? 0) >= m.version) return false;
    if (delivered.size >= 10_000) delivered.clear(); // a dashboard follows payments without end: stay bounded
    delivered.set(m.paymentId, m.version);
    return true;
  });
}

@Resolver()
export class PaymentSubscriptionResolver {
  @Authorized("payments:read")
  @Subscription(() => PaymentType, {
    description: "Every change of one payment (starting with its current state), or of all the merchant's payments",
    subscribe: ({ args, context }) => paymentUpdates(context as GqlContext, (args as { paymentId?: string }).paymentId ?? undefined),
  })
  paymentUpdated(
    @Root() message: PaymentUpdatedMessage,
    @Arg("paymentId", () => ID, { nullable: true }) _paymentId?: string,
  ): Payment {
    return paymentFromJson(message.payment);
  }
}
