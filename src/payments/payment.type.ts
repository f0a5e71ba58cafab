// The Payment GraphQL type and its children. Resolvers hand over database rows; computed fields
// (money, card, children) are resolved in payment-fields.resolver.ts.
import { Field, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { GraphQLDateTime } from "graphql-scalars";
import { AttemptStatus, CaptureMethod, GatewayDecision, PaymentStatus } from "../generated/prisma/enums.js";
import "../routing/decision.types.js"; // registers GatewayDecision
import { MoneyType, NodeInterface, connectionOf } from "../platform/graphql/common.types.js";

registerEnumType(PaymentStatus, { name: "PaymentStatus" });
registerEnumType(CaptureMethod, { name: "CaptureMethod", description: "AUTOMATIC captures on authorization; MANUAL waits for capturePayment" });
registerEnumType(AttemptStatus, { name: "AttemptStatus" });

@ObjectType("Payment", { implements: NodeInterface })
export class PaymentType extends NodeInterface {
  @Field(() => PaymentStatus) status!: PaymentStatus;
  @Field(() => CaptureMethod) captureMethod!: CaptureMethod;
  @Field(() => String, { nullable: true }) description!: string | null;
  @Field(() => Int, { description: "Grows by one with every change; every event carries it, so a receiver can drop stale ones" })
  version!: number;
  @Field(() => GraphQLDateTime) createdAt!: Date;
  @Field(() => GraphQLDateTime) updatedAt!: Date;
}

@ObjectType("Settlement", {
  description: "What the gateways were asked for when no connected gateway takes the payment's currency: converted once, at confirmation, at a stored exchange rate (rounded half to even)",
})
export class SettlementType {
  @Field(() => MoneyType) amount!: MoneyType;
  @Field({ description: "Units of the settlement currency per unit of the payment's currency, exactly as used" }) rate!: string;
  @Field(() => GraphQLDateTime, { description: "The rate's time at its source" }) rateAsOf!: Date;
  @Field() rateSource!: string;
}

@ObjectType("PaymentError", { description: "Why the last attempt failed (a decline is data, not an API error)" })
export class PaymentErrorType {
  @Field() code!: string;
  @Field(() => String, { nullable: true }) declineCode!: string | null;
  @Field() message!: string;
  @Field(() => ID, { nullable: true }) attemptId!: string | null;
}

@ObjectType("PaymentAttempt", { implements: NodeInterface, description: "One try of the payment at a gateway" })
export class PaymentAttemptType {
  @Field(() => ID) id!: string;
  @Field() gateway!: string;
  @Field(() => AttemptStatus) status!: AttemptStatus;
  @Field(() => String, { nullable: true }) errorCode!: string | null;
  @Field(() => String, { nullable: true }) declineCode!: string | null;
  @Field(() => String, { nullable: true }) errorMessage!: string | null;
  @Field(() => Int, { nullable: true, description: "Gateway round trip of the last try, in milliseconds" }) latencyMs!: number | null;
  @Field(() => String, { nullable: true, description: "Why this gateway was chosen" }) routingReason!: string | null;
  @Field(() => GatewayDecision, { nullable: true, description: "What the outcome table decided after a failed call (see gatewayDecisions)" }) decision!: GatewayDecision | null;
  @Field(() => Int, { description: "Gateway calls recorded for this attempt (transient errors are retried with the same idempotency key)" }) tries!: number;
  @Field(() => GraphQLDateTime) createdAt!: Date;
}

export const PaymentAttemptConnection = connectionOf(PaymentAttemptType, "PaymentAttempt");

@ObjectType("PaymentEvent", { implements: NodeInterface, description: "An entry of the payment's append-only audit trail" })
export class PaymentEventType {
  @Field(() => ID) id!: string;
  @Field() type!: string;
  @Field(() => PaymentStatus, { nullable: true }) fromStatus!: PaymentStatus | null;
  @Field(() => PaymentStatus) toStatus!: PaymentStatus;
  @Field(() => Int) version!: number;
  @Field(() => String, { nullable: true }) requestId!: string | null;
  @Field(() => GraphQLDateTime) createdAt!: Date;
}

export const PaymentEventConnection = connectionOf(PaymentEventType, "PaymentEvent");

export const PaymentConnection = connectionOf(PaymentType, "Payment");
