// The outcome table in force for a merchant and a gateway kind: the merchant's overrides, in their
// order, before the connector's defaults. Read by the worker only when a call failed (approvals
// need no table), and through the API so a merchant can see what each error will do.
import type { Ctx } from "../app/app.js";
import type { Tx } from "../platform/db.js";
import { badInput } from "../platform/errors.js";
import type { GatewayKind } from "../generated/prisma/enums.js";
import { SANDBOX_DECISIONS, SANDBOX_LOST_ANSWER_CODES } from "../gateways/sandbox/decisions.js";
import type { DecisionRule } from "./outcome-decisions.js";
import { recordAudit } from "../audit/audit.js";

export const DEFAULT_DECISIONS: Readonly<Record<GatewayKind, readonly DecisionRule[]>> = { SANDBOX: SANDBOX_DECISIONS };
/** Each connector's codes for an answer lost or unusable (timeouts, 5xx): what RETRY is for. */
export const LOST_ANSWER_CODES: Readonly<Record<GatewayKind, readonly string[]>> = { SANDBOX: SANDBOX_LOST_ANSWER_CODES };

export interface TableRule extends DecisionRule {
  source: "MERCHANT" | "DEFAULT";
}

const MAX_OVERRIDES = 50;
const CODE = /^[a-z0-9_]{1,64}$/;

export async function decisionTable(db: Tx, merchantId: string, kind: GatewayKind): Promise<TableRule[]> {
  const overrides = await db.gatewayDecisionOverride.findMany({ where: { merchantId, kind }, orderBy: { position: "asc" } });
  return [
    ...overrides.map((o) => ({ code: o.code, declineCode: o.declineCode, messageContains: o.messageContains, decision: o.decision, description: o.description, source: "MERCHANT" as const })),
    ...DEFAULT_DECISIONS[kind].map((r) => ({ ...r, source: "DEFAULT" as const })),
  ];
}

/**
 * A merchant's overrides, checked and trimmed; BAD_USER_INPUT naming `rules[i].field` otherwise.
 * RETRY only on a row that can match nothing but a lost answer: one naming a lost-answer code of
 * the kind, with no decline code. On a decline row (a decline code, a refusal's code, or `*`, which
 * matches refusals too) it would only repeat the refusal, and, first in the table, shadow the
 * default rows (STEP_UP, soft-decline FAIL_OVER) for it: the schema's GatewayDecision says so.
 */
export function validateOverrides(kind: GatewayKind, rules: readonly DecisionRule[]): DecisionRule[] {
  if (rules.length > MAX_OVERRIDES) throw badInput(`At most ${MAX_OVERRIDES} overrides per gateway kind`, "rules");
  return rules.map((r, i) => {
    const field = (name: string) => `rules[${i}].${name}`;
    const code = r.code.trim();
    if (code !== "*" && !CODE.test(code)) throw badInput("code is a gateway error code (lowercase letters, digits, '_') or '*' for any", field("code"));
    const declineCode = r.declineCode?.trim() || null;
    if (declineCode !== null && !CODE.test(declineCode)) throw badInput("declineCode is lowercase letters, digits and '_'", field("declineCode"));
    if (r.decision === "RETRY" && (declineCode !== null || !LOST_ANSWER_CODES[kind].includes(code))) {
      throw badInput(`RETRY repeats the same request under the same key: a decline would only be declined again (use FAIL_OVER or STOP). RETRY is for the lost answers of ${kind}: ${LOST_ANSWER_CODES[kind].join(", ")}, with no declineCode`, field("decision"));
    }
    const messageContains = r.messageContains?.trim() || null;
    if (messageContains !== null && messageContains.length > 200) throw badInput("messageContains is at most 200 characters", field("messageContains"));
    const description = r.description?.trim() || null;
    if (description !== null && description.length > 500) throw badInput("description is at most 500 characters", field("description"));
    return { code, declineCode, messageContains, decision: r.decision, description };
  });
}

/** Replaces the merchant's overrides for a kind, all at once (an empty list restores the defaults). */
export async function setDecisionOverrides(ctx: Ctx, kind: GatewayKind, rules: readonly DecisionRule[]): Promise<TableRule[]> {
  const clean = validateOverrides(kind, rules);
  const overrides = (table: TableRule[]) => table.filter((r) => r.source === "MERCHANT").map(({ source: _, ...r }) => r);
  return ctx.app.db.$transaction(async (tx) => {
    const before = overrides(await decisionTable(tx, ctx.merchantId, kind));
    await tx.gatewayDecisionOverride.deleteMany({ where: { merchantId: ctx.merchantId, kind } });
    await tx.gatewayDecisionOverride.createMany({ data: clean.map((r, position) => ({ ...r, merchantId: ctx.merchantId, kind, position })) });
    const table = await decisionTable(tx, ctx.merchantId, kind);
    await recordAudit(tx, ctx, {
      action: "gateway_decisions.set", entityType: "gateway_decision_overrides", entityId: kind,
      before: { kind, overrides: before }, after: { kind, overrides: overrides(table) },
    });
    return table;
  });
}
