// analyticsUpdated: the buckets of a question, live. The first message holds every bucket of the
// range (no gap between a read and the subscription); after that, each time the fold reports
// changed hours of the merchant inside the range, the buckets holding them are recomputed and
// sent, at most once a second per subscriber (trailing: the last change is always sent).
import { Arg, Authorized, Resolver, Root, Subscription } from "type-graphql";
import { merchantCtx, type GqlContext } from "../app/graphql-context.js";
import { analyticsAnswer, analyticsBuckets, parseQuestion, type AnalyticsBucket } from "./analytics.service.js";
import { AnalyticsInput, AnalyticsType } from "./analytics.type.js";
import { analyticsView } from "./analytics.view.js";
import { analyticsChannel, type FoldSignal } from "./fold.js";
import { bucketOf, subRange } from "./range.js";
import { throttle } from "./throttle.js";

export const ANALYTICS_THROTTLE_MS = 1000;

/** Bucket indices that changed, or "all" (after a Redis reconnect anything may have). */
type Changed = Set<number> | "all";

async function analyticsUpdates(context: GqlContext, input: AnalyticsInput): Promise<AsyncIterableIterator<AnalyticsType>> {
  const ctx = merchantCtx(context);
  const question = parseQuestion(input); // BAD_USER_INPUT before subscribing
  const { range } = question;
  const dims = new Set(question.groupBy);
  // Each message is an answer of its own: reporting totals at the rates in force when it is made.
  const view = async (buckets: AnalyticsBucket[]): Promise<AnalyticsType> => analyticsView(await analyticsAnswer(ctx, question, buckets));
  const whole = async (): Promise<AnalyticsType> => view(await analyticsBuckets(ctx, range, dims));
  // Subscribe first, then read: a change between the two arrives on the stream, never in a gap.
  const signals = await ctx.app.pubsub.subscribe<FoldSignal>(
    analyticsChannel(ctx.app.config.redisPrefix, ctx.merchantId),
    async () => [{ merchantId: ctx.merchantId, hours: null }],
  );
  return throttle<FoldSignal, Changed, AnalyticsType>(signals, {
    intervalMs: ANALYTICS_THROTTLE_MS,
    first: whole,
    merge: (pending, signal) => {
      if (pending === "all" || signal.hours === null) return "all";
      const changed = pending ?? new Set<number>();
      for (const hour of signal.hours) {
        const i = bucketOf(range, new Date(hour));
        if (i !== undefined) changed.add(i);
      }
      return changed;
    },
    produce: async (changed) => {
      if (changed === "all") return whole();
      if (changed.size === 0) return undefined; // hours outside the range
      const first = Math.min(...changed);
      const part = subRange(range, first, Math.max(...changed));
      return view((await analyticsBuckets(ctx, part, dims)).filter((b) => changed.has(b.index + first)));
    },
  });
}

@Resolver()
export class AnalyticsSubscriptionResolver {
  @Authorized("analytics:read")
  @Subscription(() => AnalyticsType, {
    description: "First every bucket of the question, then the buckets whose figures changed, at most one message a second",
    subscribe: ({ args, context }) => analyticsUpdates(context as GqlContext, (args as { input: AnalyticsInput }).input),
  })
  analyticsUpdated(@Root() message: AnalyticsType, @Arg("input", () => AnalyticsInput) _input: AnalyticsInput): AnalyticsType {
    return message;
  }
}
