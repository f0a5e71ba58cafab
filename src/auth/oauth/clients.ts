// OAuth clients: a merchant's machine identities for the client credentials grant. The secret is
// 48 base62 characters (~285 random bits) shown once and stored as a SHA-256 hash, as API keys are
// (src/merchants/api-keys.ts): at this entropy a slow password hash buys nothing.
import { timingSafeEqual } from "node:crypto";
import type { OAuthClient } from "../../generated/prisma/client.js";
import type { Ctx } from "../../app/app.js";
import type { Db } from "../../platform/db.js";
import { badInput, notFound } from "../../platform/errors.js";
import { hashSecret, newId, randomToken } from "../../platform/ids.js";
import { recordAudit } from "../../audit/audit.js";
import { assertMayGrant } from "../grants.js";
import { parseScopes } from "../../merchants/api-keys.js";
import { planPage, type Page, type PageArgs } from "../../platform/pagination.js";

export type OAuthClientRow = OAuthClient;

const SECRET_PREFIX = "ocs_";
export const CLIENT_ID_PATTERN = /^oac_[0-9A-Za-z]{22}$/;

/** Compared in constant time, so response timing says nothing of how much of a guess was right. */
const sameHash = (a: string, b: string): boolean => timingSafeEqual(Buffer.from(a, "hex"), Buffer.from(b, "hex"));
const DUMMY_HASH = hashSecret("no such client");

/** What the audit log keeps of a client: never the secret or its hash. */
const auditView = (c: OAuthClientRow) => ({ id: c.id, name: c.name, scopes: c.scopes, last4: c.last4, revokedAt: c.revokedAt?.toISOString() ?? null });

/** The Redis channel on which revoked clients' ids reach every api process's ClientCache. */
export const clientInvalidationChannel = (redisPrefix: string): string => `${redisPrefix}:oauth:clients:invalidate`;

export async function createOAuthClient(ctx: Ctx, input: { name: string; scopes: string[] }): Promise<{ client: OAuthClientRow; clientSecret: string }> {
  const name = input.name.trim();
  if (!name || name.length > 100) throw badInput("name must be 1 to 100 characters", "name");
  const scopes = parseScopes(input.scopes);
  if (scopes.length === 0) throw badInput("An OAuth client needs at least one scope", "scopes");
  assertMayGrant(ctx, scopes);
  const clientSecret = `${SECRET_PREFIX}${randomToken(48)}`;
  const client = await ctx.app.db.$transaction(async (tx) => {
    const row = await tx.oAuthClient.create({
      data: { id: newId("oac"), merchantId: ctx.merchantId, name, scopes, secretHash: hashSecret(clientSecret), last4: clientSecret.slice(-4) },
    });
    await recordAudit(tx, ctx, { action: "oauth_client.created", entityType: "oauth_client", entityId: row.id, after: auditView(row) });
    return row;
  });
  return { client, clientSecret };
}

/** Clients not revoked, newest first. */
export async function listOAuthClients(ctx: Ctx, args: PageArgs): Promise<Page<OAuthClientRow>> {
  const plan = planPage(args);
  return plan.finish(await ctx.app.db.oAuthClient.findMany({ where: { merchantId: ctx.merchantId, revokedAt: null, ...plan.where }, orderBy: plan.orderBy, take: plan.take }));
}

/** Revoked at once: no new tokens, and every api process refuses its live tokens (ClientCache below). */
export async function revokeOAuthClient(ctx: Ctx, id: string): Promise<OAuthClientRow> {
  const revoked = await ctx.app.db.$transaction(async (tx) => {
    const before = await tx.oAuthClient.findFirst({ where: { id, merchantId: ctx.merchantId, revokedAt: null } });
    if (!before) throw notFound("OAuth client", id);
    // Conditional, so two concurrent revocations cannot both succeed (and audit twice).
    const { count } = await tx.oAuthClient.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: new Date() } });
    if (count === 0) throw notFound("OAuth client", id);
    const after = await tx.oAuthClient.findUniqueOrThrow({ where: { id } });
    await recordAudit(tx, ctx, { action: "oauth_client.revoked", entityType: "oauth_client", entityId: id, before: auditView(before), after: auditView(after) });
    return after;
  });
  await ctx.app.pubsub.publish([{ channels: [clientInvalidationChannel(ctx.app.config.redisPrefix)], message: { clientId: id } }]);
  return revoked;
}

/** The client whose id and secret these are (not revoked), or undefined: the caller answers invalid_client. */
export async function authenticateClient(db: Db, clientId: string, secret: string): Promise<OAuthClientRow | undefined> {
  const row = CLIENT_ID_PATTERN.test(clientId) ? await db.oAuthClient.findUnique({ where: { id: clientId } }) : null;
  // Hash and compare even for an unknown id, so timing does not tell which ids exist.
  const matches = sameHash(hashSecret(secret), row?.secretHash ?? DUMMY_HASH);
  return row && matches && !row.revokedAt ? row : undefined;
}

export interface ClientStanding {
  merchantId: string;
  revoked: boolean;
}

/**
 * Whether a token's client is still in good standing, for a short while per client: a JWT verifies
 * without the database, but a revoked client's tokens must stop working before they expire.
 * Revocation publishes the client id and every api process drops it here; a reconnect clears all.
 */
export class ClientCache {
  private readonly entries = new Map<string, { standing: ClientStanding | null; until: number }>();
  constructor(private readonly db: Db, private readonly ttlMs: number) {}

  async standing(clientId: string, now = Date.now()): Promise<ClientStanding | null> {
    const hit = this.entries.get(clientId);
    if (hit && hit.until > now) return hit.standing;
    const row = await this.db.oAuthClient.findUnique({ where: { id: clientId }, select: { merchantId: true, revokedAt: true } });
    const standing = row ? { merchantId: row.merchantId, revoked: row.revokedAt !== null } : null;
    if (this.ttlMs > 0) {
      if (this.entries.size >= 10_000) this.entries.clear(); // bounded: a full clear is cheap and rare
      this.entries.set(clientId, { standing, until: now + this.ttlMs });
    }
    return standing;
  }

  delete(clientId: string): void {
    this.entries.delete(clientId);
  }

  clear(): void {
    this.entries.clear();
  }
}
