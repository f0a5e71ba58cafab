// The GraphQL types of batches.
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import { GraphQLDateTime } from "graphql-scalars";
import { BatchItemStatus, BatchOperation, BatchStatus } from "../generated/prisma/enums.js";
import { NodeInterface, connectionOf } from "../platform/graphql/common.types.js";

registerEnumType(BatchOperation, { name: "BatchOperation" });
registerEnumType(BatchStatus, { name: "BatchStatus" });
registerEnumType(BatchItemStatus, { name: "BatchItemStatus" });

@ObjectType("BatchItem", { description: "One line of a batch and what it did" })
export class BatchItemType {
  @Field(() => Int, { description: "1-based place in the input" }) line!: number;
  @Field(() => ID) paymentId!: string;
  @Field(() => String, { nullable: true }) amount!: string | null;
  @Field(() => String, { nullable: true }) reason!: string | null;
  @Field(() => BatchItemStatus) status!: BatchItemStatus;
  @Field(() => String, { nullable: true, description: "Why it was invalid (payment_not_found, invalid_state, amount_too_large, …) or the operation's error code" }) errorCode!: string | null;
  @Field(() => String, { nullable: true }) errorMessage!: string | null;
  @Field(() => ID, { nullable: true, description: "What it produced: the refund (re_…) or the payment (pay_…)" }) resultId!: string | null;
}

@ObjectType("BatchItemPage")
export class BatchItemPage {
  @Field(() => [BatchItemType]) items!: BatchItemType[];
  @Field() hasNextPage!: boolean;
  @Field(() => String, { nullable: true, description: "Pass as `after` for the next page" }) endCursor!: string | null;
}

@ObjectType("Batch", { implements: NodeInterface, description: "Many captures, refunds or cancellations, each item run once through the single operation" })
export class BatchType {
  @Field(() => ID) id!: string;
  @Field(() => BatchOperation) operation!: BatchOperation;
  @Field(() => BatchStatus) status!: BatchStatus;
  @Field(() => Int) total!: number;
  @Field(() => Int) succeeded!: number;
  @Field(() => Int) failed!: number;
  @Field(() => Int, { description: "Lines refused by validation (skipInvalid)" }) invalid!: number;
  @Field(() => Int, { description: "Items stopped by cancelBatch before they started" }) canceled!: number;
  @Field(() => GraphQLDateTime) createdAt!: Date;
  @Field(() => GraphQLDateTime, { nullable: true }) completedAt!: Date | null;
}

@InputType()
export class BatchItemInput {
  @Field(() => ID) paymentId!: string;
  @Field(() => String, { nullable: true, description: "Decimal in the payment's currency; left out: everything capturable or refundable" }) amount?: string | null;
  @Field(() => String, { nullable: true, description: "Refunds only" }) reason?: string | null;
}

@InputType()
export class CreateBatchInput {
  @Field(() => BatchOperation) operation!: BatchOperation;
  @Field(() => [BatchItemInput], { description: "At most 1,000 (POST /v1/batches takes a file of up to 10,000 lines)" }) items!: BatchItemInput[];
  @Field(() => String, { nullable: true, description: "The same key with the same items answers the same batch" }) idempotencyKey?: string | null;
  @Field(() => Boolean, { nullable: true, description: "Run the valid lines when some are invalid (otherwise nothing runs)" }) skipInvalid?: boolean | null;
}

@ObjectType()
export class BatchPayload {
  @Field(() => BatchType) batch!: BatchType;
}

@InputType()
export class CancelBatchInput {
  @Field(() => ID) id!: string;
}

export const BatchConnection = connectionOf(BatchType, "Batch");
