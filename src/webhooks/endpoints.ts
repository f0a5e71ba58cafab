// A merchant's webhook endpoints: create, change, delete, roll the signing secret. The secret is
// shown once and kept sealed by the vault; every change is audited and tells every process
// (their routing caches, src/webhooks/dispatch.ts) at once over Redis.
import type { WebhookEndpoint } from "../generated/prisma/client.js";
import type { App, Ctx } from "../app/app.js";
import { recordAudit } from "../audit/audit.js";
import { webhookEndpointView } from "../audit/views.js";
import { badInput, notFound } from "../platform/errors.js";
import { newId } from "../platform/ids.js";
import { seal, unseal } from "../vault/vault.js";
import { EVENT_TYPES } from "./events.js";
import { newSigningSecret } from "./signing.js";
import { refusalOfUrl, systemResolve } from "./target-guard.js";
import { planPage, type Page, type PageArgs } from "../platform/pagination.js";

export type { WebhookEndpoint };

const SECRET_PURPOSE = "webhook.secret";
/** Stripe's limit too: more is a sign of one endpoint per customer, which events do not scale to. */
export const MAX_ENDPOINTS = 16;
const MAX_OVERLAP_HOURS = 7 * 24;

/** The channel on which a changed endpoint's merchant goes to every process's routing cache. */
export const endpointChangesChannel = (redisPrefix: string): string => `${redisPrefix}:webhooks:endpoints`;

async function announce(ctx: Ctx): Promise<void> {
  ctx.app.webhooks.forget(ctx.merchantId);
  await ctx.app.pubsub.publish([{ channels: [endpointChangesChannel(ctx.app.config.redisPrefix)], message: { merchantId: ctx.merchantId } }]);
}

async function checkedUrl(app: App, url: string): Promise<string> {
  const trimmed = url.trim();
  // Production wants https, unless the operator allowed private networks (internal receivers are often plain http).
  const allowPrivate = app.config.webhookAllowPrivateNetworks;
  const refusal = await refusalOfUrl(trimmed, { allowPrivate, httpsOnly: app.config.env === "production" && !allowPrivate, resolve: systemResolve });
  if (refusal) throw badInput(refusal, "url");
  return new URL(trimmed).href;
}

function checkedEvents(events: readonly string[] | null | undefined): string[] {
  const list = [...new Set(events ?? [])];
  const unknown = list.find((e) => !EVENT_TYPES.includes(e));
  if (unknown !== undefined) throw badInput(`Unknown event type '${unknown.slice(0, 60)}'; known: ${EVENT_TYPES.join(", ")}`, "events");
  return list;
}

function checkedDescription(description: string | null | undefined): string | null {
  if (description && description.length > 500) throw badInput("description may be at most 500 characters", "description");
  return description ?? null;
}

export async function getEndpoint(app: App, merchantId: string, id: string): Promise<WebhookEndpoint> {
  const endpoint = await app.db.webhookEndpoint.findFirst({ where: { id, merchantId } });
  if (!endpoint) throw notFound("webhook endpoint", id);
  return endpoint;
}

export async function listEndpoints(ctx: Ctx, args: PageArgs): Promise<Page<WebhookEndpoint>> {
  const plan = planPage(args);
  return plan.finish(await ctx.app.db.webhookEndpoint.findMany({ where: { merchantId: ctx.merchantId, ...plan.where }, orderBy: plan.orderBy, take: plan.take }));
}

export async function createEndpoint(
  ctx: Ctx, input: { url: string; events?: string[] | null; description?: string | null },
): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  const url = await checkedUrl(ctx.app, input.url);
  const events = checkedEvents(input.events);
  const description = checkedDescription(input.description);
  const secret = newSigningSecret();
  const secretCiphertext = new Uint8Array(await seal(ctx.app.vault, ctx.merchantId, secret, SECRET_PURPOSE));
  const endpoint = await ctx.app.db.$transaction(async (tx) => {
    // The merchant's row lock serialises concurrent creations, so the limit holds.
    await tx.$queryRaw`SELECT id FROM merchant WHERE id = ${ctx.merchantId} FOR UPDATE`;
    if ((await tx.webhookEndpoint.count({ where: { merchantId: ctx.merchantId } })) >= MAX_ENDPOINTS) {
      throw badInput(`A merchant may have at most ${MAX_ENDPOINTS} webhook endpoints; one endpoint can take every event type`, "url");
    }
    const created = await tx.webhookEndpoint.create({ data: { id: newId("we"), merchantId: ctx.merchantId, url, events, description, secretCiphertext } });
    await recordAudit(tx, ctx, { action: "webhook_endpoint.created", entityType: "webhook_endpoint", entityId: created.id, after: webhookEndpointView(created) });
    return created;
  });
  await announce(ctx);
  return { endpoint, secret };
}

export async function updateEndpoint(
  ctx: Ctx, input: { id: string; url?: string | null; events?: string[] | null; description?: string | null; enabled?: boolean | null },
): Promise<WebhookEndpoint> {
  const data = {
    ...(input.url != null ? { url: await checkedUrl(ctx.app, input.url) } : {}),
    ...(input.events != null ? { events: checkedEvents(input.events) } : {}),
    ...(input.description !== undefined ? { description: checkedDescription(input.description) } : {}),
    // Switched on again: a fresh start, the failures that disabled it forgotten.
    ...(input.enabled === true ? { enabled: true, disabledReason: null, failingSince: null } : {}),
    ...(input.enabled === false ? { enabled: false, disabledReason: null } : {}),
    updatedAt: new Date(),
  };
  const endpoint = await ctx.app.db.$transaction(async (tx) => {
    const before = await tx.webhookEndpoint.findFirst({ where: { id: input.id, merchantId: ctx.merchantId } });
    if (!before) throw notFound("webhook endpoint", input.id);
    const after = await tx.webhookEndpoint.update({ where: { id: before.id }, data });
    await recordAudit(tx, ctx, { action: "webhook_endpoint.updated", entityType: "webhook_endpoint", entityId: after.id, before: webhookEndpointView(before), after: webhookEndpointView(after) });
    return after;
  });
  await announce(ctx);
  return endpoint;
}

/** Deletes the endpoint and its delivery log; deliveries already queued find it gone and stop. */
export async function deleteEndpoint(ctx: Ctx, id: string): Promise<WebhookEndpoint> {
  const endpoint = await ctx.app.db.$transaction(async (tx) => {
    const before = await tx.webhookEndpoint.findFirst({ where: { id, merchantId: ctx.merchantId } });
    if (!before) throw notFound("webhook endpoint", id);
    await tx.webhookEndpoint.delete({ where: { id } });
    await recordAudit(tx, ctx, { action: "webhook_endpoint.deleted", entityType: "webhook_endpoint", entityId: id, before: webhookEndpointView(before) });
    return before;
  });
  await announce(ctx);
  return endpoint;
}

/**
 * A new secret, answered once. For `overlapHours` the old one keeps signing beside it (every
 * delivery carries both signatures), so receivers can switch without rejecting a delivery.
 */
export async function rollSecret(ctx: Ctx, input: { id: string; overlapHours?: number | null }): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  const overlapHours = input.overlapHours ?? 24;
  if (!Number.isInteger(overlapHours) || overlapHours < 0 || overlapHours > MAX_OVERLAP_HOURS) {
    throw badInput(`overlapHours must be a whole number from 0 to ${MAX_OVERLAP_HOURS}`, "overlapHours");
  }
  const secret = newSigningSecret();
  const sealed = new Uint8Array(await seal(ctx.app.vault, ctx.merchantId, secret, SECRET_PURPOSE));
  const endpoint = await ctx.app.db.$transaction(async (tx) => {
    // Locked first: two rolls at once must not both keep the same "previous" secret.
    await tx.$queryRaw`SELECT id FROM webhook_endpoint WHERE id = ${input.id} AND merchant_id = ${ctx.merchantId} FOR UPDATE`;
    const before = await tx.webhookEndpoint.findFirst({ where: { id: input.id, merchantId: ctx.merchantId } });
    if (!before) throw notFound("webhook endpoint", input.id);
    const now = Date.now();
    const after = await tx.webhookEndpoint.update({
      where: { id: before.id },
      data: {
        secretCiphertext: sealed,
        previousSecretCiphertext: overlapHours > 0 ? before.secretCiphertext : null,
        previousSecretExpiresAt: overlapHours > 0 ? new Date(now + overlapHours * 3_600_000) : null,
        updatedAt: new Date(now),
      },
    });
    await recordAudit(tx, ctx, { action: "webhook_endpoint.secret_rolled", entityType: "webhook_endpoint", entityId: after.id, after: { ...webhookEndpointView(after), overlapHours } });
    return after;
  });
  await announce(ctx);
  return { endpoint, secret };
}

/** The secrets a delivery is signed with now: the current one, and a rolled one until its overlap ends. */
export async function signingSecrets(app: App, endpoint: WebhookEndpoint, now = Date.now()): Promise<string[]> {
  const current = await unseal(app.vault, endpoint.merchantId, endpoint.secretCiphertext, SECRET_PURPOSE);
  const previous = endpoint.previousSecretCiphertext && endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt.getTime() > now
    ? await unseal(app.vault, endpoint.merchantId, endpoint.previousSecretCiphertext, SECRET_PURPOSE)
    : undefined;
  return previous ? [current, previous] : [current];
}
