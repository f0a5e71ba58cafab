// The Customer and PaymentMethod GraphQL types, their inputs and payloads. Resolvers hand over
// database rows; computed fields are in customer.resolver.ts.
import { Field, ID, InputType, ObjectType } from "type-graphql";
import { GraphQLDateTime, GraphQLJSONObject } from "graphql-scalars";
import { NodeInterface, connectionOf } from "../platform/graphql/common.types.js";
import { CardInput } from "../vault/card.type.js";

@ObjectType("Customer", { implements: NodeInterface, description: "A merchant's customer; saved cards attach to it" })
export class CustomerType extends NodeInterface {
  @Field(() => String, { nullable: true }) email!: string | null;
  @Field(() => String, { nullable: true }) name!: string | null;
  @Field(() => String, { nullable: true }) description!: string | null;
  @Field(() => GraphQLDateTime) createdAt!: Date;
  @Field(() => GraphQLDateTime) updatedAt!: Date;
}

@ObjectType("PaymentMethod", { implements: NodeInterface, description: "A card in the vault (pm_…): only its summary is readable" })
export class PaymentMethodType extends NodeInterface {
  @Field(() => GraphQLDateTime) createdAt!: Date;
}

export const PaymentMethodConnection = connectionOf(PaymentMethodType, "PaymentMethod");

export const CustomerConnection = connectionOf(CustomerType, "Customer");

@InputType()
export class CustomerFilterInput {
  @Field(() => String, { nullable: true, description: "Exact email, case-insensitive" }) email?: string | null;
}

@InputType()
export class CreateCustomerInput {
  @Field(() => String, { nullable: true }) email?: string | null;
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => String, { nullable: true }) description?: string | null;
  @Field(() => GraphQLJSONObject, { nullable: true, description: "Up to 50 string pairs" }) metadata?: Record<string, unknown> | null;
}

@InputType({ description: "Given fields replace the stored ones (metadata as a whole); null clears a field" })
export class UpdateCustomerInput {
  @Field(() => ID) id!: string;
  @Field(() => String, { nullable: true }) email?: string | null;
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => String, { nullable: true }) description?: string | null;
  @Field(() => GraphQLJSONObject, { nullable: true }) metadata?: Record<string, unknown> | null;
}

@InputType()
export class DeleteCustomerInput {
  @Field(() => ID) id!: string;
}

@InputType({ description: "Exactly one of card, token" })
export class CreatePaymentMethodInput {
  @Field(() => CardInput, { nullable: true, description: "Card details (server-side vaulting)" }) card?: CardInput | null;
  @Field(() => String, { nullable: true, description: "A single-use tok_… from POST /v1/tokens (consumed by this call)" }) token?: string | null;
  @Field(() => ID, { nullable: true, description: "Attach to this customer; without one the method pays once" }) customerId?: string | null;
}

@InputType()
export class AttachPaymentMethodInput {
  @Field(() => ID) paymentMethodId!: string;
  @Field(() => ID) customerId!: string;
}

@InputType()
export class DetachPaymentMethodInput {
  @Field(() => ID) paymentMethodId!: string;
}

@ObjectType() export class CreateCustomerPayload { @Field(() => CustomerType) customer!: CustomerType }
@ObjectType() export class UpdateCustomerPayload { @Field(() => CustomerType) customer!: CustomerType }
@ObjectType()
export class DeleteCustomerPayload {
  @Field(() => ID) deletedCustomerId!: string;
  @Field(() => [ID], { description: "Cards detached by the deletion" }) detachedPaymentMethodIds!: string[];
}
@ObjectType() export class CreatePaymentMethodPayload { @Field(() => PaymentMethodType) paymentMethod!: PaymentMethodType }
@ObjectType() export class AttachPaymentMethodPayload { @Field(() => PaymentMethodType) paymentMethod!: PaymentMethodType }
@ObjectType() export class DetachPaymentMethodPayload { @Field(() => PaymentMethodType) paymentMethod!: PaymentMethodType }
