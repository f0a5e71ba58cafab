// GraphQL shape of API keys. The secret appears once, in the payload of the mutation that made it.
import { NodeInterface, connectionOf } from "../platform/graphql/common.types.js";
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import { GraphQLDateTime } from "graphql-scalars";
import { ApiKeyKind } from "../generated/prisma/enums.js";

registerEnumType(ApiKeyKind, {
  name: "ApiKeyKind",
  description: "SECRET (sk_): server side, every scope. PUBLISHABLE (pk_): client-side tokenization only. RESTRICTED (rk_): only its scopes",
});

@ObjectType("ApiKey", { implements: NodeInterface, description: "An API key; its secret is never returned after creation" })
export class ApiKeyType {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field(() => ApiKeyKind) kind!: ApiKeyKind;
  @Field(() => [String], { description: "In effect: every scope for SECRET, none for PUBLISHABLE" }) scopes!: string[];
  @Field({ description: "The secret's last 4 characters, to tell keys apart" }) last4!: string;
  @Field(() => [String], { description: "PUBLISHABLE keys: the origins whose pages may embed paygraph.js's card form" }) allowedOrigins!: string[];
  @Field(() => Int, { nullable: true, description: "This key's own requests per second (0: unlimited); null: the server's default (RATE_LIMIT_PER_SECOND)" }) rateLimitPerSecond!: number | null;
  @Field(() => GraphQLDateTime) createdAt!: Date;
  @Field(() => GraphQLDateTime, { nullable: true, description: "Set on a rolled key: refused from then on" }) expiresAt!: Date | null;
  @Field(() => GraphQLDateTime, { nullable: true }) revokedAt!: Date | null;
}

export const ApiKeyConnection = connectionOf(ApiKeyType, "ApiKey");

@InputType()
export class CreateApiKeyInput {
  @Field() name!: string;
  @Field(() => ApiKeyKind) kind!: ApiKeyKind;
  @Field(() => [String], { nullable: true, description: "RESTRICTED keys only: e.g. payments:read, payments:write, refunds:write, analytics:read, admin" })
  scopes?: string[] | null;
  @Field(() => [String], { nullable: true, description: "PUBLISHABLE keys only: the origins (https://shop.example) whose pages may embed paygraph.js's card form" })
  allowedOrigins?: string[] | null;
}

@InputType()
export class RollApiKeyInput {
  @Field(() => ID) id!: string;
  @Field(() => Int, { description: "How long the old key keeps working, 0 to 604800 (7 days); 0 revokes it now" }) gracePeriodSeconds!: number;
}

@InputType()
export class RevokeApiKeyInput {
  @Field(() => ID) id!: string;
}

@InputType()
export class SetApiKeyRateLimitInput {
  @Field(() => ID) id!: string;
  @Field(() => Int, { nullable: true, description: "Requests per second, 0 (unlimited) to 1000000; null: the server's default" }) rateLimitPerSecond!: number | null;
}

@ObjectType()
export class ApiKeyWithSecretPayload {
  @Field(() => ApiKeyType) apiKey!: ApiKeyType;
  @Field({ description: "Shown once: only its hash is stored" }) secret!: string;
}

@ObjectType() export class RevokeApiKeyPayload { @Field(() => ApiKeyType) apiKey!: ApiKeyType }
@ObjectType() export class SetApiKeyRateLimitPayload { @Field(() => ApiKeyType) apiKey!: ApiKeyType }
