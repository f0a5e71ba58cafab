// GraphQL shape of gateway accounts. `config` goes in, never comes out.
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import { GraphQLDateTime, GraphQLJSONObject } from "graphql-scalars";
import { GatewayKind } from "../../generated/prisma/enums.js";
import { NodeInterface } from "../../platform/graphql/common.types.js";

registerEnumType(GatewayKind, { name: "GatewayKind", description: "The connector (adapter) an account uses" });

@ObjectType("GatewayAccount", { implements: NodeInterface, description: "A connection to a payment gateway; its config (URL, credentials) is stored encrypted and never returned" })
export class GatewayAccountType extends NodeInterface {
  @Field() name!: string;
  @Field(() => GatewayKind) kind!: GatewayKind;
  @Field(() => [String], { description: "ISO codes it accepts; empty: all" }) currencies!: string[];
  @Field(() => [String], { description: "Card brands it accepts; empty: all" }) cardBrands!: string[];
  @Field(() => Int, { description: "Tie-breaker after success rate and cost: lower goes first" }) priority!: number;
  @Field(() => Int, { description: "What the gateway charges, in basis points of the amount (290 = 2.90%): the tie-breaker after success rate" }) costBps!: number;
  @Field() enabled!: boolean;
  @Field(() => GraphQLDateTime) createdAt!: Date;
  @Field(() => GraphQLDateTime) updatedAt!: Date;
}

@InputType()
export class CreateGatewayAccountInput {
  @Field() name!: string;
  @Field(() => GatewayKind) kind!: GatewayKind;
  @Field(() => GraphQLJSONObject, { description: 'SANDBOX: { "url": "http://…" }. Fixed for the life of the account: to change it, connect a new account and disable this one' })
  config!: Record<string, unknown>;
  @Field(() => [String], { nullable: true }) currencies?: string[] | null;
  @Field(() => [String], { nullable: true }) cardBrands?: string[] | null;
  @Field(() => Int, { nullable: true, defaultValue: 100 }) priority?: number | null;
  @Field(() => Int, { nullable: true, defaultValue: 0 }) costBps?: number | null;
}

@InputType()
export class UpdateGatewayAccountInput {
  @Field(() => ID) id!: string;
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => [String], { nullable: true }) currencies?: string[] | null;
  @Field(() => [String], { nullable: true }) cardBrands?: string[] | null;
  @Field(() => Int, { nullable: true }) priority?: number | null;
  @Field(() => Int, { nullable: true }) costBps?: number | null;
  @Field(() => Boolean, { nullable: true }) enabled?: boolean | null;
}

@InputType()
export class DisableGatewayAccountInput {
  @Field(() => ID) id!: string;
}

@ObjectType() export class CreateGatewayAccountPayload { @Field(() => GatewayAccountType) gatewayAccount!: GatewayAccountType }
@ObjectType() export class UpdateGatewayAccountPayload { @Field(() => GatewayAccountType) gatewayAccount!: GatewayAccountType }
@ObjectType() export class DisableGatewayAccountPayload { @Field(() => GatewayAccountType) gatewayAccount!: GatewayAccountType }
