// Thin adapters: authenticate, call one operation, return its rows. Payment's computed fields
// live in payment-fields.resolver.ts.
import { Arg, Args, ArgsType, Authorized, Ctx, Field, ID, Int, Mutation, Query, Resolver } from "type-graphql";
import { ConnectionArgs } from "../platform/graphql/common.types.js";
import type { Payment } from "../generated/prisma/client.js";
import { merchantCtx, type GqlContext } from "../app/graphql-context.js";
import type { Page } from "../platform/pagination.js";
import { cancelPayment } from "./operations/cancel.js";
import { capturePayment } from "./operations/capture.js";
import { confirmPayment } from "./operations/confirm.js";
import { createPayment } from "./operations/create.js";
import { approvePayment, rejectPayment } from "./operations/review.js";
import {
  ApprovePaymentInput, ApprovePaymentPayload, RejectPaymentInput, RejectPaymentPayload, CancelPaymentInput, CancelPaymentPayload, CapturePaymentInput, CapturePaymentPayload, ConfirmPaymentInput,
  ConfirmPaymentPayload, CreatePaymentInput, CreatePaymentPayload, PaymentFilterInput,
} from "./payment.input.js";
import { listPayments, readPayment } from "./payment.queries.js";
import { PaymentConnection, PaymentType } from "./payment.type.js";

@ArgsType()
class PaymentsArgs extends ConnectionArgs {
  @Field(() => PaymentFilterInput, { nullable: true }) filter?: PaymentFilterInput | null;
}

@Resolver(() => PaymentType)
export class PaymentResolver {
  @Authorized("payments:read")
  @Query(() => PaymentType)
  async payment(@Arg("id", () => ID) id: string, @Ctx() context: GqlContext): Promise<Payment> {
    return readPayment(context.app.sql, merchantCtx(context).merchantId, id);
  }

  @Authorized("payments:read")
  @Query(() => PaymentConnection, { description: "Newest first" })
  async payments(@Args() args: PaymentsArgs, @Ctx() context: GqlContext): Promise<Page<Payment>> {
    return listPayments(context.app.db, merchantCtx(context).merchantId, args);
  }

  @Authorized("payments:write")
  @Mutation(() => CreatePaymentPayload)
  async createPayment(@Arg("input") input: CreatePaymentInput, @Ctx() context: GqlContext): Promise<{ payment: Payment }> {
    return { payment: await createPayment(merchantCtx(context), input, context.idempotencyKey) };
  }

  @Authorized("payments:write")
  @Mutation(() => ConfirmPaymentPayload, { description: "Returns at once with PROCESSING; the gateway answers through the worker" })
  async confirmPayment(@Arg("input") input: ConfirmPaymentInput, @Ctx() context: GqlContext): Promise<{ payment: Payment }> {
    return { payment: await confirmPayment(merchantCtx(context), input, context.idempotencyKey) };
  }

  @Authorized("payments:write")
  @Mutation(() => CapturePaymentPayload)
  async capturePayment(@Arg("input") input: CapturePaymentInput, @Ctx() context: GqlContext): Promise<{ payment: Payment }> {
    return { payment: await capturePayment(merchantCtx(context), input, context.idempotencyKey) };
  }

  @Authorized("risk:review")
  @Mutation(() => ApprovePaymentPayload, { description: "A payment the risk step held for review goes on to a gateway (merchant users with risk:review: OWNER, ADMIN, SUPPORT)" })
  async approvePayment(@Arg("input") input: ApprovePaymentInput, @Ctx() context: GqlContext): Promise<{ payment: Payment }> {
    return { payment: await approvePayment(merchantCtx(context), input, context.idempotencyKey) };
  }

  @Authorized("risk:review")
  @Mutation(() => RejectPaymentPayload, { description: "A payment the risk step held for review is cancelled, with the reason (merchant users with risk:review)" })
  async rejectPayment(@Arg("input") input: RejectPaymentInput, @Ctx() context: GqlContext): Promise<{ payment: Payment }> {
    return { payment: await rejectPayment(merchantCtx(context), input, context.idempotencyKey) };
  }

  @Authorized("payments:write")
  @Mutation(() => CancelPaymentPayload)
  async cancelPayment(@Arg("input") input: CancelPaymentInput, @Ctx() context: GqlContext): Promise<{ payment: Payment }> {
    return { payment: await cancelPayment(merchantCtx(context), input, context.idempotencyKey) };
  }
}
