// The alert evaluator, in the worker: every ALERT_EVALUATE_EVERY_MS it measures every rule and
// applies the verdicts (incidents.ts). One evaluator works per tick across all worker processes (a
// Redis lease; if two ever overlap, the unique index on open alerts still keeps one incident per
// key and each transition's guarded UPDATE lets only one of them resolve it). A rule that cannot be
// measured this tick (Redis or PostgreSQL unavailable) is skipped and tried at the next.
import type { Queue } from "bullmq";
import type { App, Ctx } from "../app/app.js";
import type { AlertRule } from "../generated/prisma/client.js";
import { every } from "../platform/loop.js";
import { channelsOf, conditionOf } from "./alert-rules.js";
import { applyObservations, type Alert } from "./incidents.js";
import { measure } from "./measure.js";

export const ALERT_ACTOR = "system:alerts";

/** Evaluates every rule once (exported for tests and the evaluator's tick). */
export async function evaluateRules(app: App, queues: ReadonlyMap<string, Queue>): Promise<void> {
  const [rules, open] = await Promise.all([app.db.alertRule.findMany(), app.db.alert.findMany({ where: { state: "FIRING" } })]);
  const openByRule = new Map<string, Alert[]>();
  for (const a of open) if (a.ruleId) openByRule.set(a.ruleId, [...(openByRule.get(a.ruleId) ?? []), a]);
  for (const rule of rules) {
    try {
      await evaluateRule(app, rule, openByRule.get(rule.id) ?? [], queues);
    } catch (err) {
      app.log.warn({ err, ruleId: rule.id }, "alert rule not evaluated this time");
    }
  }
}

async function evaluateRule(app: App, rule: AlertRule, open: Alert[], queues: ReadonlyMap<string, Queue>): Promise<void> {
  const condition = conditionOf(rule);
  const observations = await measure(app, rule, condition, queues);
  const ctx: Ctx = { app, merchantId: rule.merchantId, requestId: `alerts:${rule.id}`, actor: ALERT_ACTOR };
  await applyObservations(ctx, rule, condition, channelsOf(rule), observations, open);
}

export function startAlertEvaluator(app: App, queues: ReadonlyMap<string, Queue>): { stop(): Promise<void> } {
  const everyMs = app.config.alertEvaluateEveryMs;
  const lease = `${app.config.redisPrefix}:alerts:evaluator`;
  return every(everyMs, async () => {
    try {
      // The lease runs out just before the next tick, so a worker that died holding it costs one tick.
      const mine = await app.redis.set(lease, String(process.pid), "PX", Math.max(50, everyMs - 20), "NX");
      if (mine) await evaluateRules(app, queues);
    } catch (err) {
      app.log.warn({ err }, "alert evaluation skipped; tried again at the next tick");
    }
  });
}
