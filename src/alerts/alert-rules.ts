// A merchant's alert rules: created, listed, deleted (a rule is replaced, not edited: its alerts
// keep the name and threshold they fired under). Every change is audited.
import type { AlertRule } from "../generated/prisma/client.js";
import type { AlertKind } from "../generated/prisma/enums.js";
import type { Ctx } from "../app/app.js";
import { recordAudit } from "../audit/audit.js";
import { AppError, ErrorCode, badInput, notFound } from "../platform/errors.js";
import { newId } from "../platform/ids.js";
import { relayOutbox } from "../platform/outbox.js";
import { planPage, type Page, type PageArgs } from "../platform/pagination.js";
import { channelView, checkChannels, type AlertChannelInput, type ChannelView, type StoredChannel } from "./channels.js";
import { KINDS, checkCondition, type AlertCondition, type StoredCondition } from "./conditions.js";
import { resolveAlertsOfDeletedRule } from "./incidents.js";

export type { AlertRule };

export const MAX_RULES = 50;

export interface AlertRuleView {
  id: string;
  name: string;
  kind: AlertKind;
  condition: StoredCondition & { kind: AlertKind };
  channels: ChannelView[];
  createdAt: Date;
}

export const conditionOf = (rule: AlertRule): StoredCondition => rule.condition as unknown as StoredCondition;
export const channelsOf = (rule: AlertRule): StoredChannel[] => rule.channels as unknown as StoredChannel[];

export const ruleView = (rule: AlertRule): AlertRuleView => ({
  id: rule.id,
  name: rule.name,
  kind: rule.kind,
  condition: { kind: rule.kind, ...conditionOf(rule) },
  channels: channelsOf(rule).map(channelView),
  createdAt: rule.createdAt,
});

/** The audit view: no sealed Slack URL. */
const auditView = (rule: AlertRule): object => ({ ...ruleView(rule), createdAt: rule.createdAt.toISOString() });

export interface CreateAlertRuleInput {
  name: string;
  condition: AlertCondition & { kind: AlertKind };
  channels: AlertChannelInput[];
}

export async function createAlertRule(ctx: Ctx, input: CreateAlertRuleInput): Promise<AlertRule> {
  const { app, merchantId } = ctx;
  const name = input.name.trim();
  if (name.length < 1 || name.length > 100) throw badInput("name must be 1 to 100 characters", "name");
  const { kind, ...fields } = input.condition;
  if (KINDS[kind].platformOnly && ctx.caller && ctx.caller.role !== "ADMIN") {
    throw new AppError(ErrorCode.FORBIDDEN, `${kind} watches queues every merchant shares: platform administrators only`, { requiredRoles: ["ADMIN"] });
  }
  const condition = checkCondition(kind, fields, { maxSuccessRateWindowSeconds: Math.floor(app.config.routingWindowMs / 1000) });
  if (condition.gatewayAccountId && !(await app.db.gatewayAccount.findFirst({ where: { id: condition.gatewayAccountId, merchantId }, select: { id: true } }))) {
    throw badInput(`No such gateway account: '${condition.gatewayAccountId.slice(0, 40)}'`, "condition.gatewayAccountId");
  }
  if (condition.webhookEndpointId && !(await app.db.webhookEndpoint.findFirst({ where: { id: condition.webhookEndpointId, merchantId }, select: { id: true } }))) {
    throw badInput(`No such webhook endpoint: '${condition.webhookEndpointId.slice(0, 40)}'`, "condition.webhookEndpointId");
  }
  const channels = await checkChannels(app, merchantId, input.channels);
  return app.db.$transaction(async (tx) => {
    // The merchant's row lock serialises concurrent creations, so the limit holds.
    await tx.$queryRaw`SELECT id FROM merchant WHERE id = ${merchantId} FOR UPDATE`;
    if ((await tx.alertRule.count({ where: { merchantId } })) >= MAX_RULES) throw badInput(`A merchant may have at most ${MAX_RULES} alert rules`, "name");
    const rule = await tx.alertRule.create({
      data: { id: newId("alr"), merchantId, name, kind, condition: { ...condition }, channels },
    });
    await recordAudit(tx, ctx, { action: "alert_rule.created", entityType: "alert_rule", entityId: rule.id, after: auditView(rule) });
    return rule;
  });
}

export async function getAlertRule(ctx: Ctx, id: string): Promise<AlertRule> {
  const rule = await ctx.app.db.alertRule.findFirst({ where: { id, merchantId: ctx.merchantId } });
  if (!rule) throw notFound("alert rule", id);
  return rule;
}

export async function listAlertRules(ctx: Ctx, args: PageArgs): Promise<Page<AlertRule>> {
  const plan = planPage(args);
  return plan.finish(await ctx.app.db.alertRule.findMany({ where: { merchantId: ctx.merchantId, ...plan.where }, orderBy: plan.orderBy, take: plan.take }));
}

/** Deletes the rule; its firing alerts resolve at once, without notices (their channels went with it). */
export async function deleteAlertRule(ctx: Ctx, id: string): Promise<AlertRule> {
  return relayOutbox(ctx, () => ctx.app.db.$transaction(async (tx) => {
    // Locked first: an evaluator firing this rule meanwhile waits, then finds it gone (incidents.ts).
    await tx.$queryRaw`SELECT id FROM alert_rule WHERE id = ${id} AND merchant_id = ${ctx.merchantId} FOR UPDATE`;
    const rule = await tx.alertRule.findFirst({ where: { id, merchantId: ctx.merchantId } });
    if (!rule) throw notFound("alert rule", id);
    await resolveAlertsOfDeletedRule(tx, ctx, rule.id);
    await tx.alertRule.delete({ where: { id } });
    await recordAudit(tx, ctx, { action: "alert_rule.deleted", entityType: "alert_rule", entityId: id, before: auditView(rule) });
    return rule;
  }));
}
