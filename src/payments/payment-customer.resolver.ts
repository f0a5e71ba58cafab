// Payment.customer: a field of the payment that reads the customers domain. It lives here, not in
// customers/, so the dependency points payments → customers and never back.
import { Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import type { Customer, Payment } from "../generated/prisma/client.js";
import type { GqlContext } from "../app/graphql-context.js";
import { customerLoaders } from "../customers/customer.loaders.js";
import { CustomerType } from "../customers/customer.type.js";
import { PaymentType } from "./payment.type.js";

@Resolver(() => PaymentType)
export class PaymentCustomerResolver {
  @FieldResolver(() => CustomerType, { nullable: true, description: "The customer paying, if the payment names one (null once deleted)" })
  async customer(@Root() p: Payment, @Ctx() context: GqlContext): Promise<Customer | null> {
    return p.customerId ? customerLoaders(context).customers.load(p.customerId) : null;
  }
}
