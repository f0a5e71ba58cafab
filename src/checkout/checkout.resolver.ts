// The checkout session's API: the merchant creates, reads and expires sessions (payments scopes);
// the session's own page (its client secret, src/checkout/client-secret.ts) reads it, pays it and
// follows it live. `@Authorized("payments:read|checkout:session")` takes either; a page is then
// held to its own session here.
import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root, Subscription } from "type-graphql";
import type { CheckoutSession, Payment } from "../generated/prisma/client.js";
import { merchantCtx, type GqlContext } from "../app/graphql-context.js";
import { publicUrl } from "../app/public-url.js";
import { AppError, ErrorCode } from "../platform/errors.js";
import { MoneyType } from "../platform/graphql/common.types.js";
import { readPayment } from "../payments/payment.queries.js";
import { paymentFromJson } from "../payments/payment.snapshot.js";
import { paymentUpdates } from "../payments/payment.subscription.js";
import { PaymentType } from "../payments/payment.type.js";
import type { NextAction, PaymentError } from "../payments/payment-change.js";
import { NextActionType } from "../payments/three-d-secure/three-d-secure.type.js";
import type { PaymentUpdatedMessage } from "../payments/transition.js";
import { CHECKOUT_SCOPE } from "./client-secret.js";
import { createCheckoutSession, expireCheckoutSession, getCheckoutSession, statusOf } from "./checkout-sessions.js";
import { payCheckoutSession, successUrlOf } from "./pay.js";
import {
  CheckoutPaymentErrorType, CheckoutSessionType, CreateCheckoutSessionInput, CreateCheckoutSessionPayload, ExpireCheckoutSessionInput,
  ExpireCheckoutSessionPayload, PayCheckoutSessionInput, PayCheckoutSessionPayload,
} from "./checkout.type.js";
import { CheckoutSessionStatus, PaymentStatus } from "../generated/prisma/enums.js";

/** What the CheckoutSession type resolves from: the session and its payment as of one version. */
export type CheckoutSessionView = CheckoutSession & { payment: Payment };
const viewOf = (session: CheckoutSession, payment: Payment): CheckoutSessionView => ({ ...session, payment });

const READ = `payments:read|${CHECKOUT_SCOPE}`;

/** A page reads and pays its own session only. */
function ownSession(context: GqlContext, id: string): void {
  const principal = context.principal;
  if (principal?.via === "CHECKOUT" && principal.credentialId !== id) {
    throw new AppError(ErrorCode.FORBIDDEN, "A checkout session's secret opens that session only", { missingScope: "payments:read" });
  }
}

/** The session as its query shows it (node(id:) reads it here too). */
export async function checkoutSessionView(context: GqlContext, id: string): Promise<CheckoutSessionView> {
  ownSession(context, id);
  const ctx = merchantCtx(context);
  const session = await getCheckoutSession(ctx.app, ctx.merchantId, id);
  return viewOf(session, await readPayment(ctx.app.sql, ctx.merchantId, session.paymentId));
}

@Resolver(() => CheckoutSessionType)
export class CheckoutSessionResolver {
  @Authorized(READ)
  @Query(() => CheckoutSessionType)
  async checkoutSession(@Arg("id", () => ID) id: string, @Ctx() context: GqlContext): Promise<CheckoutSessionView> {
    return checkoutSessionView(context, id);
  }

  @Authorized("payments:write")
  @Mutation(() => CreateCheckoutSessionPayload, { description: "A payment and its hosted page; send the shopper to `url`" })
  async createCheckoutSession(@Arg("input") input: CreateCheckoutSessionInput, @Ctx() context: GqlContext): Promise<{ checkoutSession: CheckoutSessionView }> {
    const ctx = merchantCtx(context);
    const made = await createCheckoutSession(ctx, input, context.idempotencyKey);
    // Read again: a retry under the key gets the session as it is now (perhaps paid or expired), not as first made.
    const session = await getCheckoutSession(ctx.app, ctx.merchantId, made.id);
    return { checkoutSession: viewOf(session, await readPayment(ctx.app.sql, ctx.merchantId, session.paymentId)) };
  }

  @Authorized("payments:write")
  @Mutation(() => ExpireCheckoutSessionPayload, { description: "Ends an open session whose payment has not started; its payment is cancelled" })
  async expireCheckoutSession(@Arg("input") input: ExpireCheckoutSessionInput, @Ctx() context: GqlContext): Promise<{ checkoutSession: CheckoutSessionView }> {
    const ctx = merchantCtx(context);
    const session = await expireCheckoutSession(ctx, input.id);
    return { checkoutSession: viewOf(session, await readPayment(ctx.app.sql, ctx.merchantId, session.paymentId)) };
  }

  @Authorized(CHECKOUT_SCOPE)
  @Mutation(() => PayCheckoutSessionPayload, { description: "The session's page pays with the shopper's card (its client secret only)" })
  async payCheckoutSession(@Arg("input") input: PayCheckoutSessionInput, @Ctx() context: GqlContext): Promise<{ checkoutSession: CheckoutSessionView }> {
    ownSession(context, input.id);
    return { checkoutSession: await payCheckoutSession(merchantCtx(context), input, context.clientIp) };
  }

  @Authorized(READ)
  @Subscription(() => CheckoutSessionType, {
    description: "The session as its payment changes, starting with how it is now",
    subscribe: async ({ args, context }) => {
      const gql = context as GqlContext;
      const session = await checkoutSessionView(gql, (args as { id: string }).id);
      const updates = await paymentUpdates(gql, session.paymentId);
      // Each change reads the session again (it may have completed or expired meanwhile).
      return (async function* () {
        for await (const message of updates) yield { session: await getCheckoutSession(gql.app, session.merchantId, session.id), message };
      })();
    },
  })
  checkoutSessionUpdated(@Root() root: { session: CheckoutSession; message: PaymentUpdatedMessage }, @Arg("id", () => ID) _id: string): CheckoutSessionView {
    return viewOf(root.session, paymentFromJson(root.message.payment));
  }

  // The URL carries the page's secret, which can pay: for callers who may create payments, not readers.
  @Authorized(`payments:write|${CHECKOUT_SCOPE}`)
  @FieldResolver(() => String, { nullable: true, description: "The hosted page, while the session is OPEN: send the shopper here (its fragment holds the page's secret; needs payments:write)" })
  async url(@Root() v: CheckoutSessionView, @Ctx() context: GqlContext): Promise<string | null> {
    if (statusOf(v, v.payment) !== "OPEN") return null;
    const base = await publicUrl(context.app);
    return base ? `${base}/checkout/${v.id}#${v.clientSecret}` : null;
  }

  @FieldResolver(() => CheckoutSessionStatus, { description: "OPEN until its payment is authorized or captured (COMPLETE), or it expires (EXPIRED)" })
  status(@Root() v: CheckoutSessionView): CheckoutSessionStatus {
    return statusOf(v, v.payment);
  }

  @FieldResolver(() => String, { description: "The merchant's name, as the page shows it" })
  async merchantName(@Root() v: CheckoutSessionView, @Ctx() context: GqlContext): Promise<string> {
    return (await context.app.db.merchant.findUnique({ where: { id: v.merchantId }, select: { name: true } }))?.name ?? "";
  }

  @FieldResolver(() => MoneyType)
  amount(@Root() v: CheckoutSessionView): MoneyType {
    return MoneyType.of(v.payment.amount, v.payment.currency);
  }

  @FieldResolver(() => String, { nullable: true })
  description(@Root() v: CheckoutSessionView): string | null {
    return v.payment.description;
  }

  @FieldResolver(() => String, { description: "Where the shopper goes once paid, {CHECKOUT_SESSION_ID} replaced" })
  successUrl(@Root() v: CheckoutSessionView): string {
    return successUrlOf(v);
  }

  @FieldResolver(() => String, { nullable: true })
  cancelUrl(@Root() v: CheckoutSessionView): string | null {
    return v.cancelUrl;
  }

  @FieldResolver(() => PaymentStatus, { description: "The payment's status, for the page" })
  paymentStatus(@Root() v: CheckoutSessionView): PaymentStatus {
    return v.payment.status;
  }

  @FieldResolver(() => CheckoutPaymentErrorType, { nullable: true })
  lastPaymentError(@Root() v: CheckoutSessionView): CheckoutPaymentErrorType | null {
    const e = v.payment.lastPaymentError as PaymentError | null;
    return e ? { code: e.code, declineCode: e.declineCode, message: e.message } : null;
  }

  @FieldResolver(() => NextActionType, { nullable: true, description: "A 3-D Secure challenge to send the shopper to" })
  nextAction(@Root() v: CheckoutSessionView): NextAction | null {
    return (v.payment.nextAction as NextAction | null) ?? null;
  }

  @Authorized("payments:read")
  @FieldResolver(() => PaymentType, { description: "The merchant's view of the payment (not for the page)" })
  payment(@Root() v: CheckoutSessionView): Payment {
    return v.payment;
  }
}
