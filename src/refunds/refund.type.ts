// The Refund GraphQL type and the refundPayment input/payload.
import { Field, ID, InputType, ObjectType, registerEnumType } from "type-graphql";
import { GraphQLDateTime } from "graphql-scalars";
import { RefundStatus } from "../generated/prisma/enums.js";
import { NodeInterface, connectionOf } from "../platform/graphql/common.types.js";
import { PaymentType } from "../payments/payment.type.js";

registerEnumType(RefundStatus, { name: "RefundStatus" });

@ObjectType("Refund", { implements: NodeInterface })
export class RefundType extends NodeInterface {
  @Field(() => RefundStatus) status!: RefundStatus;
  @Field(() => String, { nullable: true }) reason!: string | null;
  @Field(() => String, { nullable: true, description: "Why the gateway refused the refund" }) failureCode!: string | null;
  @Field(() => GraphQLDateTime) createdAt!: Date;
  @Field(() => GraphQLDateTime) updatedAt!: Date;
}

export const RefundConnection = connectionOf(RefundType, "Refund");

@InputType()
export class RefundPaymentInput {
  @Field(() => ID) paymentId!: string;
  @Field(() => String, { nullable: true, description: "Defaults to everything still refundable" }) amount?: string | null;
  @Field(() => String, { nullable: true }) reason?: string | null;
  @Field(() => String, { nullable: true, description: "Same key + same request returns the stored answer; the Idempotency-Key header works too" })
  idempotencyKey?: string | null;
}

@ObjectType()
export class RefundPaymentPayload {
  @Field(() => RefundType) refund!: RefundType;
  @Field(() => PaymentType) payment!: PaymentType;
}
