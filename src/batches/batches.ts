// Batches: many captures, refunds or cancellations submitted at once. The input is checked whole
// (validation.ts); the batch and its items are written in one transaction with an outbox message
// that starts it in the worker (batch-runner.ts). A batch submitted twice under one idempotency key
// is one batch. Canceling stops the items not yet started; started ones finish.
import { createHash } from "node:crypto";
import { stringify } from "csv-stringify/sync";
import { Prisma, type Batch, type BatchItem } from "../generated/prisma/client.js";
import type { BatchOperation } from "../generated/prisma/enums.js";
import type { Ctx } from "../app/app.js";
import { recordAudit } from "../audit/audit.js";
import { AppError, ErrorCode, badInput, notFound } from "../platform/errors.js";
import { checkKey } from "../platform/idempotency.js";
import { newId } from "../platform/ids.js";
import { relayOutbox, writeOutbox } from "../platform/outbox.js";
import { planPage, type Page, type PageArgs } from "../platform/pagination.js";
import { BATCH_START_TOPIC, batchChannel, type BatchStartMessage } from "./queue.js";
import { checkLines, type BatchLine, type LineProblem } from "./validation.js";

export type { Batch, BatchItem };

/** How many items succeeded, failed, were invalid or canceled: counted from the items. */
export interface BatchCounts {
  succeeded: number;
  failed: number;
  invalid: number;
  canceled: number;
}
export type BatchView = Batch & BatchCounts;

/** The batches with their counts: one GROUP BY over the items (index batch_id, status). */
export async function withCounts(db: Ctx["app"]["db"], batches: Batch[]): Promise<BatchView[]> {
  if (batches.length === 0) return [];
  const rows = await db.batchItem.groupBy({ by: ["batchId", "status"], where: { batchId: { in: batches.map((b) => b.id) } }, _count: { _all: true } });
  return batches.map((b) => {
    const count = (status: string): number => rows.find((r) => r.batchId === b.id && r.status === status)?._count._all ?? 0;
    return { ...b, succeeded: count("SUCCEEDED"), failed: count("FAILED"), invalid: count("INVALID"), canceled: count("CANCELED") };
  });
}

/** Inline items (createBatch) and lines of a file (POST /v1/batches). */
export const MAX_INLINE_ITEMS = 1_000;
export const MAX_FILE_LINES = 10_000;
const ITEM_INSERT_SLICE = 2_000;
/** How many bad lines an error names (the count says how many there were). */
const REPORTED_PROBLEMS = 100;

export interface CreateBatchInput {
  operation: BatchOperation;
  items: BatchLine[];
  idempotencyKey?: string | null;
  skipInvalid?: boolean | null;
}

/** The scope a batch of this operation needs: the single mutation's. */
export const batchScope = (operation: BatchOperation): string => (operation === "REFUND" ? "refunds:write" : "payments:write");

const requestHash = (input: CreateBatchInput): string =>
  createHash("sha256").update(JSON.stringify([input.operation, Boolean(input.skipInvalid), input.items.map((i) => [i.paymentId, i.amount ?? null, i.reason ?? null])])).digest("hex");

const uniqueViolation = (err: unknown): boolean => err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002";

async function existing(ctx: Ctx, key: string, hash: string): Promise<Batch | undefined> {
  const batch = await ctx.app.db.batch.findFirst({ where: { merchantId: ctx.merchantId, idempotencyKey: key } });
  if (batch && batch.requestHash !== hash) {
    throw new AppError(ErrorCode.IDEMPOTENCY_KEY_REUSED, `Idempotency key '${key}' was used for a different batch`, { field: "idempotencyKey" });
  }
  return batch ?? undefined;
}

export async function createBatch(ctx: Ctx, input: CreateBatchInput, limit = MAX_INLINE_ITEMS): Promise<BatchView> {
  if (input.items.length === 0) throw badInput("A batch needs at least one item", "items");
  if (input.items.length > limit) throw badInput(`A batch takes at most ${limit} items here${limit === MAX_INLINE_ITEMS ? `; post a file to /v1/batches for up to ${MAX_FILE_LINES}` : ""}`, "items");
  const key = checkKey(input.idempotencyKey ?? undefined);
  const hash = requestHash(input);
  if (key) {
    const found = await existing(ctx, key, hash);
    if (found) return (await withCounts(ctx.app.db, [found]))[0]!;
  }
  const checked = await checkLines(ctx.app.db, ctx.merchantId, input.operation, input.items);
  const problems = checked.flatMap((c) => (c.problem ? [c.problem] : []));
  if (problems.length && !input.skipInvalid) throw invalidLines(problems, checked.length);
  if (problems.length === checked.length) throw invalidLines(problems, checked.length);
  const batch: Batch = {
    id: newId("bat"), merchantId: ctx.merchantId, operation: input.operation, status: "VALIDATING", total: checked.length,
    skipInvalid: Boolean(input.skipInvalid), actor: ctx.actor,
    idempotencyKey: key ?? null, requestHash: hash, createdAt: new Date(), updatedAt: new Date(), completedAt: null,
  };
  try {
    return await relayOutbox(ctx, () => ctx.app.db.$transaction(async (tx) => {
      await tx.batch.create({ data: batch });
      const rows = checked.map((c) => ({
        batchId: batch.id, line: c.line, paymentId: c.paymentId, amount: c.amount, reason: c.reason,
        status: c.problem ? "INVALID" as const : "PENDING" as const, errorCode: c.problem?.code ?? null, errorMessage: c.problem?.message ?? null,
      }));
      // In slices: 10,000 rows of 8 values would pass PostgreSQL's 65,535 bind parameters in one INSERT.
      for (let i = 0; i < rows.length; i += ITEM_INSERT_SLICE) await tx.batchItem.createMany({ data: rows.slice(i, i + ITEM_INSERT_SLICE) });
      await recordAudit(tx, ctx, { action: "batch.created", entityType: "batch", entityId: batch.id, after: { id: batch.id, operation: batch.operation, total: batch.total, invalid: problems.length } });
      const start: BatchStartMessage = { batchId: batch.id, merchantId: ctx.merchantId };
      await writeOutbox(tx, [{ topic: BATCH_START_TOPIC, payload: start }]);
      return { ...batch, succeeded: 0, failed: 0, invalid: problems.length, canceled: 0 };
    }, { timeout: 30_000 }));
  } catch (err) {
    // The same key submitted twice at once: the other submission's batch is this one.
    const other = key && uniqueViolation(err) ? await existing(ctx, key, hash) : undefined;
    if (other) return (await withCounts(ctx.app.db, [other]))[0]!;
    throw err;
  }
}

function invalidLines(problems: LineProblem[], total: number): AppError {
  return new AppError(ErrorCode.BAD_USER_INPUT, `${problems.length} of ${total} lines are invalid, nothing was run (skipInvalid runs the others)`, {
    field: "items", invalid: problems.length, lines: problems.slice(0, REPORTED_PROBLEMS),
  });
}

export async function getBatch(ctx: Ctx, id: string): Promise<BatchView> {
  const batch = await ctx.app.db.batch.findFirst({ where: { id, merchantId: ctx.merchantId } });
  if (!batch) throw notFound("batch", id);
  return (await withCounts(ctx.app.db, [batch]))[0]!;
}

export async function listBatches(ctx: Ctx, args: PageArgs): Promise<Page<BatchView>> {
  const plan = planPage(args);
  const rows = await ctx.app.db.batch.findMany({ where: { merchantId: ctx.merchantId, ...plan.where }, orderBy: plan.orderBy, take: plan.take });
  return plan.finish(await withCounts(ctx.app.db, rows));
}

/** A page of the batch's items in line order; the cursor is the last line seen. */
export async function listItems(ctx: Ctx, batchId: string, args: { first?: number | null; after?: string | null }): Promise<{ items: BatchItem[]; hasNextPage: boolean; endCursor: string | null }> {
  const take = args.first == null ? 100 : args.first;
  if (!Number.isInteger(take) || take < 1 || take > 1000) throw badInput("first must be between 1 and 1000", "first");
  const afterLine = args.after == null ? 0 : Number(args.after);
  if (!Number.isInteger(afterLine) || afterLine < 0) throw badInput("Invalid cursor", "after");
  const rows = await ctx.app.db.batchItem.findMany({ where: { batchId, batch: { merchantId: ctx.merchantId }, line: { gt: afterLine } }, orderBy: { line: "asc" }, take: take + 1 });
  const items = rows.slice(0, take);
  return { items, hasNextPage: rows.length > take, endCursor: items.length ? String(items.at(-1)!.line) : null };
}

/** Items not yet started never run; started ones finish (their counts still arrive). */
export async function cancelBatch(ctx: Ctx, id: string): Promise<BatchView> {
  await relayOutbox(ctx, () => ctx.app.db.$transaction(async (tx) => {
    const [locked] = await tx.$queryRaw<{ status: string }[]>`SELECT status FROM batch WHERE id = ${id} AND merchant_id = ${ctx.merchantId} FOR UPDATE`;
    if (!locked) throw notFound("batch", id);
    if (locked.status === "COMPLETED" || locked.status === "CANCELED") {
      throw new AppError(ErrorCode.INVALID_STATE_TRANSITION, `Batch ${id} is ${locked.status}`, { from: locked.status, to: "CANCELED" });
    }
    const stopped = await tx.batchItem.updateMany({ where: { batchId: id, status: "PENDING" }, data: { status: "CANCELED", updatedAt: new Date() } });
    await tx.batch.update({ where: { id }, data: { status: "CANCELED", updatedAt: new Date() } });
    await recordAudit(tx, ctx, { action: "batch.canceled", entityType: "batch", entityId: id, after: { id, canceled: stopped.count } });
  }));
  await publishBatch(ctx.app, ctx.merchantId, id);
  return getBatch(ctx, id);
}

/** A batch's state as subscribers receive it (dates as ISO strings). */
export type BatchMessage = Omit<BatchView, "createdAt" | "updatedAt" | "completedAt"> & { createdAt: string; updatedAt: string; completedAt: string | null };

export const batchMessage = (b: BatchView): BatchMessage => ({ ...b, createdAt: b.createdAt.toISOString(), updatedAt: b.updatedAt.toISOString(), completedAt: b.completedAt?.toISOString() ?? null });

/** Reads the batch with its counts and tells its subscribers; a failure is logged, not thrown (the next update carries the same). */
export async function publishBatch(app: Ctx["app"], merchantId: string, id: string): Promise<void> {
  try {
    const batch = await app.db.batch.findFirst({ where: { id, merchantId } });
    if (!batch) return;
    const [view] = await withCounts(app.db, [batch]);
    await app.pubsub.publish([{ channels: [batchChannel(app.config.redisPrefix, merchantId)], message: batchMessage(view!) }]);
  } catch (err) {
    app.log.warn({ err, batchId: id }, "batch update not published");
  }
}

/** Every item as CSV, in line order: what each did, or why not. */
export async function resultsCsv(ctx: Ctx, id: string): Promise<string> {
  await getBatch(ctx, id);
  const items = await ctx.app.db.batchItem.findMany({ where: { batchId: id }, orderBy: { line: "asc" } });
  return stringify(items.map((i) => [i.line, i.paymentId, i.amount ?? "", i.status, i.errorCode ?? "", i.errorMessage ?? "", i.resultId ?? ""]), {
    header: true, columns: ["line", "paymentId", "amount", "status", "errorCode", "errorMessage", "resultId"],
  });
}
