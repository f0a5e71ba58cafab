// Thin adapters over risk-settings.ts and risk-lists.ts. Reading the rules and lists needs
// risk:read; changing them risk:write (OWNER, ADMIN, DEVELOPER); reporting fraud risk:write or
// risk:review (the people who review payments may say one was fraud).
import { Arg, Args, ArgsType, Authorized, Ctx, Field, Int, Mutation, ObjectType, Query, Resolver } from "type-graphql";
import type { Payment } from "../generated/prisma/client.js";
import { RiskList } from "../generated/prisma/enums.js";
import { merchantCtx, type GqlContext } from "../app/graphql-context.js";
import { MoneyType, ConnectionArgs } from "../platform/graphql/common.types.js";
import type { Page } from "../platform/pagination.js";
import { PaymentType } from "../payments/payment.type.js";
import { RULE_VARIABLES } from "./language.js";
import { addRiskListEntry, listRiskListEntries, removeRiskListEntry, reportFraud, type RiskListEntry } from "./risk-lists.js";
import { getRiskSettings, setRiskRules, type LoadedRiskSettings } from "./risk-settings.js";
import {
  AddRiskListEntryInput, RemoveRiskListEntryInput, ReportFraudInput, RiskListEntryConnection, RiskListEntryPayload, RiskListEntryType, RiskSettingsType,
  SetRiskRulesInput, SetRiskRulesPayload,
} from "./risk.type.js";

@ArgsType()
class RiskListEntriesArgs extends ConnectionArgs {
  @Field(() => RiskList, { nullable: true }) list?: RiskList | null;
}

@ObjectType("ReportFraudPayload")
class ReportFraudPayload {
  @Field(() => PaymentType) payment!: PaymentType;
  @Field(() => [RiskListEntryType], { description: "The block list entries it made: the card, and the shopper's email when given" }) blocked!: RiskListEntryType[];
}

const VARIABLES = Object.entries(RULE_VARIABLES).map(([name, [type, description]]) => ({ name, type, description }));

const settingsType = (s: LoadedRiskSettings): RiskSettingsType => ({
  version: s.version, rules: s.rules as RiskSettingsType["rules"], thresholds: s.thresholds,
  largeAmounts: s.largeAmounts.map((a) => MoneyType.of(a.amountMinor, a.currency)), variables: VARIABLES,
});

@Resolver()
export class RiskResolver {
  @Authorized("risk:read")
  @Query(() => RiskSettingsType, { description: "The merchant's risk rules, thresholds and large amounts, and the variables a rule may read" })
  async riskRules(@Ctx() context: GqlContext): Promise<RiskSettingsType> {
    return settingsType(await getRiskSettings(merchantCtx(context)));
  }

  @Authorized("risk:write")
  @Mutation(() => SetRiskRulesPayload, { description: "Replaces the merchant's risk rules (each checked on save, never run as code); the next confirmation uses them" })
  async setRiskRules(@Arg("input") input: SetRiskRulesInput, @Ctx() context: GqlContext): Promise<SetRiskRulesPayload> {
    return { riskSettings: settingsType(await setRiskRules(merchantCtx(context), input)) };
  }

  @Authorized("risk:read")
  @Query(() => RiskListEntryConnection, { description: "The allow and block lists, newest first" })
  async riskListEntries(@Args() args: RiskListEntriesArgs, @Ctx() context: GqlContext): Promise<Page<RiskListEntry>> {
    return listRiskListEntries(merchantCtx(context), args);
  }

  @Authorized("risk:write")
  @Mutation(() => RiskListEntryPayload, { description: "Puts a card, email, IP address or customer on the allow or block list (moving it from the other)" })
  async addRiskListEntry(@Arg("input") input: AddRiskListEntryInput, @Ctx() context: GqlContext): Promise<{ riskListEntry: RiskListEntry }> {
    return { riskListEntry: await addRiskListEntry(merchantCtx(context), input) };
  }

  @Authorized("risk:write")
  @Mutation(() => RiskListEntryPayload)
  async removeRiskListEntry(@Arg("input") input: RemoveRiskListEntryInput, @Ctx() context: GqlContext): Promise<{ riskListEntry: RiskListEntry }> {
    return { riskListEntry: await removeRiskListEntry(merchantCtx(context), input.id) };
  }

  @Authorized("risk:write|risk:review")
  @Mutation(() => ReportFraudPayload, { description: "Says a payment was fraud: kept for the model's next training; its card and email go on the block list. Refunds nothing" })
  async reportFraud(@Arg("input") input: ReportFraudInput, @Ctx() context: GqlContext): Promise<{ payment: Payment; blocked: RiskListEntry[] }> {
    return reportFraud(merchantCtx(context), input);
  }
}
