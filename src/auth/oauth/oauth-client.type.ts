// GraphQL shape of OAuth clients. The secret appears once, in createOAuthClient's payload.
import { NodeInterface, connectionOf } from "../../platform/graphql/common.types.js";
import { Field, ID, InputType, ObjectType } from "type-graphql";
import { GraphQLDateTime } from "graphql-scalars";

@ObjectType("OAuthClient", { implements: NodeInterface, description: "An OAuth 2.0 client (client credentials grant); its secret is never returned after creation" })
export class OAuthClientType {
  @Field(() => ID, { description: "The OAuth client_id (`oac_…`)" }) id!: string;
  @Field() name!: string;
  @Field(() => [String], { description: "The most its access tokens may carry; a token request may narrow them" }) scopes!: string[];
  @Field({ description: "The secret's last 4 characters, to tell secrets apart" }) last4!: string;
  @Field(() => GraphQLDateTime) createdAt!: Date;
  @Field(() => GraphQLDateTime, { nullable: true }) revokedAt!: Date | null;
}

export const OAuthClientConnection = connectionOf(OAuthClientType, "OAuthClient");

@InputType()
export class CreateOAuthClientInput {
  @Field() name!: string;
  @Field(() => [String], { description: "A subset of the API key scopes: payments:read, payments:write, refunds:read, refunds:write, analytics:read, webhooks:read, webhooks:write, alerts:read, alerts:write, admin" })
  scopes!: string[];
}

@InputType()
export class RevokeOAuthClientInput {
  @Field(() => ID) id!: string;
}

@ObjectType()
export class CreateOAuthClientPayload {
  @Field(() => OAuthClientType) client!: OAuthClientType;
  @Field({ description: "Shown once: only its hash is stored" }) clientSecret!: string;
}

@ObjectType() export class RevokeOAuthClientPayload { @Field(() => OAuthClientType) client!: OAuthClientType }
