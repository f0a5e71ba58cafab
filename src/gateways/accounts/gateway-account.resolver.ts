// Thin adapters over gateway-accounts.ts.
import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from "type-graphql";
import type { GatewayAccount } from "../../generated/prisma/client.js";
import { merchantCtx, type GqlContext } from "../../app/graphql-context.js";
import { createGatewayAccount, listGatewayAccounts, updateGatewayAccount } from "./gateway-accounts.js";
import {
  CreateGatewayAccountInput, CreateGatewayAccountPayload, DisableGatewayAccountInput, DisableGatewayAccountPayload,
  GatewayAccountType, UpdateGatewayAccountInput, UpdateGatewayAccountPayload,
} from "./gateway-account.type.js";

@Resolver(() => GatewayAccountType)
export class GatewayAccountResolver {
  @Authorized("admin")
  @Query(() => [GatewayAccountType], { description: "In routing order: priority, then age" })
  async gatewayAccounts(@Ctx() context: GqlContext): Promise<GatewayAccount[]> {
    return listGatewayAccounts(context.app.db, merchantCtx(context).merchantId);
  }

  @Authorized("admin")
  @Mutation(() => CreateGatewayAccountPayload)
  async createGatewayAccount(@Arg("input") input: CreateGatewayAccountInput, @Ctx() context: GqlContext): Promise<{ gatewayAccount: GatewayAccount }> {
    return { gatewayAccount: await createGatewayAccount(merchantCtx(context), input) };
  }

  @Authorized("admin")
  @Mutation(() => UpdateGatewayAccountPayload)
  async updateGatewayAccount(@Arg("input") input: UpdateGatewayAccountInput, @Ctx() context: GqlContext): Promise<{ gatewayAccount: GatewayAccount }> {
    const { id, ...changes } = input;
    return { gatewayAccount: await updateGatewayAccount(merchantCtx(context), id, changes) };
  }

  @Authorized("admin")
  @Mutation(() => DisableGatewayAccountPayload, { description: "New payments stop going to it; what it authorized is still captured and refunded there" })
  async disableGatewayAccount(@Arg("input") input: DisableGatewayAccountInput, @Ctx() context: GqlContext): Promise<{ gatewayAccount: GatewayAccount }> {
    return { gatewayAccount: await updateGatewayAccount(merchantCtx(context), input.id, { enabled: false }) };
  }
}
