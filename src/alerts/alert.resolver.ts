// Thin adapters over alert-rules.ts and incidents.ts. Reading rules and alerts needs alerts:read,
// changing rules alerts:write; QUEUE_AGE_ABOVE rules are for platform administrators only.
import { Arg, Args, ArgsType, Authorized, Ctx, Field, ID, Int, Mutation, Query, Resolver, Root, Subscription } from "type-graphql";
import { ConnectionArgs } from "../platform/graphql/common.types.js";
import type { AlertNotification } from "../generated/prisma/client.js";
import { AlertState } from "../generated/prisma/enums.js";
import { merchantCtx, type GqlContext } from "../app/graphql-context.js";
import { notFound } from "../platform/errors.js";
import { mapPage, type Page } from "../platform/pagination.js";
import { createAlertRule, deleteAlertRule, getAlertRule, listAlertRules, ruleView } from "./alert-rules.js";
import { alertChannel, listAlerts, type Alert, type AlertResource } from "./incidents.js";
import { AlertConnection, AlertRuleConnection, AlertRulePayload, AlertRuleType, AlertType, CreateAlertRuleInput, DeleteAlertRuleInput } from "./alert.type.js";
import type { AlertChannelKind } from "./channels.js";

@ArgsType()
class AlertsArgs extends ConnectionArgs {
  @Field(() => AlertState, { nullable: true }) state?: AlertState | null;
}

const notificationType = (n: AlertNotification) => ({ ...n, channelKind: n.channelKind as AlertChannelKind });

export const alertView = (a: Alert & { notifications: AlertNotification[] }): AlertType => ({
  ...a, value: a.lastValue, firedAt: a.createdAt, notifications: a.notifications.map(notificationType),
});

@Resolver()
export class AlertResolver {
  @Authorized("alerts:read")
  @Query(() => AlertRuleConnection, { description: "Newest first" })
  async alertRules(@Args() args: ConnectionArgs, @Ctx() context: GqlContext): Promise<Page<AlertRuleType>> {
    return mapPage(await listAlertRules(merchantCtx(context), args), ruleView);
  }

  @Authorized("alerts:write")
  @Mutation(() => AlertRulePayload, { description: "Evaluated by the worker every ALERT_EVALUATE_EVERY_MS from now on" })
  async createAlertRule(@Arg("input") input: CreateAlertRuleInput, @Ctx() context: GqlContext): Promise<AlertRulePayload> {
    return { alertRule: ruleView(await createAlertRule(merchantCtx(context), input)) };
  }

  @Authorized("alerts:write")
  @Mutation(() => AlertRulePayload, { description: "Deletes the rule; its firing alerts resolve at once, without notices" })
  async deleteAlertRule(@Arg("input") input: DeleteAlertRuleInput, @Ctx() context: GqlContext): Promise<AlertRulePayload> {
    return { alertRule: ruleView(await deleteAlertRule(merchantCtx(context), input.id)) };
  }

  @Authorized("alerts:read")
  @Query(() => AlertConnection, { description: "Newest first (by when they fired)" })
  async alerts(@Args() args: AlertsArgs, @Ctx() context: GqlContext): Promise<Page<AlertType>> {
    return mapPage(await listAlerts(context.app, merchantCtx(context).merchantId, args), alertView);
  }

  @Authorized("alerts:read")
  @Query(() => AlertType)
  async alert(@Arg("id", () => ID) id: string, @Ctx() context: GqlContext): Promise<AlertType> {
    const found = await context.app.db.alert.findFirst({
      where: { id, merchantId: merchantCtx(context).merchantId },
      include: { notifications: { orderBy: [{ createdAt: "asc" }, { channel: "asc" }] } },
    });
    if (!found) throw notFound("alert", id);
    return alertView(found);
  }

  @Authorized("alerts:read")
  @Subscription(() => AlertType, {
    description: "Every alert of the merchant's (or of one rule) as it fires or resolves",
    subscribe: async ({ args, context }) => {
      const ctx = merchantCtx(context as GqlContext);
      const ruleId = (args as { ruleId?: string | null }).ruleId ?? undefined;
      if (ruleId) await getAlertRule(ctx, ruleId); // NOT_FOUND at once, not silence
      return ctx.app.pubsub.subscribe<AlertResource>(
        alertChannel(ctx.app.config.redisPrefix, ctx.merchantId),
        undefined,
        ruleId ? { key: ruleId, of: (m) => m.ruleId ?? "" } : undefined,
      );
    },
  })
  async alertUpdated(
    @Root() message: AlertResource,
    @Ctx() context: GqlContext,
    @Arg("ruleId", () => ID, { nullable: true }) _ruleId?: string,
  ): Promise<AlertType> {
    // The alert as the transition left it; its notices as they stand now.
    const notifications = await context.app.db.alertNotification.findMany({ where: { alertId: message.id }, orderBy: [{ createdAt: "asc" }, { channel: "asc" }] });
    return {
      ...message,
      firedAt: new Date(message.firedAt),
      resolvedAt: message.resolvedAt ? new Date(message.resolvedAt) : null,
      notifications: notifications.map(notificationType),
    };
  }
}
