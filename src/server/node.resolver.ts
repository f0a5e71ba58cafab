// Relay object identification: node(id:) resolves any prefixed id of the merchant's.
import { Arg, Authorized, Ctx, ID, Query, Resolver } from "type-graphql";
import type { Customer, GatewayAccount, Payment, PaymentMethod, Refund } from "../generated/prisma/client.js";
import { NodeInterface } from "../platform/graphql/common.types.js";
import { merchantCtx, type GqlContext } from "../app/graphql-context.js";
import { notFound } from "../platform/errors.js";
import { prefixOf, type IdPrefix } from "../platform/ids.js";
import { getPayment } from "../payments/payment.queries.js";
import { getRefund } from "../refunds/refund.queries.js";
import { getCustomer, getPaymentMethod } from "../customers/customer.data.js";
import { authorize } from "./authorize.js";

/**
 * The scope each type's own query demands (`payment`, `refund`, `gatewayAccounts`, `customer`; a
 * payment method is read through its customer), demanded by node(id:) too: judged from the id's
 * prefix before any lookup, so the answer is the same FORBIDDEN whether the object exists or not.
 */
const NODE_SCOPES: Partial<Record<IdPrefix, string>> = {
  pay: "payments:read",
  re: "refunds:read",
  gwa: "admin",
  cus: "payments:read",
  pm: "payments:read",
};

@Resolver()
export class NodeResolver {
  // No scope here: the id names it (below). This still refuses a missing credential or a publishable key.
  @Authorized()
  @Query(() => NodeInterface)
  async node(@Arg("id", () => ID) id: string, @Ctx() context: GqlContext): Promise<Payment | Refund | GatewayAccount | Customer | PaymentMethod> {
    const prefix = prefixOf(id);
    const scope = prefix && NODE_SCOPES[prefix];
    if (!scope) throw notFound("object", id);
    authorize(context, [scope]);
    const { merchantId } = merchantCtx(context);
    switch (prefix) {
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
