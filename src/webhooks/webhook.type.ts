// The GraphQL types of webhooks: endpoints, events, deliveries, and the inputs and payloads of
// their operations.
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import { GraphQLDateTime, GraphQLJSONObject } from "graphql-scalars";
import { WebhookDeliveryStatus } from "../generated/prisma/enums.js";
import { NodeInterface, connectionOf } from "../platform/graphql/common.types.js";

registerEnumType(WebhookDeliveryStatus, { name: "WebhookDeliveryStatus" });

@ObjectType("WebhookEndpoint", { implements: NodeInterface, description: "A receiver of signed webhooks (Standard Webhooks v1)" })
export class WebhookEndpointType {
  @Field(() => ID) id!: string;
  @Field() url!: string;
  @Field(() => String, { nullable: true }) description!: string | null;
  @Field(() => [String], { description: "Event types sent here; empty: every type" }) events!: string[];
  @Field() enabled!: boolean;
  @Field(() => String, { nullable: true, description: "Why it was disabled: `gone` (the receiver answered 410) or `failing` (every delivery failed for WEBHOOK_DISABLE_AFTER); null when enabled or disabled by the merchant" })
  disabledReason!: string | null;
  @Field(() => GraphQLDateTime, { nullable: true, description: "Until then the secret before the last roll signs too (every delivery carries both signatures)" })
  previousSecretExpiresAt!: Date | null;
  @Field(() => GraphQLDateTime, { nullable: true, description: "The first failed delivery since the last successful one" }) failingSince!: Date | null;
  @Field(() => GraphQLDateTime) createdAt!: Date;
  @Field(() => GraphQLDateTime) updatedAt!: Date;
}

export const WebhookEndpointConnection = connectionOf(WebhookEndpointType, "WebhookEndpoint");

@InputType()
export class CreateWebhookEndpointInput {
  @Field({ description: "https (http too outside production); a private or loopback address only where WEBHOOK_ALLOW_PRIVATE_NETWORKS is on" }) url!: string;
  @Field(() => [String], { nullable: true, description: "Event types to send (see webhookEventTypes); empty or left out: every type" }) events?: string[] | null;
  @Field(() => String, { nullable: true }) description?: string | null;
}

@ObjectType()
export class CreateWebhookEndpointPayload {
  @Field(() => WebhookEndpointType) webhookEndpoint!: WebhookEndpointType;
  @Field({ description: "The signing secret (`whsec_…`): in this answer only" }) secret!: string;
}

@InputType()
export class UpdateWebhookEndpointInput {
  @Field(() => ID) id!: string;
  @Field(() => String, { nullable: true }) url?: string | null;
  @Field(() => [String], { nullable: true }) events?: string[] | null;
  @Field(() => String, { nullable: true }) description?: string | null;
  @Field(() => Boolean, { nullable: true, description: "true switches a disabled endpoint on again, its failures forgotten" }) enabled?: boolean | null;
}

@ObjectType()
export class WebhookEndpointPayload {
  @Field(() => WebhookEndpointType) webhookEndpoint!: WebhookEndpointType;
}

@InputType()
export class DeleteWebhookEndpointInput {
  @Field(() => ID) id!: string;
}

@InputType()
export class RollWebhookEndpointSecretInput {
  @Field(() => ID) id!: string;
  @Field(() => Int, { nullable: true, description: "Hours the old secret keeps signing beside the new one (0–168; default 24)" }) overlapHours?: number | null;
}

@ObjectType()
export class RollWebhookEndpointSecretPayload {
  @Field(() => WebhookEndpointType) webhookEndpoint!: WebhookEndpointType;
  @Field({ description: "The new signing secret: in this answer only" }) secret!: string;
}

@ObjectType("WebhookEvent", { implements: NodeInterface, description: "Something that happened to a payment or refund, as webhook receivers are told (not the audit trail of Payment.events)" })
export class WebhookEventType {
  @Field(() => ID, { description: "`evt_…`: the `webhook-id` of every delivery of it" }) id!: string;
  @Field({ description: "`payment.created`, `payment.<new status>`, `payment.updated` (status kept), `refund.created|succeeded|failed`, `test.ping`" }) type!: string;
  @Field(() => GraphQLDateTime) createdAt!: Date;
  @Field({ description: "payment, refund or webhook_endpoint" }) objectType!: string;
  @Field(() => ID) objectId!: string;
  @Field(() => GraphQLJSONObject, { description: "`{ object }`: the delivered body's data, the object as the API shows it (a payment with its version)" })
  data!: object;
}

@InputType()
export class WebhookEventFilter {
  @Field(() => String, { nullable: true }) type?: string | null;
  @Field(() => ID, { nullable: true }) objectId?: string | null;
  @Field(() => GraphQLDateTime, { nullable: true, description: "Created at or after" }) from?: Date | null;
  @Field(() => GraphQLDateTime, { nullable: true, description: "Created before" }) to?: Date | null;
}

export const WebhookEventConnection = connectionOf(WebhookEventType, "WebhookEvent");

@ObjectType("WebhookDelivery", { implements: NodeInterface, description: "One try to deliver one event to one endpoint" })
export class WebhookDeliveryType {
  @Field(() => ID) id!: string;
  @Field(() => ID) endpointId!: string;
  @Field(() => ID) eventId!: string;
  @Field() eventType!: string;
  @Field(() => Int, { description: "1 for the first try (a redelivery starts again at 1)" }) attempt!: number;
  @Field(() => WebhookDeliveryStatus) status!: WebhookDeliveryStatus;
  @Field(() => Int, { nullable: true, description: "The receiver's HTTP status; null when there was no answer" }) responseStatus!: number | null;
  @Field(() => Int, { nullable: true }) latencyMs!: number | null;
  @Field(() => String, { nullable: true, description: "The first 1 KB of the receiver's answer" }) responseBody!: string | null;
  @Field(() => String, { nullable: true, description: "Why there was no answer: a timeout, a refused address, a connection error" }) error!: string | null;
  @Field(() => GraphQLDateTime, { nullable: true, description: "When the next try is due (FAILED only)" }) nextRetryAt!: Date | null;
  @Field(() => GraphQLDateTime) createdAt!: Date;
}

export const WebhookDeliveryConnection = connectionOf(WebhookDeliveryType, "WebhookDelivery");

@InputType()
export class SendTestWebhookEventInput {
  @Field(() => ID) endpointId!: string;
}

@InputType()
export class RedeliverWebhookEventInput {
  @Field(() => ID) eventId!: string;
  @Field(() => ID) endpointId!: string;
}

@ObjectType()
export class WebhookEventPayload {
  @Field(() => WebhookEventType) webhookEvent!: WebhookEventType;
}

@InputType()
export class ReplayWebhookEventsInput {
  @Field(() => ID) endpointId!: string;
  @Field(() => GraphQLDateTime) from!: Date;
  @Field(() => GraphQLDateTime) to!: Date;
}

@ObjectType()
export class ReplayWebhookEventsPayload {
  @Field(() => Int, { description: "Events queued for the endpoint (those of its types), oldest first" }) queued!: number;
}
