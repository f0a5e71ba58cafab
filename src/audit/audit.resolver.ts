// Thin adapters over the audit log. Both need the `admin` scope: the log shows every key,
// gateway account and rule change of the merchant, which is administrative data.
import { Arg, Args, Authorized, Ctx, Query, Resolver } from "type-graphql";
import type { AuditRecord } from "../generated/prisma/client.js";
import { merchantCtx, type GqlContext } from "../app/graphql-context.js";
import { ConnectionArgs } from "../platform/graphql/common.types.js";
import { mapPage, type Page } from "../platform/pagination.js";
import { listAuditRecords } from "./audit.queries.js";
import { AuditBreakReason, AuditChainVerification, AuditLogFilter, AuditRecordConnection, AuditRecordType } from "./audit.type.js";
import { verifyChain } from "./verify.js";

export const auditRecordView = (r: AuditRecord): AuditRecordType => ({ ...r, seq: r.seq?.toString() ?? null });

@Resolver(() => AuditRecordType)
export class AuditResolver {
  @Authorized("admin")
  @Query(() => AuditRecordConnection, { description: "The merchant's audit log, newest first" })
  async auditLog(
    @Ctx() context: GqlContext,
    @Args() args: ConnectionArgs,
    @Arg("filter", () => AuditLogFilter, { nullable: true }) filter?: AuditLogFilter,
  ): Promise<Page<AuditRecordType>> {
    const ctx = merchantCtx(context);
    return mapPage(await listAuditRecords(ctx.app.db, ctx.merchantId, { ...args, filter }), auditRecordView);
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
