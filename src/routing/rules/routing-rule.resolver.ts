// Thin adapters over routing-rules.ts.
import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from "type-graphql";
import { merchantCtx, type GqlContext } from "../../app/graphql-context.js";
import { getRoutingRules, setRoutingRules, type RulesWithAccounts } from "./routing-rules.js";
import { RoutingRuleType, SetRoutingRulesInput, SetRoutingRulesPayload } from "./routing-rule.type.js";

const shown = ({ rules, accounts }: RulesWithAccounts): RoutingRuleType[] => rules.map((r) => RoutingRuleType.of(r, accounts));

@Resolver(() => RoutingRuleType)
export class RoutingRuleResolver {
  @Authorized("admin")
  @Query(() => [RoutingRuleType], { description: "The merchant's routing rules, in the order they are tried" })
  async routingRules(@Ctx() context: GqlContext): Promise<RoutingRuleType[]> {
    return shown(await getRoutingRules(merchantCtx(context)));
  }

  @Authorized("admin")
  @Mutation(() => SetRoutingRulesPayload, { description: "Replaces all routing rules (an empty list clears them); the first rule whose conditions hold decides" })
  async setRoutingRules(@Arg("input") input: SetRoutingRulesInput, @Ctx() context: GqlContext): Promise<SetRoutingRulesPayload> {
    return { rules: shown(await setRoutingRules(merchantCtx(context), input.rules)) };
  }
}
