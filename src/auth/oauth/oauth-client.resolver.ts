// Thin adapters over clients.ts. Managing OAuth clients needs the `admin` scope, as API keys do.
import { Arg, Args, Authorized, Ctx, Mutation, Query, Resolver } from "type-graphql";
import { merchantCtx, type GqlContext } from "../../app/graphql-context.js";
import { ConnectionArgs } from "../../platform/graphql/common.types.js";
import { mapPage, type Page } from "../../platform/pagination.js";
import { createOAuthClient, listOAuthClients, revokeOAuthClient, type OAuthClientRow } from "./clients.js";
import { CreateOAuthClientInput, CreateOAuthClientPayload, OAuthClientConnection, OAuthClientType, RevokeOAuthClientInput, RevokeOAuthClientPayload } from "./oauth-client.type.js";

/** The row as GraphQL shows it: never the hash. */
export const oauthClientView = (row: OAuthClientRow): OAuthClientType => ({ id: row.id, name: row.name, scopes: row.scopes, last4: row.last4, createdAt: row.createdAt, revokedAt: row.revokedAt });

@Resolver(() => OAuthClientType)
export class OAuthClientResolver {
  @Authorized("admin")
  @Query(() => OAuthClientConnection, { description: "OAuth clients not revoked, newest first" })
  async oauthClients(@Args() args: ConnectionArgs, @Ctx() context: GqlContext): Promise<Page<OAuthClientType>> {
    return mapPage(await listOAuthClients(merchantCtx(context), args), oauthClientView);
  }

  @Authorized("admin")
  @Mutation(() => CreateOAuthClientPayload, { description: "The client secret is in this answer only" })
  async createOAuthClient(@Arg("input") input: CreateOAuthClientInput, @Ctx() context: GqlContext): Promise<CreateOAuthClientPayload> {
    const { client, clientSecret } = await createOAuthClient(merchantCtx(context), input);
    return { client: oauthClientView(client), clientSecret };
  }

  @Authorized("admin")
  @Mutation(() => RevokeOAuthClientPayload, { description: "No new tokens, and its live tokens are refused by every api process" })
  async revokeOAuthClient(@Arg("input") input: RevokeOAuthClientInput, @Ctx() context: GqlContext): Promise<RevokeOAuthClientPayload> {
    return { client: oauthClientView(await revokeOAuthClient(merchantCtx(context), input.id)) };
  }
}
