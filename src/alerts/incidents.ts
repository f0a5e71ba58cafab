// Alerts (incidents): a rule's condition holding for one subject. The one place an alert changes
// state. An alert FIRES when its subject's value is breached and none is open under its
// de-duplication key `<rule>:<subject>` (a partial unique index: one FIRING alert per key, however
// many evaluators race); it RESOLVES once the value has stayed clear — past the hysteresis band of
// conditions.ts — for ALERT_RESOLVE_AFTER, or its subject is gone. Each transition is one
// transaction: the alert, one notification row per channel, an audit record (the `alert.firing` /
// `alert.resolved` webhook event) and an outbox message that queues the notices and tells the
// `alertUpdated` subscribers. So a notice is queued exactly when its transition committed.
import { Prisma, type Alert, type AlertNotification, type AlertRule } from "../generated/prisma/client.js";
import type { AlertState } from "../generated/prisma/enums.js";
import type { App, Ctx } from "../app/app.js";
import type { Tx } from "../platform/db.js";
import { recordAudit } from "../audit/audit.js";
import { newId } from "../platform/ids.js";
import { relayOutbox, writeOutbox } from "../platform/outbox.js";
import { planPage, type Page, type PageArgs } from "../platform/pagination.js";
import { badInput } from "../platform/errors.js";
import { eventIdOf } from "../webhooks/events.js";
import type { StoredChannel } from "./channels.js";
import { KINDS, formatValue, verdict, type StoredCondition } from "./conditions.js";
import type { Observation } from "./measure.js";
import { alertTransitions } from "./alert-metrics.js";

export type { Alert, AlertNotification };

/** Outbox topic of a transition: the relay queues its notices and publishes the alert. */
export const ALERT_UPDATED_TOPIC = "alert.updated";

/** The alert as webhook receivers and subscribers see it (dates as ISO strings). */
export interface AlertResource {
  object: "alert";
  id: string;
  ruleId: string | null;
  ruleName: string;
  kind: Alert["kind"];
  subject: string;
  dedupKey: string;
  state: AlertState;
  value: number;
  firedValue: number;
  threshold: number;
  summary: string;
  firedAt: string;
  resolvedAt: string | null;
}

export interface AlertUpdatedMessage {
  merchantId: string;
  alert: AlertResource;
  /** The notices to queue (none when a deleted rule's alerts resolve). */
  notificationIds: string[];
  eventId: string;
}

export const alertResource = (a: Alert): AlertResource => ({
  object: "alert",
  id: a.id,
  ruleId: a.ruleId,
  ruleName: a.ruleName,
  kind: a.kind,
  subject: a.subject,
  dedupKey: a.dedupKey,
  state: a.state,
  value: a.lastValue,
  firedValue: a.firedValue,
  threshold: a.threshold,
  summary: a.summary,
  firedAt: a.createdAt.toISOString(),
  resolvedAt: a.resolvedAt?.toISOString() ?? null,
});

/** A merchant's alert changes, for the `alertUpdated` subscription. */
export const alertChannel = (redisPrefix: string, merchantId: string): string => `${redisPrefix}:alerts:${merchantId}`;

export const dedupKeyOf = (ruleId: string, subject: string): string => `${ruleId}:${subject}`;

/** "gateway account "EU" (gwa_…): the share of … is 42.0% (threshold 80.0%; 57 calls over 300 s)". */
function summarize(rule: AlertRule, condition: StoredCondition, o: Observation & { value: number }): string {
  const spec = KINDS[rule.kind];
  const basis = o.volume !== undefined && condition.windowSeconds ? `; ${o.volume} over ${condition.windowSeconds} s` : "";
  if (rule.kind === "CIRCUIT_OPEN") return `${o.label}: circuit breaker ${o.value >= 1 ? "open" : o.value > 0 ? "half-open" : "closed"}`;
  if (o.detail) return `${o.label}: ${o.detail}`;
  return `${o.label}: ${spec.describe} is ${formatValue(rule.kind, o.value)} (threshold ${formatValue(rule.kind, condition.threshold)}${basis})`;
}

/** Another evaluator opened it first (P2002), or the rule was deleted meanwhile (P2003, its foreign key). */
const lostRace = (err: unknown): boolean => err instanceof Prisma.PrismaClientKnownRequestError && (err.code === "P2002" || err.code === "P2003");

async function writeTransition(tx: Tx, ctx: Ctx, alert: Alert, channels: readonly StoredChannel[]): Promise<void> {
  const transition = alert.state;
  const notifications = channels.map((c, channel) => ({
    id: newId("aln"), merchantId: alert.merchantId, alertId: alert.id, transition, channel, channelKind: c.kind, status: "PENDING" as const,
  }));
  if (notifications.length) await tx.alertNotification.createMany({ data: notifications });
  const resource = alertResource(alert);
  const [auditId] = await recordAudit(tx, ctx, {
    action: transition === "FIRING" ? "alert.firing" : "alert.resolved", entityType: "alert", entityId: alert.id, after: { ...resource },
  });
  const message: AlertUpdatedMessage = { merchantId: alert.merchantId, alert: resource, notificationIds: notifications.map((n) => n.id), eventId: eventIdOf(auditId ?? "") };
  await writeOutbox(tx, [{ topic: ALERT_UPDATED_TOPIC, payload: message }]);
}

/** Opens an alert; undefined when one is already open under its key (another evaluator won). */
async function fire(ctx: Ctx, rule: AlertRule, condition: StoredCondition, channels: readonly StoredChannel[], o: Observation & { value: number }): Promise<Alert | undefined> {
  try {
    const alert = await relayOutbox(ctx, () => ctx.app.db.$transaction(async (tx) => {
      const created = await tx.alert.create({
        data: {
          id: newId("alt"), merchantId: rule.merchantId, ruleId: rule.id, ruleName: rule.name, kind: rule.kind, subject: o.subject,
          dedupKey: dedupKeyOf(rule.id, o.subject), state: "FIRING", firedValue: o.value, lastValue: o.value, threshold: condition.threshold,
          summary: summarize(rule, condition, o),
        },
      });
      await writeTransition(tx, ctx, created, channels);
      return created;
    }));
    alertTransitions.inc({ kind: rule.kind, state: "firing" });
    return alert;
  } catch (err) {
    if (lostRace(err)) return undefined;
    throw err;
  }
}

/** Resolves a firing alert; undefined when it was no longer firing (another evaluator resolved it). */
async function resolve(ctx: Ctx, alert: Alert, channels: readonly StoredChannel[], summary: string, value: number): Promise<Alert | undefined> {
  const resolved = await relayOutbox(ctx, () => ctx.app.db.$transaction(async (tx) => {
    const [after] = await tx.alert.updateManyAndReturn({
      where: { id: alert.id, state: "FIRING" },
      data: { state: "RESOLVED", resolvedAt: new Date(), lastValue: value, summary, clearSince: null, updatedAt: new Date() },
    });
    if (after) await writeTransition(tx, ctx, after, channels);
    return after;
  }));
  if (resolved) alertTransitions.inc({ kind: alert.kind, state: "resolved" });
  return resolved;
}

/** A deleted rule's firing alerts resolve with it, without notices (its channels are gone). */
export async function resolveAlertsOfDeletedRule(tx: Tx, ctx: Ctx, ruleId: string): Promise<void> {
  const open = await tx.alert.findMany({ where: { ruleId, state: "FIRING" } });
  for (const alert of open) {
    const [after] = await tx.alert.updateManyAndReturn({
      where: { id: alert.id, state: "FIRING" },
      data: { state: "RESOLVED", resolvedAt: new Date(), summary: `${alert.summary} (rule deleted)`, clearSince: null, updatedAt: new Date() },
    });
    if (after) await writeTransition(tx, ctx, after, []);
  }
}

/**
 * Applies one evaluation of a rule: fires what is breached and not open, resolves what has been
 * clear for ALERT_RESOLVE_AFTER (or whose subject is gone), and keeps each open alert's latest
 * value and clear-since. `open` is the rule's FIRING alerts.
 */
export async function applyObservations(
  ctx: Ctx, rule: AlertRule, condition: StoredCondition, channels: readonly StoredChannel[], observations: Observation[], open: Alert[],
): Promise<void> {
  const { app } = ctx;
  const now = Date.now();
  const openByKey = new Map(open.map((a) => [a.dedupKey, a]));
  for (const o of observations) {
    const alert = openByKey.get(dedupKeyOf(rule.id, o.subject));
    openByKey.delete(dedupKeyOf(rule.id, o.subject));
    if (o.value === null) {
      // Too little to judge: nothing fires or resolves, and a clear spell must start again after the gap.
      if (alert?.clearSince) await app.db.alert.updateMany({ where: { id: alert.id, state: "FIRING" }, data: { clearSince: null, updatedAt: new Date(now) } });
      continue;
    }
    const seen = { ...o, value: o.value };
    const v = verdict(rule.kind, condition.threshold, o.value);
    if (!alert) {
      if (v === "breached") await fire(ctx, rule, condition, channels, seen);
      continue;
    }
    if (v === "clear" && alert.clearSince && now - alert.clearSince.getTime() >= app.config.alertResolveAfterMs) {
      await resolve(ctx, alert, channels, summarize(rule, condition, seen), o.value);
      continue;
    }
    const clearSince = v === "clear" ? alert.clearSince ?? new Date(now) : null;
    if (clearSince?.getTime() !== alert.clearSince?.getTime() || alert.lastValue !== o.value) {
      await app.db.alert.updateMany({ where: { id: alert.id, state: "FIRING" }, data: { lastValue: o.value, clearSince, updatedAt: new Date(now) } });
    }
  }
  // Open alerts whose subject is gone (an account or endpoint deleted): nothing left to watch.
  for (const alert of openByKey.values()) await resolve(ctx, alert, channels, `${alert.summary} (no longer watched: ${alert.subject} is gone)`, alert.lastValue);
}

/** Newest first; `state` filters. */
export async function listAlerts(
  app: App, merchantId: string, args: PageArgs & { state?: AlertState | null },
): Promise<Page<Alert & { notifications: AlertNotification[] }>> {
  const plan = planPage(args);
  if (args.state && args.state !== "FIRING" && args.state !== "RESOLVED") throw badInput("state is FIRING or RESOLVED", "state");
  const rows = await app.db.alert.findMany({
    where: {
      merchantId,
      ...(args.state ? { state: args.state } : {}),
      ...plan.where,
    },
    include: { notifications: { orderBy: [{ createdAt: "asc" }, { channel: "asc" }] } },
    orderBy: plan.orderBy,
    take: plan.take,
  });
  return plan.finish(rows);
}
