// API keys: `sk_test_` (SECRET), `pk_test_` (PUBLISHABLE) or `rk_test_` (RESTRICTED) + 32 base62
// characters (~190 random bits), shown once, stored as a SHA-256 hash. A slow password hash buys
// nothing at this entropy and would cost every request.
import type { ApiKey } from "../generated/prisma/client.js";
import type { ApiKeyKind, ApiKeyRole } from "../generated/prisma/enums.js";
import type { Db, Tx } from "../platform/db.js";
import type { Ctx } from "../app/app.js";
import type { Config } from "../config.js";
import { AppError, ErrorCode, badInput, notFound, unauthenticated } from "../platform/errors.js";
import { hashSecret, newId, randomToken } from "../platform/ids.js";
import { webSchemeAllowed } from "../platform/web-url.js";
import type { Principal } from "../auth/principal.js";
import { recordAudit } from "../audit/audit.js";
import { assertMayGrant, assertMayManageRole } from "../auth/grants.js";
import { apiKeyView } from "../audit/views.js";
import { planPage, type Page, type PageArgs } from "../platform/pagination.js";

const KEY_PATTERN = /^(sk|pk|rk)_(test|live)_[0-9A-Za-z]{32}$/;
export const KEY_PREFIX: Record<ApiKeyKind, string> = { SECRET: "sk_test_", PUBLISHABLE: "pk_test_", RESTRICTED: "rk_test_" };

/** Every scope a key may carry; the README's table says which operation needs which. */
export const SCOPES = ["payments:read", "payments:write", "refunds:read", "refunds:write", "analytics:read", "webhooks:read", "webhooks:write", "alerts:read", "alerts:write", "risk:read", "risk:write", "admin"] as const;
export type Scope = (typeof SCOPES)[number];
export const isScope = (s: string): s is Scope => (SCOPES as readonly string[]).includes(s);

/** The scopes asked for, deduplicated; BAD_USER_INPUT (field `scopes`) naming the first unknown one. */
export function parseScopes(asked: readonly string[] | null | undefined): Scope[] {
  const scopes = [...new Set(asked ?? [])];
  const unknown = scopes.find((s) => !isScope(s));
  if (unknown !== undefined) throw badInput(`Unknown scope '${unknown.slice(0, 40)}'; known: ${SCOPES.join(", ")}`, "scopes");
  return scopes as Scope[];
}


export type { ApiKeyKind, ApiKeyRole };
export type ApiKeyRow = ApiKey;


/** The scopes a key holds in effect: a SECRET key stores none but has them all. */
export const effectiveScopes = (kind: ApiKeyKind, stored: readonly string[]): string[] =>
  kind === "SECRET" ? [...SCOPES] : kind === "PUBLISHABLE" ? [] : [...stored];

/** Creates a key; returns its row and the secret, which exists nowhere else afterwards. */
export async function insertKey(
  db: Tx,
  merchantId: string,
  data: { role?: ApiKeyRole; kind?: ApiKeyKind; scopes?: string[]; name?: string; rateLimitPerSecond?: number | null; allowedOrigins?: string[] },
): Promise<{ row: ApiKeyRow; secret: string }> {
  const kind = data.kind ?? "SECRET";
  const secret = `${KEY_PREFIX[kind]}${randomToken(32)}`;
  const row = await db.apiKey.create({
    data: { id: newId("key"), merchantId, role: data.role ?? "MERCHANT", kind, scopes: data.scopes ?? [], name: data.name ?? "", rateLimitPerSecond: data.rateLimitPerSecond ?? null, allowedOrigins: data.allowedOrigins ?? [], hash: hashSecret(secret), last4: secret.slice(-4) },
  });
  return { row, secret };
}

export async function issueSecretKey(db: Db, merchantId: string, role: ApiKeyRole = "MERCHANT"): Promise<string> {
  return (await insertKey(db, merchantId, { role })).secret;
}

/**
 * Known keys, by hash, for a short while: authentication would otherwise be one query on every
 * request (half the cost of a `payment(id)` read). Unknown keys are never cached. Revoking or
 * rolling a key publishes its hash (below) and every api process `delete`s it here; an
 * entry also carries the key's expiry, checked on every use.
 */
export class KeyCache {
  private readonly entries = new Map<string, { identity: Principal; until: number }>();
  constructor(private readonly ttlMs: number) {}

  get(hash: string, now = Date.now()): Principal | undefined {
    const hit = this.entries.get(hash);
    if (hit && hit.until > now && (hit.identity.expiresAt === null || hit.identity.expiresAt > now)) return hit.identity;
    if (hit) this.entries.delete(hash);
    return undefined;
  }

  set(hash: string, identity: Principal, now = Date.now()): void {
    if (this.ttlMs <= 0) return;
    if (this.entries.size >= 10_000) this.entries.clear(); // bounded: a full clear is cheap and rare
    this.entries.set(hash, { identity, until: now + this.ttlMs });
  }

  delete(hash: string): void {
    this.entries.delete(hash);
  }

  clear(): void {
    this.entries.clear();
  }
}

export const looksLikeApiKey = (credential: string): boolean => KEY_PATTERN.test(credential);

/** The principal an API key speaks for (scopes: all for SECRET, none for PUBLISHABLE, its own for RESTRICTED); UNAUTHENTICATED with the reason otherwise. */
export async function authenticateApiKey(db: Db, key: string, cache?: KeyCache): Promise<Principal> {
  const hash = hashSecret(key);
  const cached = cache?.get(hash);
  if (cached) return cached;
  const row = await db.apiKey.findUnique({
    where: { hash },
    select: { id: true, merchantId: true, role: true, revokedAt: true, rateLimitPerSecond: true, kind: true, scopes: true, expiresAt: true },
  });
  if (!row || row.revokedAt) throw unauthenticated("Unknown or revoked API key");
  if (row.expiresAt && row.expiresAt.getTime() <= Date.now()) throw unauthenticated("Expired API key: it was rolled and its grace period is over");
  const identity: Principal = {
    merchantId: row.merchantId, role: row.role, via: "API_KEY", credentialId: row.id, actor: `key:${row.id}`, rateLimitPerSecond: row.rateLimitPerSecond,
    keyKind: row.kind, scopes: effectiveScopes(row.kind, row.scopes), expiresAt: row.expiresAt?.getTime() ?? null,
  };
  cache?.set(hash, identity);
  return identity;
}

/** At most this many origins per publishable key. */
const MAX_ORIGINS = 20;

/**
 * A publishable key's allowed origins: `https://shop.example` (scheme, host, port; no path), or
 * `http://localhost:…` / `http://127.0.0.1:…` outside production. Each is kept as its origin.
 */
export function parseAllowedOrigins(config: Pick<Config, "env">, given: readonly string[] | null | undefined): string[] {
  if (!given) return [];
  if (given.length > MAX_ORIGINS) throw badInput(`allowedOrigins may hold at most ${MAX_ORIGINS} origins`, "allowedOrigins");
  const origins = given.map((text) => {
    let url: URL | undefined;
    try {
      url = new URL(text);
    } catch {
      url = undefined;
    }
    const bare = url && (url.pathname === "/" || url.pathname === "") && !url.search && !url.hash && !url.username && !url.password && text.length <= 255;
    if (!url || !bare || !webSchemeAllowed(config.env, url)) {
      throw badInput(`allowedOrigins: '${text.slice(0, 100)}' is not a web origin like https://shop.example (http only to localhost outside production)`, "allowedOrigins");
    }
    return url.origin;
  });
  return [...new Set(origins)];
}

/** A live publishable key's merchant and allowed origins (the card form's framing rule), or undefined. */
export async function publishableKeyOrigins(db: Db, key: string): Promise<{ merchantId: string; allowedOrigins: string[] } | undefined> {
  if (!key.startsWith(KEY_PREFIX.PUBLISHABLE)) return undefined;
  const row = await db.apiKey.findUnique({ where: { hash: hashSecret(key) }, select: { merchantId: true, kind: true, revokedAt: true, expiresAt: true, allowedOrigins: true } });
  if (!row || row.kind !== "PUBLISHABLE" || row.revokedAt || (row.expiresAt && row.expiresAt.getTime() <= Date.now())) return undefined;
  return { merchantId: row.merchantId, allowedOrigins: row.allowedOrigins };
}

// --- Management over GraphQL (needs the `admin` scope, see src/server/authorize.ts) ---

/** The Redis channel on which revoked and rolled keys' hashes go to every api process's KeyCache. */
export const keyInvalidationChannel = (redisPrefix: string): string => `${redisPrefix}:apikeys:invalidate`;
export const MAX_GRACE_SECONDS = 7 * 24 * 3600;

async function invalidate(ctx: Ctx, hash: string): Promise<void> {
  await ctx.app.pubsub.publish([{ channels: [keyInvalidationChannel(ctx.app.config.redisPrefix)], message: { hash } }]);
}

/** Keys in use (not revoked, not past their grace), newest first. */
export async function listApiKeys(ctx: Ctx, args: PageArgs): Promise<Page<ApiKeyRow>> {
  const plan = planPage(args);
  return plan.finish(await ctx.app.db.apiKey.findMany({
    where: { merchantId: ctx.merchantId, revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: new Date() } }], AND: [plan.where] },
    orderBy: plan.orderBy,
    take: plan.take,
  }));
}

export async function createApiKey(ctx: Ctx, input: { name: string; kind: ApiKeyKind; scopes?: string[] | null; allowedOrigins?: string[] | null }): Promise<{ apiKey: ApiKeyRow; secret: string }> {
  const name = input.name.trim();
  if (!name || name.length > 100) throw badInput("name must be 1 to 100 characters", "name");
  const allowedOrigins = parseAllowedOrigins(ctx.app.config, input.allowedOrigins);
  if (input.kind !== "PUBLISHABLE" && allowedOrigins.length > 0) throw badInput("allowedOrigins are for PUBLISHABLE keys (paygraph.js)", "allowedOrigins");
  const scopes = parseScopes(input.scopes);
  if (input.kind === "RESTRICTED" && scopes.length === 0) throw badInput("A RESTRICTED key needs at least one scope", "scopes");
  if (input.kind !== "RESTRICTED" && scopes.length > 0) throw badInput(`A ${input.kind} key takes no scopes (SECRET has them all, PUBLISHABLE none)`, "scopes");
  assertMayGrant(ctx, effectiveScopes(input.kind, scopes));
  // New keys are MERCHANT keys: the platform-wide ADMIN role is given from the command line only.
  return ctx.app.db.$transaction(async (tx) => {
    const { row, secret } = await insertKey(tx, ctx.merchantId, { kind: input.kind, scopes, name, allowedOrigins });
    await recordAudit(tx, ctx, { action: "api_key.created", entityType: "api_key", entityId: row.id, after: apiKeyView(row) });
    return { apiKey: row, secret };
  });
}

/** A key of the merchant's still in use, which the caller may manage (ADMIN-role keys: platform admins only). */
async function usableKey(ctx: Ctx, id: string): Promise<ApiKeyRow> {
  const key = await ctx.app.db.apiKey.findFirst({ where: { id, merchantId: ctx.merchantId, revokedAt: null } });
  if (!key || (key.expiresAt && key.expiresAt.getTime() <= Date.now())) throw notFound("API key", id);
  assertMayManageRole(ctx, key.role);
  return key;
}

/** A new key like the old one; the old one keeps working for `gracePeriodSeconds` (0: revoked now). */
export async function rollApiKey(ctx: Ctx, input: { id: string; gracePeriodSeconds: number }): Promise<{ apiKey: ApiKeyRow; secret: string }> {
  const grace = input.gracePeriodSeconds;
  if (!Number.isInteger(grace) || grace < 0 || grace > MAX_GRACE_SECONDS) throw badInput(`gracePeriodSeconds must be 0 to ${MAX_GRACE_SECONDS}`, "gracePeriodSeconds");
  const old = await usableKey(ctx, input.id);
  assertMayGrant(ctx, effectiveScopes(old.kind, old.scopes)); // the new key is as strong as the old
  const now = Date.now();
  const created = await ctx.app.db.$transaction(async (tx) => {
    const made = await insertKey(tx, ctx.merchantId, { role: old.role, kind: old.kind, scopes: old.scopes, name: old.name, rateLimitPerSecond: old.rateLimitPerSecond, allowedOrigins: old.allowedOrigins });
    const ends = grace === 0 ? { revokedAt: new Date(now) } : { expiresAt: new Date(now + grace * 1000) };
    // Conditional, so two concurrent rolls of one key cannot both succeed (the loser's new key rolls back).
    const { count } = await tx.apiKey.updateMany({ where: { id: old.id, revokedAt: null, rolledToId: null }, data: { rolledToId: made.row.id, ...ends } });
    if (count === 0) throw new AppError(ErrorCode.CONFLICT, `API key '${old.id}' was already rolled`, { id: old.id });
    const rolled = { ...old, rolledToId: made.row.id, ...ends };
    await recordAudit(tx, ctx,
      { action: "api_key.rolled", entityType: "api_key", entityId: old.id, before: apiKeyView(old), after: { ...apiKeyView(rolled), gracePeriodSeconds: grace } },
      { action: "api_key.created", entityType: "api_key", entityId: made.row.id, after: { ...apiKeyView(made.row), rolledFromId: old.id } });
    return made;
  });
  await invalidate(ctx, old.hash);
  return { apiKey: created.row, secret: created.secret };
}

export const MAX_RATE_LIMIT_PER_SECOND = 1_000_000;

/** Sets a key's own requests-per-second limit (0: unlimited; null: the server's default), effective at once on every api process. */
export async function setApiKeyRateLimit(ctx: Ctx, input: { id: string; rateLimitPerSecond: number | null }): Promise<ApiKeyRow> {
  const limit = input.rateLimitPerSecond;
  if (limit !== null && (!Number.isInteger(limit) || limit < 0 || limit > MAX_RATE_LIMIT_PER_SECOND)) {
    throw badInput(`rateLimitPerSecond must be 0 (unlimited) to ${MAX_RATE_LIMIT_PER_SECOND}, or null for the server's default`, "rateLimitPerSecond");
  }
  const key = await usableKey(ctx, input.id);
  const updated = await ctx.app.db.$transaction(async (tx) => {
    const row = await tx.apiKey.update({ where: { id: key.id }, data: { rateLimitPerSecond: limit } });
    await recordAudit(tx, ctx, { action: "api_key.rate_limit_set", entityType: "api_key", entityId: key.id, before: { rateLimitPerSecond: key.rateLimitPerSecond }, after: { rateLimitPerSecond: limit } });
    return row;
  });
  await invalidate(ctx, key.hash);
  return updated;
}

export async function revokeApiKey(ctx: Ctx, id: string): Promise<ApiKeyRow> {
  const key = await usableKey(ctx, id);
  const revoked = await ctx.app.db.$transaction(async (tx) => {
    // Conditional, so two concurrent revocations cannot both succeed (and audit twice).
    const { count } = await tx.apiKey.updateMany({ where: { id: key.id, revokedAt: null }, data: { revokedAt: new Date() } });
    if (count === 0) throw notFound("API key", id);
    const row = await tx.apiKey.findUniqueOrThrow({ where: { id: key.id } });
    await recordAudit(tx, ctx, { action: "api_key.revoked", entityType: "api_key", entityId: key.id, before: apiKeyView(key), after: apiKeyView(row) });
    return row;
  });
  await invalidate(ctx, key.hash);
  return revoked;
}
