// analytics(input): thin adapter over the service.
import { Arg, Authorized, Ctx, Query, Resolver } from "type-graphql";
import { merchantCtx, type GqlContext } from "../app/graphql-context.js";
import { getAnalytics } from "./analytics.service.js";
import { AnalyticsInput, AnalyticsType } from "./analytics.type.js";
import { analyticsView } from "./analytics.view.js";

@Resolver()
export class AnalyticsResolver {
  @Authorized("analytics:read")
  @Query(() => AnalyticsType, { description: "Payment figures per time bucket (see each field); exact, read from PostgreSQL" })
  async analytics(@Arg("input", () => AnalyticsInput) input: AnalyticsInput, @Ctx() context: GqlContext): Promise<AnalyticsType> {
    return analyticsView(await getAnalytics(merchantCtx(context), input));
  }
}
