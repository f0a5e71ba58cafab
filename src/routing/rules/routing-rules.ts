// A merchant's routing rules: read, replaced as a whole, and loaded by the route planner. The
// set is one JSONB row per merchant (routing_rule_set), written by one upsert statement, so a
// confirmation reads either the old list or the new one, never a mix.
import type { GatewayAccount, Prisma } from "../../generated/prisma/client.js";
import type { Ctx } from "../../app/app.js";
import type { Tx } from "../../platform/db.js";
import { listGatewayAccounts } from "../../gateways/accounts/gateway-accounts.js";
import { rulesFromJson, rulesToJson, type RoutingRule, type RoutingRuleSet } from "./rule.js";
import { validateRules, type RuleInput } from "./validate.js";
import { recordAudit } from "../../audit/audit.js";

/**
 * The merchant's rules, for the planner on every confirmation: one primary-key read (≈1 ms, no
 * cache), inside the caller's transaction when given one, so a confirmation always routes by
 * the rules as they are when it commits and a change applies to the very next payment.
 */
export async function loadRoutingRules(db: Tx, merchantId: string): Promise<RoutingRuleSet> {
  const row = await db.routingRuleSet.findUnique({ where: { merchantId } });
  return row ? { version: row.version, rules: rulesFromJson(row.rules) } : { version: 0, rules: [] };
}

/** Rules as GraphQL shows them: each gateway next to its account (to show its name and `enabled`). */
export interface RulesWithAccounts {
  rules: RoutingRule[];
  accounts: Map<string, GatewayAccount>;
}

export async function getRoutingRules(ctx: Ctx): Promise<RulesWithAccounts> {
  const [set, accounts] = await Promise.all([loadRoutingRules(ctx.app.db, ctx.merchantId), listGatewayAccounts(ctx.app.db, ctx.merchantId)]);
  return { rules: set.rules, accounts: new Map(accounts.map((a) => [a.id, a])) };
}

/** Replaces all the merchant's rules (an empty list clears them) after validating every one. */
export async function setRoutingRules(ctx: Ctx, input: RuleInput[]): Promise<RulesWithAccounts> {
  // Accounts are never deleted, and an account changed after this check is filtered again by the
  // planner at run time (it skips accounts that are disabled or do not accept the payment).
  const accounts = await listGatewayAccounts(ctx.app.db, ctx.merchantId);
  const rules = validateRules(input, accounts);
  // Plain data (strings, numbers, arrays, objects); Prisma's JSON type cannot see it through the optional fields.
  const json = rulesToJson(rules) as unknown as Prisma.InputJsonValue;
  await ctx.app.db.$transaction(async (tx) => {
    const before = await tx.routingRuleSet.findUnique({ where: { merchantId: ctx.merchantId } });
    const after = await tx.routingRuleSet.upsert({
      where: { merchantId: ctx.merchantId },
      create: { merchantId: ctx.merchantId, version: 1, rules: json },
      update: { version: { increment: 1 }, rules: json, updatedAt: new Date() },
    });
    await recordAudit(tx, ctx, {
      action: "routing_rules.set", entityType: "routing_rule_set", entityId: ctx.merchantId,
      before: before ? { version: before.version, rules: before.rules as Prisma.InputJsonValue } : null,
      after: { version: after.version, rules: json },
    });
  });
  return { rules, accounts: new Map(accounts.map((a) => [a.id, a])) };
}
