// Thin adapters over api-keys.ts. Managing keys needs the `admin` scope (a SECRET key has it).
import { Arg, Args, Authorized, Ctx, Mutation, Query, Resolver } from "type-graphql";
import { merchantCtx, type GqlContext } from "../app/graphql-context.js";
import { ConnectionArgs } from "../platform/graphql/common.types.js";
import { mapPage, type Page } from "../platform/pagination.js";
import { createApiKey, effectiveScopes, listApiKeys, revokeApiKey, rollApiKey, setApiKeyRateLimit, type ApiKeyRow } from "./api-keys.js";
import { ApiKeyConnection, ApiKeyType, ApiKeyWithSecretPayload, CreateApiKeyInput, RevokeApiKeyInput, RevokeApiKeyPayload, RollApiKeyInput, SetApiKeyRateLimitInput, SetApiKeyRateLimitPayload } from "./api-key.type.js";

/** The row as GraphQL shows it: effective scopes, never the hash. */
export const apiKeyView = (row: ApiKeyRow): ApiKeyType => ({
  id: row.id, name: row.name, kind: row.kind, scopes: effectiveScopes(row.kind, row.scopes), last4: row.last4, allowedOrigins: row.allowedOrigins, rateLimitPerSecond: row.rateLimitPerSecond,
  createdAt: row.createdAt, expiresAt: row.expiresAt, revokedAt: row.revokedAt,
});

@Resolver(() => ApiKeyType)
export class ApiKeyResolver {
  @Authorized("admin")
  @Query(() => ApiKeyConnection, { description: "Keys in use (not revoked, not past a roll's grace), newest first" })
  async apiKeys(@Args() args: ConnectionArgs, @Ctx() context: GqlContext): Promise<Page<ApiKeyType>> {
    return mapPage(await listApiKeys(merchantCtx(context), args), apiKeyView);
  }

  @Authorized("admin")
  @Mutation(() => ApiKeyWithSecretPayload, { description: "The secret is in this answer only" })
  async createApiKey(@Arg("input") input: CreateApiKeyInput, @Ctx() context: GqlContext): Promise<ApiKeyWithSecretPayload> {
    const { apiKey, secret } = await createApiKey(merchantCtx(context), input);
    return { apiKey: apiKeyView(apiKey), secret };
  }

  @Authorized("admin")
  @Mutation(() => ApiKeyWithSecretPayload, { description: "A new key with the same kind and scopes; the old one works until the grace period ends" })
  async rollApiKey(@Arg("input") input: RollApiKeyInput, @Ctx() context: GqlContext): Promise<ApiKeyWithSecretPayload> {
    const { apiKey, secret } = await rollApiKey(merchantCtx(context), input);
    return { apiKey: apiKeyView(apiKey), secret };
  }

  @Authorized("admin")
  @Mutation(() => RevokeApiKeyPayload, { description: "Refused at once, by every api process" })
  async revokeApiKey(@Arg("input") input: RevokeApiKeyInput, @Ctx() context: GqlContext): Promise<RevokeApiKeyPayload> {
    return { apiKey: apiKeyView(await revokeApiKey(merchantCtx(context), input.id)) };
  }

  @Authorized("admin")
  @Mutation(() => SetApiKeyRateLimitPayload, { description: "The key's own rate limit, effective at once on every api process" })
  async setApiKeyRateLimit(@Arg("input") input: SetApiKeyRateLimitInput, @Ctx() context: GqlContext): Promise<SetApiKeyRateLimitPayload> {
    return { apiKey: apiKeyView(await setApiKeyRateLimit(merchantCtx(context), input)) };
  }
}
