// Payment's computed fields: money from minor units, the card summary, the last error, and the
// children, each list loaded through the request's DataLoaders (one query per kind per request).
import { Args, Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import { GraphQLJSONObject } from "graphql-scalars";
import type { Payment, PaymentAttempt } from "../generated/prisma/client.js";
import type { PaymentEvent } from "./payment.queries.js";
import { ConnectionArgs, MoneyType } from "../platform/graphql/common.types.js";
import { pageOfList, type Page } from "../platform/pagination.js";
import { merchantCtx, type GqlContext } from "../app/graphql-context.js";
import type { NextAction, PaymentError, ThreeDSecureSummary } from "./payment-change.js";
import { NextActionType, ThreeDSecureType } from "./three-d-secure/three-d-secure.type.js";
import { RiskType } from "../risk/risk.type.js";
import { riskView } from "../risk/assess.js";
import { PaymentAttemptConnection, PaymentErrorType, PaymentEventConnection, PaymentType, SettlementType } from "./payment.type.js";
import { CardSummary } from "../vault/card.type.js";

@Resolver(() => PaymentType)
export class PaymentFieldsResolver {
  @FieldResolver(() => MoneyType)
  amount(@Root() p: Payment): MoneyType {
    return MoneyType.of(p.amount, p.currency);
  }

  @FieldResolver(() => MoneyType, { description: "What a capturePayment may still take (MANUAL capture)" })
  amountCapturable(@Root() p: Payment): MoneyType {
    return MoneyType.of(p.amountCapturable, p.currency);
  }

  @FieldResolver(() => MoneyType)
  amountCaptured(@Root() p: Payment): MoneyType {
    return MoneyType.of(p.amountCaptured, p.currency);
  }

  @FieldResolver(() => MoneyType, { description: "Refunds the gateway has settled" })
  amountRefunded(@Root() p: Payment): MoneyType {
    return MoneyType.of(p.amountRefunded, p.currency);
  }

  @FieldResolver(() => MoneyType, { description: "Refunds requested and not yet settled by the gateway" })
  amountRefundPending(@Root() p: Payment): MoneyType {
    return MoneyType.of(p.amountRefundPending, p.currency);
  }

  @FieldResolver(() => SettlementType, { nullable: true, description: "Set when the payment was converted for its gateway" })
  settlement(@Root() p: Payment): SettlementType | null {
    if (!p.settlementCurrency || p.settlementAmount === null || !p.fxRate || !p.fxRateAsOf) return null;
    return { amount: MoneyType.of(p.settlementAmount, p.settlementCurrency), rate: p.fxRate, rateAsOf: p.fxRateAsOf, rateSource: p.fxRateSource ?? "" };
  }

  @FieldResolver(() => GraphQLJSONObject)
  metadata(@Root() p: Payment): object {
    return (p.metadata ?? {}) as object;
  }

  @FieldResolver(() => PaymentErrorType, { nullable: true })
  lastPaymentError(@Root() p: Payment): PaymentError | null {
    return (p.lastPaymentError as PaymentError | null) ?? null;
  }

  @FieldResolver(() => ThreeDSecureType, { nullable: true, description: "The latest 3-D Secure authentication of this confirmation" })
  threeDSecure(@Root() p: Payment): ThreeDSecureSummary | null {
    return (p.threeDSecure as ThreeDSecureSummary | null) ?? null;
  }

  @FieldResolver(() => RiskType, { nullable: true, description: "The risk step's assessment of the latest confirmation: score, level, outcome and why" })
  risk(@Root() p: Payment): ReturnType<typeof riskView> {
    return riskView(p.risk);
  }

  @FieldResolver(() => NextActionType, { nullable: true, description: "What the shopper must do now (REQUIRES_ACTION); null otherwise" })
  nextAction(@Root() p: Payment): NextAction | null {
    return (p.nextAction as NextAction | null) ?? null;
  }

  @FieldResolver(() => String, { nullable: true, description: "Where the shopper's browser goes after a 3-D Secure challenge (confirmPayment's returnUrl)" })
  returnUrl(@Root() p: Payment): string | null {
    return p.returnUrl ?? null;
  }

  @FieldResolver(() => CardSummary, { nullable: true })
  async card(@Root() p: Payment, @Ctx() context: GqlContext): Promise<CardSummary | null> {
    return p.paymentMethodId ? merchantCtx(context).loaders.paymentMethods.load(p.paymentMethodId) : null;
  }

  @FieldResolver(() => PaymentAttemptConnection, { description: "Oldest first (`last: 1` is the latest)" })
  async attempts(@Root() p: Payment, @Args() args: ConnectionArgs, @Ctx() context: GqlContext): Promise<Page<PaymentAttempt>> {
    return pageOfList(await merchantCtx(context).loaders.attempts.load(p.id), args, "oldestFirst");
  }

  @FieldResolver(() => PaymentEventConnection, { description: "The audit trail, oldest first" })
  async events(@Root() p: Payment, @Args() args: ConnectionArgs, @Ctx() context: GqlContext): Promise<Page<PaymentEvent>> {
    return pageOfList(await merchantCtx(context).loaders.events.load(p.id), args, "oldestFirst");
  }
}
