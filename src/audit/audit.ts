// The audit log's one writer. Every state change and administrative action calls `recordAudit` in
// the transaction that makes the change, so a record exists exactly when the change committed.
import { Prisma } from "../generated/prisma/client.js";
import type { Ctx } from "../app/app.js";
import type { Tx } from "../platform/db.js";
import { newId } from "../platform/ids.js";

export interface AuditEntry {
  /** `<entity>.<verb>`: `payment.captured`, `api_key.rolled`, `gateway_account.updated`, … */
  action: string;
  entityType: string;
  entityId: string;
  /** JSON views of the entity: never secrets, never card data (hashes, last4 and ids only). */
  before?: Prisma.InputJsonValue | null;
  after?: Prisma.InputJsonValue | null;
}

type Actor = Pick<Ctx, "merchantId" | "requestId" | "actor">;

/** Writes the records; answers their ids, in order (a webhook event names the record it is). */
export async function recordAudit(tx: Tx, ctx: Actor, ...entries: AuditEntry[]): Promise<string[]> {
  if (entries.length === 0) return [];
  const ids = entries.map(() => newId("aud"));
  await tx.auditRecord.createMany({
    data: entries.map((e, i) => ({
      id: ids[i] as string,
      merchantId: ctx.merchantId,
      actor: ctx.actor,
      requestId: ctx.requestId,
      action: e.action,
      entityType: e.entityType,
      entityId: e.entityId,
      ...(e.before != null ? { before: e.before } : {}),
      ...(e.after != null ? { after: e.after } : {}),
    })),
  });
  return ids;
}

/**
 * The same record as one INSERT … SELECT FROM `guard`: for a caller that writes its change, its
 * audit record and its outbox messages in one statement (src/payments/transition.ts). The record
 * is written only if `guard` (a CTE of that statement) returned a row.
 */
export function auditInsertSql(ctx: Actor, entry: AuditEntry, guard: Prisma.Sql, id: string = newId("aud")): Prisma.Sql {
  const json = (v: Prisma.InputJsonValue | null | undefined): string | null => (v == null ? null : JSON.stringify(v));
  return Prisma.sql`INSERT INTO audit_record (id, merchant_id, actor, request_id, action, entity_type, entity_id, before, after, created_at)
    SELECT ${id}, ${ctx.merchantId}, ${ctx.actor}, ${ctx.requestId}, ${entry.action}, ${entry.entityType}, ${entry.entityId},
           ${json(entry.before)}::jsonb, ${json(entry.after)}::jsonb, ${new Date()}::timestamptz FROM ${guard}`;
}
