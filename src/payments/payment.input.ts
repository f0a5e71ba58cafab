// Inputs and payloads of the payment mutations: one input object, one payload object each.
import { Field, ID, InputType, Int, ObjectType } from "type-graphql";
import { GraphQLDateTime, GraphQLJSONObject } from "graphql-scalars";
import { CaptureMethod, PaymentStatus } from "../generated/prisma/enums.js";
import { PaymentType } from "./payment.type.js";
import { CardInput } from "../vault/card.type.js";
import { ThreeDSecureRequest } from "./three-d-secure/three-d-secure.type.js";
import { ShopperInput } from "../risk/risk.type.js";

const KEY_DOC = "Same key + same request returns the stored answer; the Idempotency-Key header works too";

@InputType()
export class CreatePaymentInput {
  @Field({ description: 'Decimal string with at most the currency\'s decimals, e.g. "12.500" KWD' }) amount!: string;
  @Field({ description: "ISO 4217 code" }) currency!: string;
  @Field(() => CaptureMethod, { nullable: true, defaultValue: CaptureMethod.AUTOMATIC }) captureMethod?: CaptureMethod;
  @Field(() => String, { nullable: true }) description?: string | null;
  @Field(() => GraphQLJSONObject, { nullable: true, description: "Up to 50 string pairs" }) metadata?: Record<string, unknown> | null;
  @Field(() => ID, { nullable: true, description: "The customer paying (cus_…): their saved cards can pay this payment" }) customerId?: string | null;
  @Field(() => String, { nullable: true, description: KEY_DOC }) idempotencyKey?: string | null;
}

@InputType()
export class ConfirmPaymentInput {
  @Field(() => ID) paymentId!: string;
  @Field(() => CardInput, { nullable: true, description: "Card details, vaulted now. Exactly one of card, token, paymentMethodId" }) card?: CardInput | null;
  @Field(() => String, { nullable: true, description: "A single-use tok_… from POST /v1/tokens (consumed by this call)" }) token?: string | null;
  @Field(() => ID, { nullable: true, description: "A saved card (pm_…): attached to this payment's customer, or unattached and never used" }) paymentMethodId?: string | null;
  @Field(() => Boolean, { nullable: true, description: "Attach the card to the payment's customer for later payments" }) savePaymentMethod?: boolean | null;
  @Field(() => String, { nullable: true, description: "Where the shopper's browser goes after a 3-D Secure challenge, with ?payment_id=… added (https; http to loopback outside production). Without it: a page of paygraph's" })
  returnUrl?: string | null;
  @Field(() => ThreeDSecureRequest, { nullable: true, defaultValue: ThreeDSecureRequest.AUTOMATIC }) requestThreeDSecure?: ThreeDSecureRequest | null;
  @Field(() => ShopperInput, { nullable: true, description: "The shopper's IP address, email and country, for the risk step" }) shopper?: ShopperInput | null;
  @Field(() => String, { nullable: true, description: KEY_DOC }) idempotencyKey?: string | null;
}

@InputType()
export class CapturePaymentInput {
  @Field(() => ID) paymentId!: string;
  @Field(() => String, { nullable: true, description: "Defaults to the whole capturable amount; the rest is released" }) amount?: string | null;
  @Field(() => String, { nullable: true, description: KEY_DOC }) idempotencyKey?: string | null;
}

@InputType()
export class ApprovePaymentInput {
  @Field(() => ID) paymentId!: string;
  @Field(() => String, { nullable: true, description: KEY_DOC }) idempotencyKey?: string | null;
}

@InputType()
export class RejectPaymentInput {
  @Field(() => ID) paymentId!: string;
  @Field({ description: "Why, in words (1 to 500 characters): the payment's lastPaymentError.message" }) reason!: string;
  @Field(() => String, { nullable: true, description: KEY_DOC }) idempotencyKey?: string | null;
}

@InputType()
export class CancelPaymentInput {
  @Field(() => ID) paymentId!: string;
  @Field(() => String, { nullable: true, description: KEY_DOC }) idempotencyKey?: string | null;
}

@InputType()
export class PaymentFilterInput {
  @Field(() => PaymentStatus, { nullable: true }) status?: PaymentStatus | null;
  @Field(() => String, { nullable: true }) currency?: string | null;
  @Field(() => GraphQLDateTime, { nullable: true, description: "Inclusive" }) createdAfter?: Date | null;
  @Field(() => GraphQLDateTime, { nullable: true, description: "Exclusive" }) createdBefore?: Date | null;
  @Field(() => String, { nullable: true, description: "Payments with an attempt at this gateway (its name, as attempts show it)" }) gateway?: string | null;
  @Field(() => [ID], { nullable: true, description: "These payments only (at most 100): a search by id" }) ids?: string[] | null;
}

// One payload type per mutation, so each can grow fields of its own without breaking the others.
@ObjectType() export class CreatePaymentPayload { @Field(() => PaymentType) payment!: PaymentType }
@ObjectType() export class ConfirmPaymentPayload { @Field(() => PaymentType) payment!: PaymentType }
@ObjectType() export class CapturePaymentPayload { @Field(() => PaymentType) payment!: PaymentType }
@ObjectType() export class CancelPaymentPayload { @Field(() => PaymentType) payment!: PaymentType }
@ObjectType() export class ApprovePaymentPayload { @Field(() => PaymentType) payment!: PaymentType }
@ObjectType() export class RejectPaymentPayload { @Field(() => PaymentType) payment!: PaymentType }
