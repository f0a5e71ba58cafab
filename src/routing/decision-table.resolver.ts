// GraphQL for the outcome table: read what each gateway error will do, override it per merchant.
import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from "type-graphql";
import { GatewayKind } from "../generated/prisma/enums.js";
import { merchantCtx, type GqlContext } from "../app/graphql-context.js";
import { decisionTable, setDecisionOverrides, type TableRule } from "./decision-table.js";
import { DecisionSource, GatewayDecisionRule, SetGatewayDecisionOverridesInput, SetGatewayDecisionOverridesPayload } from "./decision.types.js";

const shape = (rules: TableRule[]): GatewayDecisionRule[] =>
  rules.map((r) => ({ code: r.code, declineCode: r.declineCode ?? null, messageContains: r.messageContains ?? null, decision: r.decision, description: r.description ?? null, source: r.source as DecisionSource }));

@Resolver()
export class GatewayDecisionResolver {
  @Authorized("admin")
  @Query(() => [GatewayDecisionRule], { description: "The outcome table in force for a gateway kind: your overrides first, then the connector's defaults" })
  async gatewayDecisions(@Arg("kind", () => GatewayKind) kind: GatewayKind, @Ctx() context: GqlContext): Promise<GatewayDecisionRule[]> {
    const ctx = merchantCtx(context);
    return shape(await decisionTable(ctx.app.db, ctx.merchantId, kind));
  }

  @Authorized("admin")
  @Mutation(() => SetGatewayDecisionOverridesPayload, { description: "Replaces your overrides of a gateway kind's outcome table; returns the table in force" })
  async setGatewayDecisionOverrides(@Arg("input") input: SetGatewayDecisionOverridesInput, @Ctx() context: GqlContext): Promise<SetGatewayDecisionOverridesPayload> {
    return { rules: shape(await setDecisionOverrides(merchantCtx(context), input.kind, input.rules)) };
  }
}
