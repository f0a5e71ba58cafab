// Thin adapters over the audit log. Both need the `admin` scope: the log shows every key,
// gateway account and rule change of the merchant, which is administrative data.
import { Arg, Authorized, Ctx, Int, Query, Resolver } from "type-graphql";
import type { AuditRecord } from "../generated/prisma/client.js";
import { merchantCtx, type GqlContext } from "../app/graphql-context.js";
import { listAuditRecords } from "./audit.queries.js";
import { AuditBreakReason, AuditChainVerification, AuditLogFilter, AuditRecordConnection, AuditRecordType } from "./audit.type.js";
import { verifyChain } from "./verify.js";

const view = (r: AuditRecord): AuditRecordType => ({ ...r, seq: r.seq?.toString() ?? null });

@Resolver(() => AuditRecordType)
export class AuditResolver {
  @Authorized("admin")
  @Query(() => AuditRecordConnection, { description: "The merchant's audit log, newest first" })
  async auditLog(
    @Ctx() context: GqlContext,
    @Arg("first", () => Int, { nullable: true }) first?: number,
    @Arg("after", () => String, { nullable: true }) after?: string,
    @Arg("filter", () => AuditLogFilter, { nullable: true }) filter?: AuditLogFilter,
  ): Promise<AuditRecordConnection> {
    const ctx = merchantCtx(context);
    const page = await listAuditRecords(ctx.app.db, ctx.merchantId, { first, after, filter });
    return { ...page, edges: page.edges.map((e) => ({ cursor: e.cursor, node: view(e.node) })) };
  }

  @Authorized("admin")
  @Query(() => AuditChainVerification, { description: "Recomputes the merchant's hash chain and reports the first broken link" })
  async verifyAuditChain(@Ctx() context: GqlContext): Promise<AuditChainVerification> {
    const ctx = merchantCtx(context);
    const v = await verifyChain(ctx.app.db, ctx.merchantId);
    return {
      ok: v.ok, checked: v.checked, headSeq: v.headSeq.toString(), unsealed: v.unsealed,
      firstBroken: v.firstBroken ? { seq: v.firstBroken.seq.toString(), id: v.firstBroken.id, reason: v.firstBroken.reason as AuditBreakReason } : null,
    };
  }
}
