// paymentUpdated: live payment changes over graphql-ws, fed by the outbox through Redis pub/sub,
// so a change made by a worker anywhere reaches a subscriber on any api process.
// A subscriber receives every version of a payment, in order, once (src/payments/payment-stream.ts):
// a version that skips ahead brings the missed ones from the audit trail first.
// With a paymentId the stream starts with the payment as it is now (no gap between a read and the
// subscription). After a Redis reconnect (pub/sub drops what is published meanwhile) a
// single-payment subscription re-reads its payment, and a merchant-wide one the payment versions
// recorded since it last heard an event: either way the gap is closed.
import { Arg, Authorized, ID, Resolver, Root, Subscription } from "type-graphql";
import type { Payment } from "../generated/prisma/client.js";
import { merchantCtx, type GqlContext } from "../app/graphql-context.js";
import { MAX_QUEUED_MESSAGES } from "../platform/pubsub.js";
import { paymentSnapshots, paymentSnapshotsSince, type PaymentSnapshot } from "../audit/audit.queries.js";
import { readPayment } from "./payment.queries.js";
import { paymentFromJson, paymentToJson } from "./payment.snapshot.js";
import { PaymentType } from "./payment.type.js";
import { inVersionOrder } from "./payment-stream.js";
import type { PaymentUpdatedMessage } from "./transition.js";

/**
 * Every change is published once, on the merchant's channel. A subscriber of one payment is
 * handed that payment's messages only (the hub indexes a channel's subscribers by key), so it is
 * not woken by the merchant's other payments, and following a payment costs Redis nothing more
 * than the process's one subscription to the merchant's channel.
 */
export const merchantChannel = (redisPrefix: string, merchantId: string): string => `${redisPrefix}:payments:${merchantId}`;
const byPayment = (m: PaymentUpdatedMessage): string => m.paymentId;

/**
 * How far before the last event heard a merchant-wide resync reads: an audit record's createdAt is
 * its transaction's start, and a change committed (and published) late may start this much earlier.
 * Also the allowance for clocks of different processes when telling a payment created after the
 * subscription started.
 */
const LOOK_BACK_MS = 10_000;

export async function paymentUpdates(context: GqlContext, paymentId: string | undefined): Promise<AsyncIterableIterator<PaymentUpdatedMessage>> {
  const ctx = merchantCtx(context);
  const { db, config, log } = ctx.app;
  const message = (payment: PaymentSnapshot): PaymentUpdatedMessage => ({ merchantId: ctx.merchantId, paymentId: payment.id, version: payment.version, payment });
  const current = async (id: string): Promise<PaymentUpdatedMessage[]> => {
    const payment = await readPayment(ctx.app.sql, ctx.merchantId, id);
    return [{ merchantId: ctx.merchantId, paymentId: id, version: payment.version, payment: paymentToJson(payment) }];
  };
  let heardAt = Date.now();
  const missedSince = async (): Promise<PaymentUpdatedMessage[]> => {
    // One more than a subscription may queue: a gap that large ends it (retryable) rather than flooding it.
    const since = new Date(heardAt - LOOK_BACK_MS);
    return (await paymentSnapshotsSince(db, ctx.merchantId, since, MAX_QUEUED_MESSAGES + 1)).map(message);
  };
  // Subscribe first, then read: a change between the two arrives on the stream, never in a gap.
  const source = await ctx.app.pubsub.subscribe<PaymentUpdatedMessage>(
    merchantChannel(config.redisPrefix, ctx.merchantId),
    paymentId ? () => current(paymentId) : missedSince,
    paymentId ? { key: paymentId, of: byPayment } : undefined,
  );
  const first = paymentId
    ? await current(paymentId).catch(async (err: unknown) => {
        await source.return?.();
        throw err;
      })
    : [];
  return inVersionOrder(first, source, {
    versions: async (id, from, to) => (await paymentSnapshots(db, ctx.merchantId, id, from, to)).map(message),
    // Merchant-wide: a payment created after the subscription began is followed from its first version.
    ...(paymentId ? {} : { horizon: heardAt - LOOK_BACK_MS }),
    onHeard: (m) => {
      if (paymentId && m.paymentId !== paymentId) return;
      heardAt = Date.now();
    },
    onGapUnfilled: (id, from, to, err) => log.warn({ err, paymentId: id, from, to }, "could not read the payment versions a subscriber missed; it gets the latest"),
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
