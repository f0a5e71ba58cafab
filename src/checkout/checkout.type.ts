// The GraphQL shapes of a hosted checkout session. A session is read by its merchant (with
// `payments:read`) and by its own page (with its client secret); `payment` is the merchant's only.
import { NodeInterface } from "../platform/graphql/common.types.js";
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import { GraphQLDateTime, GraphQLJSONObject } from "graphql-scalars";
import { CaptureMethod, CheckoutSessionStatus } from "../generated/prisma/enums.js";
import { CardInput } from "../vault/card.type.js";
import { ShopperInput } from "../risk/risk.type.js";

registerEnumType(CheckoutSessionStatus, { name: "CheckoutSessionStatus", description: "OPEN until its payment is authorized or captured (COMPLETE), or it expires (EXPIRED)" });

@ObjectType("CheckoutPaymentError", { description: "Why the shopper's last try failed, in words a shopper may read" })
export class CheckoutPaymentErrorType {
  @Field() code!: string;
  @Field(() => String, { nullable: true }) declineCode!: string | null;
  @Field() message!: string;
}

@ObjectType("CheckoutSession", { implements: NodeInterface, description: "A hosted page where a shopper pays one payment" })
export class CheckoutSessionType {
  @Field(() => ID) id!: string;
  @Field(() => GraphQLDateTime) expiresAt!: Date;
  @Field({ description: "en, or ar (right to left)" }) locale!: string;
  @Field(() => GraphQLDateTime) createdAt!: Date;
}

@InputType()
export class CreateCheckoutSessionInput {
  @Field({ description: 'Decimal string with at most the currency\'s decimals, e.g. "12.50"' }) amount!: string;
  @Field({ description: "ISO 4217 code" }) currency!: string;
  @Field({ description: "Where the shopper goes once paid; {CHECKOUT_SESSION_ID} is replaced by the session's id (https; http to loopback outside production)" }) successUrl!: string;
  @Field(() => String, { nullable: true, description: "Where the shopper goes on 'Cancel'" }) cancelUrl?: string | null;
  @Field(() => Int, { nullable: true, description: "30 to 1440 (24 hours, the default)" }) expiresInMinutes?: number | null;
  @Field(() => String, { nullable: true, description: "en (default) or ar" }) locale?: string | null;
  @Field(() => ID, { nullable: true }) customerId?: string | null;
  @Field(() => CaptureMethod, { nullable: true, defaultValue: CaptureMethod.AUTOMATIC }) captureMethod?: CaptureMethod;
  @Field(() => String, { nullable: true }) description?: string | null;
  @Field(() => GraphQLJSONObject, { nullable: true, description: "Up to 50 string pairs, set on the payment" }) metadata?: Record<string, unknown> | null;
  @Field(() => ShopperInput, { nullable: true, description: "The shopper's email, country and IP address, for the risk step (the page's own request gives the IP address when it pays)" }) shopper?: ShopperInput | null;
  @Field(() => String, { nullable: true }) idempotencyKey?: string | null;
}

@InputType()
export class ExpireCheckoutSessionInput {
  @Field(() => ID) id!: string;
}

@InputType({ description: "The shopper's card, from the session's own page (its client secret)" })
export class PayCheckoutSessionInput {
  @Field(() => ID) id!: string;
  @Field(() => CardInput) card!: CardInput;
  @Field(() => String, { nullable: true, description: "One per try of the page: a double click is one payment" }) idempotencyKey?: string | null;
}

@ObjectType() export class CreateCheckoutSessionPayload { @Field(() => CheckoutSessionType) checkoutSession!: CheckoutSessionType }
@ObjectType() export class ExpireCheckoutSessionPayload { @Field(() => CheckoutSessionType) checkoutSession!: CheckoutSessionType }
@ObjectType() export class PayCheckoutSessionPayload { @Field(() => CheckoutSessionType) checkoutSession!: CheckoutSessionType }
