// Sends one notice (a job of the alert queue): an alert's transition on one of its rule's channels,
// at least once. WEBHOOK hands the transition's event to the signed webhook pipeline (retries,
// signatures and the delivery log are that pipeline's). SLACK posts `{ "text": … }` to the
// incoming webhook, at most one a second per URL (Slack's limit), waiting as long as a 429's
// Retry-After says. EMAIL goes over SMTP_URL with nodemailer; a resolved notice threads under
// its firing one (In-Reply-To).
import { createHash } from "node:crypto";
import { DelayedError, type Job } from "bullmq";
import nodemailer, { type Transporter } from "nodemailer";
import { request } from "undici";
import type { App } from "../app/app.js";
import type { AlertNotification } from "../generated/prisma/client.js";
import { webhookAgent } from "../webhooks/delivery.js";
import { findEvent } from "../webhooks/events.js";
import { refusalOfLiteral, systemResolve } from "../webhooks/target-guard.js";
import type { AlertResource } from "./incidents.js";
import { alertNotifications } from "./alert-metrics.js";
import { channelsOf } from "./alert-rules.js";
import { slackUrl, type StoredChannel } from "./channels.js";
import { NOTICE_ATTEMPTS, type AlertJob } from "./queue.js";

/** Slack's limit for an incoming webhook: one message a second. */
const SLACK_PACE_MS = 1000;
const SLACK_TIMEOUT_MS = 10_000;
/** A Retry-After longer than this is not believed. */
const MAX_RETRY_AFTER_MS = 3_600_000;
/** Sends a channel may be refused with 429 before the notice is given up. */
const MAX_SENDS = 30;

/** Why a notice can never be sent (its endpoint or rule is gone): no more tries. */
class Undeliverable extends Error {}

/**
 * "[FIRING] Gateway EU: …" and, resolved, how long it fired: from the alert as its transition left
 * it (the transition's event), so a notice sent late still tells what happened then.
 */
export function noticeText(alert: AlertResource): { subject: string; text: string } {
  const subject = `[${alert.state}] ${alert.ruleName}`;
  const lasted = alert.resolvedAt ? ` after ${formatDuration(Date.parse(alert.resolvedAt) - Date.parse(alert.firedAt))}` : "";
  const when = alert.state === "FIRING" ? `fired at ${alert.firedAt}` : `resolved${lasted}`;
  return { subject, text: `${subject}: ${alert.summary}\nAlert ${alert.id} ${when}.` };
}

function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m ${s % 60}s` : `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

/** Slack's mrkdwn treats these three as control characters. */
const slackEscape = (text: string): string => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function retryAfterMs(value: string | string[] | undefined): number {
  const text = (Array.isArray(value) ? value[0] : value)?.trim() ?? "";
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text) - Date.now();
  return Number.isFinite(ms) ? Math.min(Math.max(ms, SLACK_PACE_MS), MAX_RETRY_AFTER_MS) : SLACK_PACE_MS;
}

export interface Notifier {
  send(job: Job<AlertJob>, token: string | undefined): Promise<void>;
  close(): Promise<void>;
}

export function createNotifier(app: App): Notifier {
  const { config, db, redis } = app;
  const agent = webhookAgent(systemResolve, config.webhookAllowPrivateNetworks, SLACK_TIMEOUT_MS);
  let mailer: Transporter | undefined;

  /** Moves the job `ms` later without spending a try. */
  async function later(job: Job<AlertJob>, token: string | undefined, ms: number): Promise<never> {
    await job.moveToDelayed(Date.now() + ms, token);
    throw new DelayedError();
  }

  async function slack(job: Job<AlertJob>, token: string | undefined, n: AlertNotification, alert: AlertResource, channel: Extract<StoredChannel, { kind: "SLACK" }>): Promise<void> {
    const url = await slackUrl(app, n.merchantId, channel);
    // The lookup checks every resolved name when connecting; an address literal is checked here.
    const literal = refusalOfLiteral(new URL(url), config.webhookAllowPrivateNetworks);
    if (literal) throw new Undeliverable(literal);
    const pace = `${config.redisPrefix}:alerts:slack:${createHash("sha256").update(url).digest("hex").slice(0, 32)}`;
    // One message a second per URL, across every worker: the first to set the key sends.
    if (!(await redis.set(pace, "1", "PX", SLACK_PACE_MS, "NX"))) return later(job, token, Math.max(await redis.pttl(pace), 50));
    const { text } = noticeText(alert);
    const res = await request(url, {
      method: "POST",
      dispatcher: agent,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: slackEscape(text) }),
      headersTimeout: SLACK_TIMEOUT_MS,
      bodyTimeout: SLACK_TIMEOUT_MS,
    });
    await res.body.dump({ limit: 4096 }).catch(() => undefined);
    if (res.statusCode === 429 && n.tries + 1 < MAX_SENDS) {
      const wait = retryAfterMs(res.headers["retry-after"]);
      await db.alertNotification.update({ where: { id: n.id }, data: { tries: { increment: 1 }, lastError: `429, retry after ${wait} ms` } });
      await redis.set(pace, "1", "PX", wait); // every notice to this URL waits, not only this one
      return later(job, token, wait);
    }
    if (res.statusCode < 200 || res.statusCode > 299) throw new Error(`Slack answered ${res.statusCode}`);
  }

  async function email(n: AlertNotification, alert: AlertResource, to: string): Promise<void> {
    if (!config.smtpUrl) throw new Undeliverable("SMTP_URL is not set");
    mailer ??= nodemailer.createTransport(config.smtpUrl);
    const { subject, text } = noticeText(alert);
    const firing = `<${alert.id}.firing@paygraph>`;
    await mailer.sendMail({
      from: config.smtpFrom,
      to,
      subject,
      text,
      messageId: `<${alert.id}.${n.transition.toLowerCase()}@paygraph>`,
      ...(n.transition === "RESOLVED" ? { inReplyTo: firing, references: [firing] } : {}),
      headers: { "X-Paygraph-Alert": alert.id, "X-Paygraph-Alert-State": n.transition },
    });
  }

  async function deliver(job: Job<AlertJob>, token: string | undefined, n: AlertNotification, channel: StoredChannel): Promise<void> {
    const event = await findEvent(db, n.merchantId, job.data.eventId);
    if (!event) throw new Undeliverable(`its event ${job.data.eventId} is gone`);
    const alert = event.data.object as unknown as AlertResource;
    if (channel.kind === "SLACK") return slack(job, token, n, alert, channel);
    if (channel.kind === "EMAIL") return email(n, alert, channel.target);
    const endpoint = await db.webhookEndpoint.findFirst({ where: { id: channel.target, merchantId: n.merchantId }, select: { id: true, enabled: true } });
    if (!endpoint) throw new Undeliverable(`webhook endpoint ${channel.target} no longer exists`);
    if (!endpoint.enabled) throw new Undeliverable(`webhook endpoint ${channel.target} is disabled`);
    await app.webhooks.send([{ merchantId: n.merchantId, endpointId: endpoint.id, eventId: job.data.eventId, eventType: `alert.${n.transition.toLowerCase()}` }]);
  }

  return {
    async send(job, token) {
      const n = await db.alertNotification.findUnique({ where: { id: job.data.notificationId }, include: { alert: { include: { rule: true } } } });
      // (The rule gives the channel's target; what the notice says comes from the transition's event.)
      if (!n || n.status !== "PENDING") return; // sent already (a re-queued job), or its alert is gone
      const channel = n.alert.rule ? channelsOf(n.alert.rule)[n.channel] : undefined;
      const kind = n.channelKind.toLowerCase();
      try {
        if (!channel) throw new Undeliverable("its alert rule was deleted");
        await deliver(job, token, n, channel);
        await db.alertNotification.updateMany({ where: { id: n.id, status: "PENDING" }, data: { status: "SENT", sentAt: new Date(), tries: { increment: 1 }, lastError: null } });
        alertNotifications.inc({ channel: kind, outcome: "sent" });
      } catch (err) {
        if (err instanceof DelayedError) throw err;
        const last = err instanceof Undeliverable || job.attemptsMade + 1 >= (job.opts.attempts ?? NOTICE_ATTEMPTS);
        const message = (err instanceof Error ? err.message : String(err)).slice(0, 500);
        await db.alertNotification.update({ where: { id: n.id }, data: { tries: { increment: 1 }, lastError: message, ...(last ? { status: "FAILED" } : {}) } });
        alertNotifications.inc({ channel: kind, outcome: last ? "failed" : "retried" });
        if (!last) throw err;
        app.log.warn({ notificationId: n.id, alertId: n.alertId, channel: kind, err: message }, "alert notice given up");
      }
    },
    async close() {
      mailer?.close();
      await agent.close();
    },
  };
}
