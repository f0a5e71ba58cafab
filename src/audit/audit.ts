// The audit log's one writer. Every state change and administrative action calls `recordAudit` in
// the transaction that makes the change, so a record exists exactly when the change committed.
import type { Prisma } from "../generated/prisma/client.js";
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

export async function recordAudit(tx: Tx, ctx: Actor, ...entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await tx.auditRecord.createMany({
    data: entries.map((e) => ({
      id: newId("aud"),
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
}
