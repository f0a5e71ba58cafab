// GraphQL for gateway health: `gateways` answers per account how it has done lately.
import { Arg, Authorized, Ctx, Field, Float, Int, ObjectType, Query, Resolver, registerEnumType } from "type-graphql";
import { GraphQLDateTime } from "graphql-scalars";
import { merchantCtx, type GqlContext } from "../app/graphql-context.js";
import { GatewayAccountType } from "../gateways/accounts/gateway-account.type.js";
import { gatewayHealth, type GatewayHealth } from "./gateway-health.js";

enum CircuitStateEnum { CLOSED = "CLOSED", OPEN = "OPEN", HALF_OPEN = "HALF_OPEN" }
registerEnumType(CircuitStateEnum, {
  name: "CircuitState",
  valuesConfig: {
    CLOSED: { description: "Calls go through" },
    OPEN: { description: "Repeated calls got no usable answer: new payments skip this gateway for a while" },
    HALF_OPEN: { description: "The pause is over: the next call is a probe that closes or re-opens it" },
  },
});

@ObjectType("CircuitBreaker")
class CircuitBreakerType {
  @Field(() => CircuitStateEnum) state!: CircuitStateEnum;
  @Field(() => Int, { description: "Calls in a row that got no usable answer (timeouts, 5xx, refused connections)" }) consecutiveFailures!: number;
  @Field(() => GraphQLDateTime, { nullable: true }) openedAt!: Date | null;
}

@ObjectType("GatewayHealth", { description: "One gateway account's recent record" })
class GatewayHealthType {
  @Field(() => GatewayAccountType) account!: GatewayAccountType;
  @Field(() => Int) windowMinutes!: number;
  @Field(() => Int, { description: "Attempts routed to it in the window" }) attempts!: number;
  @Field(() => Int) succeeded!: number;
  @Field(() => Int, { description: "Declined, or failed without a charge (each carries its errorCode and decision)" }) failed!: number;
  @Field(() => Int) pending!: number;
  @Field(() => Float, { nullable: true, description: "succeeded / (succeeded + failed), 0 to 1; null before any attempt finished" }) successRate!: number | null;
  @Field(() => Int, { description: "Gateway calls in the routing window (ROUTING_WINDOW_MS), retries included" }) calls!: number;
  @Field(() => Float, { nullable: true, description: "Share of those calls approved, 0 to 1 (a retried 503 counts as a failed call): what the route planner ranks by" }) callSuccessRate!: number | null;
  @Field(() => Int, { nullable: true, description: "Median gateway round trip of the window's attempts, in ms" }) p50LatencyMs!: number | null;
  @Field(() => Int, { nullable: true }) p95LatencyMs!: number | null;
  @Field(() => CircuitBreakerType) circuit!: CircuitBreakerType;
}

@Resolver()
export class GatewayHealthResolver {
  @Authorized("analytics:read")
  @Query(() => [GatewayHealthType], { description: "Per gateway account: success rate, latency percentiles, attempt counts over the window, and its circuit breaker" })
  async gateways(@Arg("windowMinutes", () => Int, { defaultValue: 15 }) windowMinutes: number, @Ctx() context: GqlContext): Promise<GatewayHealth[]> {
    return gatewayHealth(merchantCtx(context), windowMinutes);
  }
}
