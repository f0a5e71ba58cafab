// Relay object identification: node(id:) resolves any prefixed id of the merchant's.
import { Arg, Authorized, Ctx, ID, Query, Resolver } from "type-graphql";
import type { Customer, GatewayAccount, Payment, PaymentMethod, Refund } from "../generated/prisma/client.js";
import { NodeInterface } from "../platform/graphql/common.types.js";
import { merchantCtx, type GqlContext } from "../platform/graphql/context.js";
import { notFound } from "../platform/errors.js";
import { prefixOf } from "../platform/ids.js";
import { getPayment } from "../payments/payment.queries.js";
import { getRefund } from "../refunds/refund.queries.js";
import { getCustomer, getPaymentMethod } from "../customers/customer.data.js";

@Resolver()
export class NodeResolver {
  @Authorized("payments:read")
  @Query(() => NodeInterface)
  async node(@Arg("id", () => ID) id: string, @Ctx() context: GqlContext): Promise<Payment | Refund | GatewayAccount | Customer | PaymentMethod> {
    const { merchantId } = merchantCtx(context);
    switch (prefixOf(id)) {
      case "pay":
        return getPayment(context.app.db, merchantId, id);
      case "re":
        return getRefund(context.app.db, merchantId, id);
      case "gwa": {
        const account = await context.app.db.gatewayAccount.findFirst({ where: { id, merchantId } });
        if (!account) throw notFound("gateway account", id);
        return account;
      }
      case "cus":
        return getCustomer(context.app.db, merchantId, id);
      case "pm":
        return (await getPaymentMethod(context.app.db, merchantId, id, "id")).method;
      default:
        throw notFound("object", id);
    }
  }
}
