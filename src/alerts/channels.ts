// Where a rule's notices go. WEBHOOK: one of the merchant's webhook endpoints (`we_…`), which gets
// `alert.firing` / `alert.resolved` events through the signed pipeline (src/webhooks). SLACK: a
// Slack-compatible incoming webhook URL, a credential in itself, so it is sealed by the vault and
// shown only as its host and last characters. EMAIL: an address, sent to over SMTP_URL.
import type { App } from "../app/app.js";
import { badInput } from "../platform/errors.js";
import { seal, unseal } from "../vault/vault.js";
import { refusalOfUrl, systemResolve } from "../webhooks/target-guard.js";

export const AlertChannelKind = { WEBHOOK: "WEBHOOK", SLACK: "SLACK", EMAIL: "EMAIL" } as const;
export type AlertChannelKind = (typeof AlertChannelKind)[keyof typeof AlertChannelKind];

export interface AlertChannelInput {
  kind: AlertChannelKind;
  target: string;
}

/** As stored in alert_rule.channels. */
export type StoredChannel =
  | { kind: "WEBHOOK"; target: string }
  | { kind: "EMAIL"; target: string }
  | { kind: "SLACK"; sealed: string; hint: string };

/** As the API shows it: a Slack URL only as a hint. */
export interface ChannelView {
  kind: AlertChannelKind;
  target: string;
}

export const MAX_CHANNELS = 5;
const SLACK_PURPOSE = "alert.slack-url";
const EMAIL = /^[^\s@<>,;"()]{1,64}@[^\s@<>,;"()]+\.[^\s@<>,;"()]+$/;

export async function checkChannels(app: App, merchantId: string, channels: readonly AlertChannelInput[]): Promise<StoredChannel[]> {
  if (channels.length > MAX_CHANNELS) throw badInput(`A rule has at most ${MAX_CHANNELS} channels`, "channels");
  const stored: StoredChannel[] = [];
  for (const [i, channel] of channels.entries()) {
    const field = `channels.${i}.target`;
    const target = channel.target.trim();
    if (channel.kind === "WEBHOOK") {
      const endpoint = await app.db.webhookEndpoint.findFirst({ where: { id: target, merchantId }, select: { id: true } });
      if (!endpoint) throw badInput(`A WEBHOOK channel's target is one of your webhook endpoints (we_…); '${target.slice(0, 40)}' is not`, field);
      stored.push({ kind: "WEBHOOK", target });
    } else if (channel.kind === "EMAIL") {
      if (!app.config.smtpUrl) throw badInput("EMAIL channels need the server's SMTP_URL, which is not set", field);
      if (target.length > 254 || !EMAIL.test(target)) throw badInput("An EMAIL channel's target is one email address", field);
      stored.push({ kind: "EMAIL", target });
    } else {
      const allowPrivate = app.config.webhookAllowPrivateNetworks;
      const refusal = await refusalOfUrl(target, { allowPrivate, httpsOnly: app.config.env === "production" && !allowPrivate, resolve: systemResolve });
      if (refusal) throw badInput(refusal, field);
      const url = new URL(target);
      const sealed = (await seal(app.vault, merchantId, url.href, SLACK_PURPOSE)).toString("base64");
      stored.push({ kind: "SLACK", sealed, hint: `${url.host}/…${url.pathname.slice(-4)}` });
    }
  }
  return stored;
}

export const channelView = (c: StoredChannel): ChannelView => (c.kind === "SLACK" ? { kind: c.kind, target: c.hint } : { kind: c.kind, target: c.target });

/** The Slack URL of a SLACK channel, unsealed for sending. */
export const slackUrl = (app: App, merchantId: string, c: Extract<StoredChannel, { kind: "SLACK" }>): Promise<string> =>
  unseal(app.vault, merchantId, Buffer.from(c.sealed, "base64"), SLACK_PURPOSE);
