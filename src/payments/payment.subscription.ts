// paymentUpdated: live payment changes over graphql-ws, fed by the outbox through Redis pub/sub,
// so a change made by a worker anywhere reaches a subscriber on any api process.
// With a paymentId the stream starts with the payment as it is now (no gap between a read and
// the subscription); versions only grow, so duplicates and stale events are dropped here.
import { Arg, Authorized, ID, Resolver, Root, Subscription } from "type-graphql";
import type { Payment } from "../generated/prisma/client.js";
import { merchantCtx, type GqlContext } from "../platform/graphql/context.js";
import { startWithAndFilter } from "../platform/pubsub.js";
import { getPayment } from "./payment.queries.js";
import { paymentFromJson, paymentToJson } from "./payment.snapshot.js";
import { PaymentType } from "./payment.type.js";
import type { PaymentUpdatedMessage } from "./transition.js";

export const paymentChannel = (redisPrefix: string, merchantId: string): string => `${redisPrefix}:payments:${merchantId}`;

async function paymentUpdates(context: GqlContext, paymentId: string | undefined): Promise<AsyncIterableIterator<PaymentUpdatedMessage>> {
  const ctx = merchantCtx(context);
  const source = await ctx.app.pubsub.subscribe<PaymentUpdatedMessage>(paymentChannel(ctx.app.config.redisPrefix, ctx.merchantId));
  let current: PaymentUpdatedMessage | undefined;
  if (paymentId) {
    const payment = await getPayment(ctx.app.db, ctx.merchantId, paymentId).catch(async (err: unknown) => {
      await source.return?.();
      throw err;
    });
    current = { merchantId: ctx.merchantId, paymentId, version: payment.version, payment: paymentToJson(payment) };
  }
  const delivered = new Map<string, number>();
  return startWithAndFilter(current, source, (m) => {
    if (paymentId && m.paymentId !== paymentId) return false;
    if ((delivered.get(m.paymentId) ?? 0) >= m.version) return false;
    delivered.set(m.paymentId, m.version);
    return true;
  });
}

@Resolver()
export class PaymentSubscriptionResolver {
  @Authorized()
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
