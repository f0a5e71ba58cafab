// Thin adapters over batches.ts. A batch needs the scope of its operation (refunds:write for
// REFUND, payments:write otherwise); reading one needs payments:read.
import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, Subscription } from "type-graphql";
import { merchantCtx, type GqlContext } from "../app/graphql-context.js";
import { AppError, ErrorCode } from "../platform/errors.js";
import type { Page } from "../platform/pagination.js";
import { startingWith } from "../platform/pubsub.js";
import { batchChannel } from "./queue.js";
import { batchMessage, batchScope, cancelBatch, createBatch, getBatch, listBatches, listItems, type BatchMessage, type BatchView } from "./batches.js";
import { BatchConnection, BatchItemPage, BatchPayload, BatchType, CancelBatchInput, CreateBatchInput } from "./batch.type.js";

/** FORBIDDEN unless the caller holds the scope the batch's operation needs. */
function requireOperationScope(context: GqlContext, operation: BatchView["operation"]): void {
  const scope = batchScope(operation);
  const scopes = merchantCtx(context).caller?.scopes;
  if (scopes && !scopes.includes(scope)) throw new AppError(ErrorCode.FORBIDDEN, `A ${operation} batch needs the scope '${scope}'`, { missingScope: scope });
}

@Resolver(() => BatchType)
export class BatchResolver {
  @Authorized("payments:read")
  @Query(() => BatchType)
  async batch(@Arg("id", () => ID) id: string, @Ctx() context: GqlContext): Promise<BatchView> {
    return getBatch(merchantCtx(context), id);
  }

  @Authorized("payments:read")
  @Query(() => BatchConnection, { description: "Newest first" })
  async batches(
    @Ctx() context: GqlContext,
    @Arg("first", () => Int, { nullable: true }) first?: number,
    @Arg("after", () => String, { nullable: true }) after?: string,
  ): Promise<Page<BatchView>> {
    return listBatches(merchantCtx(context), { first, after });
  }

  @FieldResolver(() => BatchItemPage, { description: "The items in line order; results as CSV: GET /v1/batches/{id}/results.csv" })
  async items(
    @Root() batch: BatchView,
    @Ctx() context: GqlContext,
    @Arg("first", () => Int, { nullable: true, description: "1–1000, default 100" }) first?: number,
    @Arg("after", () => String, { nullable: true }) after?: string,
  ): Promise<BatchItemPage> {
    return listItems(merchantCtx(context), batch.id, { first, after });
  }

  // The operation's scope is checked below (it depends on the input); any credential gets this far.
  @Authorized()
  @Mutation(() => BatchPayload, { description: "Validates every item, then runs each once in the worker" })
  async createBatch(@Arg("input") input: CreateBatchInput, @Ctx() context: GqlContext): Promise<BatchPayload> {
    requireOperationScope(context, input.operation);
    return { batch: await createBatch(merchantCtx(context), input) };
  }

  @Authorized()
  @Mutation(() => BatchPayload, { description: "Items not yet started never run; started ones finish" })
  async cancelBatch(@Arg("input") input: CancelBatchInput, @Ctx() context: GqlContext): Promise<BatchPayload> {
    const ctx = merchantCtx(context);
    requireOperationScope(context, (await getBatch(ctx, input.id)).operation);
    return { batch: await cancelBatch(ctx, input.id) };
  }

  @Authorized("payments:read")
  @Subscription(() => BatchType, {
    description: "The batch's counts as its items finish (starting with its current state)",
    subscribe: async ({ args, context }) => {
      const ctx = merchantCtx(context as GqlContext);
      const id = (args as { id: string }).id;
      const current = async (): Promise<BatchMessage[]> => [batchMessage(await getBatch(ctx, id))];
      // Subscribe first, then read: a change between the two arrives on the stream, never in a gap.
      const source = await ctx.app.pubsub.subscribe<BatchMessage>(batchChannel(ctx.app.config.redisPrefix, ctx.merchantId), current, { key: id, of: (m) => m.id });
      const first = await current().catch(async (err: unknown) => {
        await source.return?.();
        throw err; // NOT_FOUND at once for an unknown batch
      });
      return startingWith(first, source);
    },
  })
  batchUpdated(@Root() message: BatchMessage, @Arg("id", () => ID) _id: string): BatchView {
    return { ...message, createdAt: new Date(message.createdAt), updatedAt: new Date(message.updatedAt), completedAt: message.completedAt ? new Date(message.completedAt) : null };
  }
}
