// The figures alert rules watch, measured now. One observation per subject the rule covers (each
// of the merchant's gateway accounts, or the one it names; each endpoint; each queue), `value`
// null when there is too little to judge (fewer than `minVolume` calls in the window): that holds
// an alert as it is. A subject that is gone (an account or endpoint deleted) has no observation.
//
// Sources: success rates from the gateways' call windows in Redis (what routing ranks by: every
// call, retries included); decline shares and p99 latency from payment_attempt (index
// gateway_account_id, created_at); circuits from the breakers; endpoints from webhook_endpoint;
// queue age from BullMQ's waiting lists.
import type { Queue } from "bullmq";
import type { App } from "../app/app.js";
import type { AlertRule } from "../generated/prisma/client.js";
import { listGatewayAccounts } from "../gateways/accounts/gateway-accounts.js";
import type { StoredCondition } from "./conditions.js";

export interface Observation {
  subject: string;
  /** A readable name of the subject, for the notice. */
  label: string;
  value: number | null;
  /** How many calls or attempts the value stands on (windowed kinds). */
  volume?: number;
  /** Says what happened when the value alone would not (an endpoint disabled). */
  detail?: string;
}

/** The queues a QUEUE_AGE_ABOVE rule watches, by name. */
export type WatchedQueues = ReadonlyMap<string, Queue>;

const CIRCUIT_VALUE = { CLOSED: 0, HALF_OPEN: 0.5, OPEN: 1 } as const;

/** The enabled accounts the rule covers: a disabled or deleted account is gone (its alerts resolve). */
async function watchedAccounts(app: App, merchantId: string, condition: StoredCondition): Promise<{ id: string; name: string }[]> {
  const accounts = await listGatewayAccounts(app.db, merchantId);
  return accounts.filter((a) => a.enabled && (!condition.gatewayAccountId || a.id === condition.gatewayAccountId)).map((a) => ({ id: a.id, name: a.name }));
}

const accountLabel = (a: { id: string; name: string }): string => `gateway account "${a.name}" (${a.id})`;
const enough = (volume: number, condition: StoredCondition): boolean => volume >= (condition.minVolume ?? 1);

export async function measure(app: App, rule: AlertRule, condition: StoredCondition, queues: WatchedQueues): Promise<Observation[]> {
  const windowMs = (condition.windowSeconds ?? 0) * 1000;
  switch (rule.kind) {
    case "GATEWAY_SUCCESS_RATE_BELOW": {
      const accounts = await watchedAccounts(app, rule.merchantId, condition);
      const totals = await app.stats.recentTotals(accounts.map((a) => a.id), windowMs);
      return accounts.map((a) => {
        const t = totals.get(a.id);
        const volume = t?.calls ?? 0;
        return { subject: a.id, label: accountLabel(a), volume, value: t && enough(volume, condition) ? t.approved / t.calls : null };
      });
    }
    case "CIRCUIT_OPEN": {
      const accounts = await watchedAccounts(app, rule.merchantId, condition);
      // A breaker Redis cannot tell now is unknown (null), never "closed": that would resolve a real outage.
      return Promise.all(accounts.map(async (a) => {
        const state = await app.stats.circuitIfKnown(a.id);
        return { subject: a.id, label: accountLabel(a), value: state ? CIRCUIT_VALUE[state] : null };
      }));
    }
    case "DECLINE_CODE_SHARE_ABOVE": {
      const accounts = await watchedAccounts(app, rule.merchantId, condition);
      if (accounts.length === 0) return []; // its account (or every account) is gone
      const [row] = await app.db.$queryRaw<{ finished: number; declined: number }[]>`
        SELECT count(*)::int AS finished, (count(*) FILTER (WHERE decline_code = ${condition.declineCode}))::int AS declined
          FROM payment_attempt
         WHERE gateway_account_id = ANY(${accounts.map((a) => a.id)}) AND merchant_id = ${rule.merchantId}
           AND created_at >= ${new Date(Date.now() - windowMs)} AND status IN ('SUCCEEDED', 'FAILED')`;
      const volume = row?.finished ?? 0;
      const where = condition.gatewayAccountId && accounts[0] ? ` at ${accountLabel(accounts[0])}` : "";
      return [{ subject: condition.declineCode ?? "", label: `decline code ${condition.declineCode}${where}`, volume, value: enough(volume, condition) ? (row?.declined ?? 0) / volume : null }];
    }
    case "GATEWAY_LATENCY_P99_ABOVE": {
      const accounts = await watchedAccounts(app, rule.merchantId, condition);
      const rows = await app.db.$queryRaw<{ id: string; calls: number; p99: number | null }[]>`
        SELECT gateway_account_id AS id, count(*)::int AS calls, percentile_disc(0.99) WITHIN GROUP (ORDER BY latency_ms) AS p99
          FROM payment_attempt
         WHERE gateway_account_id = ANY(${accounts.map((a) => a.id)}) AND merchant_id = ${rule.merchantId}
           AND created_at >= ${new Date(Date.now() - windowMs)} AND latency_ms IS NOT NULL
         GROUP BY gateway_account_id`;
      return accounts.map((a) => {
        const r = rows.find((x) => x.id === a.id);
        const volume = r?.calls ?? 0;
        return { subject: a.id, label: accountLabel(a), volume, value: r && r.p99 !== null && enough(volume, condition) ? r.p99 : null };
      });
    }
    case "WEBHOOK_ENDPOINT_FAILING": {
      const endpoints = await app.db.webhookEndpoint.findMany({
        where: { merchantId: rule.merchantId, ...(condition.webhookEndpointId ? { id: condition.webhookEndpointId } : {}) },
        select: { id: true, url: true, enabled: true, disabledReason: true, failingSince: true },
      });
      const now = Date.now();
      return endpoints.map((e) => {
        const failingFor = e.failingSince ? Math.max(1, (now - e.failingSince.getTime()) / 1000) : 0;
        // Disabled by paygraph (410, or failing for WEBHOOK_DISABLE_AFTER): breached whatever the threshold.
        const disabled = !e.enabled && e.disabledReason;
        const value = disabled ? Math.max(failingFor, condition.threshold, 1) : e.enabled ? failingFor : 0;
        const detail = disabled ? `disabled by paygraph (${e.disabledReason === "gone" ? "the receiver answered 410 Gone" : "every delivery failed for WEBHOOK_DISABLE_AFTER"})` : undefined;
        return { subject: e.id, label: `webhook endpoint ${e.url} (${e.id})`, value, ...(detail ? { detail } : {}) };
      });
    }
    case "QUEUE_AGE_ABOVE": {
      const now = Date.now();
      return Promise.all([...queues].map(async ([name, queue]) => {
        // How long the job at the head of the waiting list has been ready to run: since it was
        // added, its delay ended, or (a retry) its last try. Delayed jobs wait on purpose.
        const [oldest] = (await queue.getJobs(["wait"], 0, 0, true)).filter((job) => job !== undefined);
        const readyAt = oldest ? Math.max(oldest.timestamp + (oldest.delay ?? 0), oldest.processedOn ?? 0, oldest.finishedOn ?? 0) : now;
        return { subject: name, label: `the ${name} queue`, value: Math.max(0, (now - readyAt) / 1000) };
      }));
    }
  }
}
