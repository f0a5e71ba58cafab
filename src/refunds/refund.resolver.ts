// Refund queries, the refundPayment mutation, Refund's computed fields and Payment.refunds.
import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from "type-graphql";
import type { Payment, Refund } from "../generated/prisma/client.js";
import { ConnectionArgs, MoneyType } from "../platform/graphql/common.types.js";
import { pageOfList, type Page } from "../platform/pagination.js";
import { merchantCtx, type GqlContext } from "../app/graphql-context.js";
import { notFound } from "../platform/errors.js";
import { PaymentType } from "../payments/payment.type.js";
import { refundPayment, type RefundResult } from "./operations/refund.js";
import { getRefund } from "./refund.queries.js";
import { RefundConnection, RefundPaymentInput, RefundPaymentPayload, RefundType } from "./refund.type.js";

@Resolver(() => RefundType)
export class RefundResolver {
  @Authorized("refunds:read")
  @Query(() => RefundType)
  async refund(@Arg("id", () => ID) id: string, @Ctx() context: GqlContext): Promise<Refund> {
    return getRefund(context.app.db, merchantCtx(context).merchantId, id);
  }

  @Authorized("refunds:write")
  @Mutation(() => RefundPaymentPayload, { description: "Partial or full; several per payment; never more than captured" })
  async refundPayment(@Arg("input") input: RefundPaymentInput, @Ctx() context: GqlContext): Promise<RefundResult> {
    return refundPayment(merchantCtx(context), input, context.idempotencyKey);
  }

  @FieldResolver(() => MoneyType)
  amount(@Root() r: Refund): MoneyType {
    return MoneyType.of(r.amount, r.currency);
  }

  @FieldResolver(() => PaymentType)
  async payment(@Root() r: Refund, @Ctx() context: GqlContext): Promise<Payment> {
    const payment = await merchantCtx(context).loaders.payments.load(r.paymentId);
    if (!payment) throw notFound("payment", r.paymentId);
    return payment;
  }
}

@Resolver(() => PaymentType)
export class PaymentRefundsResolver {
  @FieldResolver(() => RefundConnection, { description: "Oldest first" })
  async refunds(@Root() p: Payment, @Args() args: ConnectionArgs, @Ctx() context: GqlContext): Promise<Page<Refund>> {
    return pageOfList(await merchantCtx(context).loaders.refunds.load(p.id), args, "oldestFirst");
  }
}
