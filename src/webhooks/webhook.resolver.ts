// Thin adapters over endpoints.ts, events.ts and deliveries.ts. Endpoints and deliveries need
// webhooks:read / webhooks:write; an event needs the read scope of its object (payments:read,
// refunds:read; webhooks:read for test pings).
import { Arg, Args, ArgsType, Authorized, Ctx, Field, ID, Int, Mutation, Query, Resolver, Root, Subscription } from "type-graphql";
import { ConnectionArgs } from "../platform/graphql/common.types.js";
import type { WebhookDelivery } from "../generated/prisma/client.js";
import { merchantCtx, type GqlContext } from "../app/graphql-context.js";
import { AppError, ErrorCode } from "../platform/errors.js";
import type { Page } from "../platform/pagination.js";
import { createEndpoint, deleteEndpoint, getEndpoint, listEndpoints, rollSecret, updateEndpoint } from "./endpoints.js";
import { deliveryChannel, deliveryFromView, listDeliveries, redeliverEvent, replayEvents, sendTestEvent, type DeliveryView } from "./deliveries.js";
import { EVENT_TYPES, OBJECT_SCOPES, getEvent, listEvents, type EventObjectType, type WebhookEvent } from "./events.js";
import {
  CreateWebhookEndpointInput, CreateWebhookEndpointPayload, DeleteWebhookEndpointInput, RedeliverWebhookEventInput, ReplayWebhookEventsInput,
  ReplayWebhookEventsPayload, RollWebhookEndpointSecretInput, RollWebhookEndpointSecretPayload, SendTestWebhookEventInput, UpdateWebhookEndpointInput,
  WebhookDeliveryConnection, WebhookDeliveryType, WebhookEndpointPayload, WebhookEndpointType, WebhookEventConnection, WebhookEventFilter,
  WebhookEventPayload, WebhookEventType, WebhookEndpointConnection } from "./webhook.type.js";

@ArgsType()
class WebhookEventsArgs extends ConnectionArgs {
  @Field(() => WebhookEventFilter, { nullable: true }) filter?: WebhookEventFilter | null;
}

@ArgsType()
class WebhookDeliveriesArgs extends ConnectionArgs {
  @Field(() => ID) endpointId!: string;
}

/** The object types whose events the caller may read; FORBIDDEN (naming payments:read) when none. */
function readableObjectTypes(context: GqlContext): EventObjectType[] {
  const scopes = merchantCtx(context).caller?.scopes;
  const types = (Object.keys(OBJECT_SCOPES) as EventObjectType[]).filter((t) => !scopes || scopes.includes(OBJECT_SCOPES[t]));
  if (types.length === 0) throw new AppError(ErrorCode.FORBIDDEN, "Reading webhook events needs the read scope of their objects", { missingScope: OBJECT_SCOPES.payment });
  return types;
}

const eventType = (e: WebhookEvent): WebhookEventType => ({ ...e, data: e.data as object });

@Resolver()
export class WebhookResolver {
  @Authorized("webhooks:read")
  @Query(() => WebhookEndpointConnection, { description: "Newest first" })
  async webhookEndpoints(@Args() args: ConnectionArgs, @Ctx() context: GqlContext): Promise<Page<WebhookEndpointType>> {
    return listEndpoints(merchantCtx(context), args);
  }

  @Authorized("webhooks:read")
  @Query(() => WebhookEndpointType)
  async webhookEndpoint(@Arg("id", () => ID) id: string, @Ctx() context: GqlContext): Promise<WebhookEndpointType> {
    const ctx = merchantCtx(context);
    return getEndpoint(ctx.app, ctx.merchantId, id);
  }

  @Authorized()
  @Query(() => [String], { description: "Every event type an endpoint can take" })
  webhookEventTypes(): readonly string[] {
    return EVENT_TYPES;
  }

  @Authorized()
  @Query(() => WebhookEventConnection, { description: "Newest first; only events of objects the caller may read" })
  async webhookEvents(@Args() args: WebhookEventsArgs, @Ctx() context: GqlContext): Promise<Page<WebhookEventType>> {
    const types = readableObjectTypes(context);
    const page = await listEvents(context.app.db, merchantCtx(context).merchantId, types, args);
    return { ...page, edges: page.edges.map((e) => ({ cursor: e.cursor, node: eventType(e.node) })) };
  }

  @Authorized()
  @Query(() => WebhookEventType)
  async webhookEvent(@Arg("id", () => ID) id: string, @Ctx() context: GqlContext): Promise<WebhookEventType> {
    const event = await getEvent(context.app.db, merchantCtx(context).merchantId, id);
    const scope = OBJECT_SCOPES[event.objectType];
    if (!readableObjectTypes(context).includes(event.objectType)) {
      throw new AppError(ErrorCode.FORBIDDEN, `This event's object needs the scope '${scope}'`, { missingScope: scope });
    }
    return eventType(event);
  }

  @Authorized("webhooks:read")
  @Query(() => WebhookDeliveryConnection, { description: "Every try at this endpoint, newest first" })
  async webhookDeliveries(@Args() args: WebhookDeliveriesArgs, @Ctx() context: GqlContext): Promise<Page<WebhookDelivery>> {
    return listDeliveries(merchantCtx(context), args);
  }

  @Authorized("webhooks:write")
  @Mutation(() => CreateWebhookEndpointPayload, { description: "The signing secret is in this answer only" })
  async createWebhookEndpoint(@Arg("input") input: CreateWebhookEndpointInput, @Ctx() context: GqlContext): Promise<CreateWebhookEndpointPayload> {
    const { endpoint, secret } = await createEndpoint(merchantCtx(context), input);
    return { webhookEndpoint: endpoint, secret };
  }

  @Authorized("webhooks:write")
  @Mutation(() => WebhookEndpointPayload)
  async updateWebhookEndpoint(@Arg("input") input: UpdateWebhookEndpointInput, @Ctx() context: GqlContext): Promise<WebhookEndpointPayload> {
    return { webhookEndpoint: await updateEndpoint(merchantCtx(context), input) };
  }

  @Authorized("webhooks:write")
  @Mutation(() => WebhookEndpointPayload, { description: "Deletes the endpoint and its delivery log; queued deliveries stop" })
  async deleteWebhookEndpoint(@Arg("input") input: DeleteWebhookEndpointInput, @Ctx() context: GqlContext): Promise<WebhookEndpointPayload> {
    return { webhookEndpoint: await deleteEndpoint(merchantCtx(context), input.id) };
  }

  @Authorized("webhooks:write")
  @Mutation(() => RollWebhookEndpointSecretPayload, { description: "A new secret (in this answer only); the old one keeps signing for overlapHours" })
  async rollWebhookEndpointSecret(@Arg("input") input: RollWebhookEndpointSecretInput, @Ctx() context: GqlContext): Promise<RollWebhookEndpointSecretPayload> {
    const { endpoint, secret } = await rollSecret(merchantCtx(context), input);
    return { webhookEndpoint: endpoint, secret };
  }

  @Authorized("webhooks:write")
  @Mutation(() => WebhookEventPayload, { description: "Sends a test.ping event to the endpoint at once" })
  async sendTestWebhookEvent(@Arg("input") input: SendTestWebhookEventInput, @Ctx() context: GqlContext): Promise<WebhookEventPayload> {
    return { webhookEvent: eventType(await sendTestEvent(merchantCtx(context), input.endpointId)) };
  }

  @Authorized("webhooks:write")
  @Mutation(() => WebhookEventPayload, { description: "Sends the event to the endpoint again, now (same webhook-id)" })
  async redeliverWebhookEvent(@Arg("input") input: RedeliverWebhookEventInput, @Ctx() context: GqlContext): Promise<WebhookEventPayload> {
    return { webhookEvent: eventType(await redeliverEvent(merchantCtx(context), input)) };
  }

  @Authorized("webhooks:write")
  @Mutation(() => ReplayWebhookEventsPayload, { description: "Sends every event of [from, to) the endpoint takes again, oldest first (at most 10,000)" })
  async replayWebhookEvents(@Arg("input") input: ReplayWebhookEventsInput, @Ctx() context: GqlContext): Promise<ReplayWebhookEventsPayload> {
    return { queued: await replayEvents(merchantCtx(context), input) };
  }

  @Authorized("webhooks:read")
  @Subscription(() => WebhookDeliveryType, {
    description: "Every delivery try of the merchant's endpoints (or of one), as it is recorded",
    subscribe: async ({ args, context }) => {
      const ctx = merchantCtx(context as GqlContext);
      const endpointId = (args as { endpointId?: string | null }).endpointId ?? undefined;
      if (endpointId) await getEndpoint(ctx.app, ctx.merchantId, endpointId); // NOT_FOUND at once, not silence
      return ctx.app.pubsub.subscribe<DeliveryView>(
        deliveryChannel(ctx.app.config.redisPrefix, ctx.merchantId),
        undefined,
        endpointId ? { key: endpointId, of: (m) => m.endpointId } : undefined,
      );
    },
  })
  webhookDeliveryUpdated(
    @Root() message: DeliveryView,
    @Arg("endpointId", () => ID, { nullable: true }) _endpointId?: string,
  ): WebhookDelivery {
    return deliveryFromView(message);
  }
}
