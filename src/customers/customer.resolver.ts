// Thin adapters for customers and saved cards: authenticate, call one service function, return rows.
// Customers and saved cards use the payments scopes (a saved card exists to pay).
import { Arg, Args, ArgsType, Authorized, Ctx, Field, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import { ConnectionArgs } from "../platform/graphql/common.types.js";
import { GraphQLJSONObject } from "graphql-scalars";
import type { Customer, PaymentMethod } from "../generated/prisma/client.js";
import { merchantCtx, type GqlContext } from "../app/graphql-context.js";
import { pageOfList, type Page } from "../platform/pagination.js";
import { CardSummary } from "../vault/card.type.js";
import { getCustomer, listCustomers } from "./customer.data.js";
import { customerLoaders } from "./customer.loaders.js";
import { createCustomer, deleteCustomer, updateCustomer } from "./customers.js";
import { attachPaymentMethod, createPaymentMethod, detachPaymentMethod } from "./payment-methods.js";
import {
  AttachPaymentMethodInput, AttachPaymentMethodPayload, CreateCustomerInput, CreateCustomerPayload, CreatePaymentMethodInput,
  CreatePaymentMethodPayload, CustomerConnection, CustomerFilterInput, CustomerType, DeleteCustomerInput, DeleteCustomerPayload,
  DetachPaymentMethodInput, DetachPaymentMethodPayload, PaymentMethodConnection, PaymentMethodType, UpdateCustomerInput, UpdateCustomerPayload,
} from "./customer.type.js";

@ArgsType()
class CustomersArgs extends ConnectionArgs {
  @Field(() => CustomerFilterInput, { nullable: true }) filter?: CustomerFilterInput | null;
}

@Resolver(() => CustomerType)
export class CustomerResolver {
  @Authorized("payments:read")
  @Query(() => CustomerType)
  async customer(@Arg("id", () => ID) id: string, @Ctx() context: GqlContext): Promise<Customer> {
    return getCustomer(context.app.db, merchantCtx(context).merchantId, id);
  }

  @Authorized("payments:read")
  @Query(() => CustomerConnection, { description: "Newest first; deleted customers are left out" })
  async customers(@Args() args: CustomersArgs, @Ctx() context: GqlContext): Promise<Page<Customer>> {
    return listCustomers(context.app.db, merchantCtx(context).merchantId, args);
  }

  @Authorized("payments:write")
  @Mutation(() => CreateCustomerPayload)
  async createCustomer(@Arg("input") input: CreateCustomerInput, @Ctx() context: GqlContext): Promise<{ customer: Customer }> {
    return { customer: await createCustomer(merchantCtx(context), input) };
  }

  @Authorized("payments:write")
  @Mutation(() => UpdateCustomerPayload)
  async updateCustomer(@Arg("input") input: UpdateCustomerInput, @Ctx() context: GqlContext): Promise<{ customer: Customer }> {
    return { customer: await updateCustomer(merchantCtx(context), input) };
  }

  @Authorized("payments:write")
  @Mutation(() => DeleteCustomerPayload, { description: "Soft delete: the customer answers NOT_FOUND afterwards and its cards are detached" })
  async deleteCustomer(@Arg("input") input: DeleteCustomerInput, @Ctx() context: GqlContext): Promise<DeleteCustomerPayload> {
    const { id, detachedPaymentMethodIds } = await deleteCustomer(merchantCtx(context), input.id);
    return { deletedCustomerId: id, detachedPaymentMethodIds };
  }

  @FieldResolver(() => GraphQLJSONObject)
  metadata(@Root() c: Customer): object {
    return (c.metadata ?? {}) as object;
  }

  @FieldResolver(() => PaymentMethodConnection, { description: "Saved cards attached to this customer, oldest first (at most 100)" })
  async paymentMethods(@Root() c: Customer, @Args() args: ConnectionArgs, @Ctx() context: GqlContext): Promise<Page<PaymentMethod>> {
    return pageOfList(await customerLoaders(context).savedCards.load(c.id), args, "oldestFirst");
  }
}

@Resolver(() => PaymentMethodType)
export class PaymentMethodResolver {
  @Authorized("payments:write")
  @Mutation(() => CreatePaymentMethodPayload, { description: "Vaults a card (or consumes a token) as a reusable payment method" })
  async createPaymentMethod(@Arg("input") input: CreatePaymentMethodInput, @Ctx() context: GqlContext): Promise<{ paymentMethod: PaymentMethod }> {
    return { paymentMethod: (await createPaymentMethod(merchantCtx(context), input)).method };
  }

  @Authorized("payments:write")
  @Mutation(() => AttachPaymentMethodPayload)
  async attachPaymentMethod(@Arg("input") input: AttachPaymentMethodInput, @Ctx() context: GqlContext): Promise<{ paymentMethod: PaymentMethod }> {
    return { paymentMethod: await attachPaymentMethod(merchantCtx(context), input) };
  }

  @Authorized("payments:write")
  @Mutation(() => DetachPaymentMethodPayload, { description: "Final: a detached card can never pay again" })
  async detachPaymentMethod(@Arg("input") input: DetachPaymentMethodInput, @Ctx() context: GqlContext): Promise<{ paymentMethod: PaymentMethod }> {
    return { paymentMethod: await detachPaymentMethod(merchantCtx(context), input) };
  }

  @FieldResolver(() => CardSummary)
  card(@Root() m: PaymentMethod): CardSummary {
    return m;
  }

  @FieldResolver(() => CustomerType, { nullable: true, description: "The customer it is attached to (null: unattached or detached)" })
  async customer(@Root() m: PaymentMethod, @Ctx() context: GqlContext): Promise<Customer | null> {
    const loaders = customerLoaders(context);
    const saved = await loaders.saved.load(m.id);
    return saved?.customerId && !saved.detachedAt ? loaders.customers.load(saved.customerId) : null;
  }
}
