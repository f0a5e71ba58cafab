// Thin adapters over clients.ts. Managing OAuth clients needs the `admin` scope, as API keys do.
import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from "type-graphql";
import { merchantCtx, type GqlContext } from "../../app/graphql-context.js";
import { createOAuthClient, listOAuthClients, revokeOAuthClient, type OAuthClientRow } from "./clients.js";
import { CreateOAuthClientInput, CreateOAuthClientPayload, OAuthClientType, RevokeOAuthClientInput, RevokeOAuthClientPayload } from "./oauth-client.type.js";

/** The row as GraphQL shows it: never the hash. */
const view = (row: OAuthClientRow): OAuthClientType => ({ id: row.id, name: row.name, scopes: row.scopes, last4: row.last4, createdAt: row.createdAt, revokedAt: row.revokedAt });

@Resolver(() => OAuthClientType)
export class OAuthClientResolver {
  @Authorized("admin")
  @Query(() => [OAuthClientType], { description: "OAuth clients not revoked, newest first" })
  async oauthClients(@Ctx() context: GqlContext): Promise<OAuthClientType[]> {
    return (await listOAuthClients(merchantCtx(context))).map(view);
  }

  @Authorized("admin")
  @Mutation(() => CreateOAuthClientPayload, { description: "The client secret is in this answer only" })
  async createOAuthClient(@Arg("input") input: CreateOAuthClientInput, @Ctx() context: GqlContext): Promise<CreateOAuthClientPayload> {
    const { client, clientSecret } = await createOAuthClient(merchantCtx(context), input);
    return { client: view(client), clientSecret };
  }

  @Authorized("admin")
  @Mutation(() => RevokeOAuthClientPayload, { description: "No new tokens, and its live tokens are refused by every api process" })
  async revokeOAuthClient(@Arg("input") input: RevokeOAuthClientInput, @Ctx() context: GqlContext): Promise<RevokeOAuthClientPayload> {
    return { client: view(await revokeOAuthClient(merchantCtx(context), input.id)) };
  }
}
