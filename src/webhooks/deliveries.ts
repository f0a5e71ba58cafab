// What a merchant sees and does about deliveries: the attempt log, a live feed of it, a test
// ping, and sending events again (one, or every event of a time range).
import type { WebhookDelivery } from "../generated/prisma/client.js";
import type { Ctx } from "../app/app.js";
import { recordAudit } from "../audit/audit.js";
import { badInput } from "../platform/errors.js";
import { randomToken } from "../platform/ids.js";
import { planPage, type Page, type PageArgs } from "../platform/pagination.js";
import { getEndpoint } from "./endpoints.js";
import { eventIdOf, eventsBetween, getEvent, TEST_PING, TEST_PING_ACTION, type WebhookEvent } from "./events.js";

/** A replay sends at most this many events; a wider range is refused (narrow it, replay twice). */
export const MAX_REPLAY = 10_000;

/** A merchant's delivery updates, for the `webhookDeliveryUpdated` subscription. */
export const deliveryChannel = (redisPrefix: string, merchantId: string): string => `${redisPrefix}:webhooks:deliveries:${merchantId}`;

/** A delivery as JSON (dates as ISO strings), as published; `deliveryFromView` reads it back. */
export type DeliveryView = Omit<WebhookDelivery, "createdAt" | "nextRetryAt"> & { createdAt: string; nextRetryAt: string | null };

export const deliveryView = (d: WebhookDelivery): DeliveryView => ({ ...d, createdAt: d.createdAt.toISOString(), nextRetryAt: d.nextRetryAt?.toISOString() ?? null });
export const deliveryFromView = (v: DeliveryView): WebhookDelivery => ({ ...v, createdAt: new Date(v.createdAt), nextRetryAt: v.nextRetryAt ? new Date(v.nextRetryAt) : null });

export async function listDeliveries(ctx: Ctx, args: PageArgs & { endpointId: string }): Promise<Page<WebhookDelivery>> {
  await getEndpoint(ctx.app, ctx.merchantId, args.endpointId);
  const plan = planPage(args);
  const rows = await ctx.app.db.webhookDelivery.findMany({
    where: { merchantId: ctx.merchantId, endpointId: args.endpointId, ...plan.where },
    orderBy: plan.orderBy,
    take: plan.take,
  });
  return plan.finish(rows);
}

async function enabledEndpoint(ctx: Ctx, endpointId: string) {
  const endpoint = await getEndpoint(ctx.app, ctx.merchantId, endpointId);
  if (!endpoint.enabled) throw badInput(`Webhook endpoint ${endpointId} is disabled${endpoint.disabledReason ? ` (${endpoint.disabledReason})` : ""}: enable it first`, "endpointId");
  return endpoint;
}

/** A `test.ping` event, sent to this one endpoint at once (its type filter does not apply). */
export async function sendTestEvent(ctx: Ctx, endpointId: string): Promise<WebhookEvent> {
  const endpoint = await enabledEndpoint(ctx, endpointId);
  const [auditId] = await ctx.app.db.$transaction((tx) =>
    recordAudit(tx, ctx, { action: TEST_PING_ACTION, entityType: "webhook_endpoint", entityId: endpoint.id, after: { id: endpoint.id } }));
  const eventId = eventIdOf(auditId as string);
  await ctx.app.webhooks.send([{ merchantId: ctx.merchantId, endpointId: endpoint.id, eventId, eventType: TEST_PING }]);
  return getEvent(ctx.app.db, ctx.merchantId, eventId);
}

/** The event again, to this endpoint, now: a delivery of its own (attempts start again at 1). */
export async function redeliverEvent(ctx: Ctx, input: { eventId: string; endpointId: string }): Promise<WebhookEvent> {
  const endpoint = await enabledEndpoint(ctx, input.endpointId);
  const event = await getEvent(ctx.app.db, ctx.merchantId, input.eventId);
  await ctx.app.webhooks.send([{ merchantId: ctx.merchantId, endpointId: endpoint.id, eventId: event.id, eventType: event.type }], `r${randomToken(10)}`);
  return event;
}

/** Every event in [from, to) that the endpoint takes, oldest first; answers how many were queued. */
export async function replayEvents(ctx: Ctx, input: { endpointId: string; from: Date; to: Date }): Promise<number> {
  if (!(input.from < input.to)) throw badInput("from must be before to", "from");
  const endpoint = await enabledEndpoint(ctx, input.endpointId);
  const events = await eventsBetween(ctx.app.db, ctx.merchantId, input.from, input.to, MAX_REPLAY + 1);
  if (events.length > MAX_REPLAY) throw badInput(`More than ${MAX_REPLAY} events in that range: replay a narrower one`, "to");
  const wanted = events.filter((e) => endpoint.events.length === 0 || endpoint.events.includes(e.type));
  const replay = `p${randomToken(10)}`;
  for (let i = 0; i < wanted.length; i += 500) {
    await ctx.app.webhooks.send(wanted.slice(i, i + 500).map((e) => ({ merchantId: ctx.merchantId, endpointId: endpoint.id, eventId: e.id, eventType: e.type })), replay);
  }
  return wanted.length;
}
