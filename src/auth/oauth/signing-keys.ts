// The keys that sign access tokens, kept in PostgreSQL so every api process signs with the same
// current key and verifies every live one. RS256 (RFC 9068's mandatory algorithm): verification,
// done on every request, is cheap with RSA. The private key is sealed by the vault.
//
// Lifecycle: a key signs until `activeUntil` (created + OAUTH_SIGNING_KEY_ROTATE_SECONDS, or now
// when rotated by hand); it stays published (JWKS) and accepted for `retention` more, which covers
// the longest token it can have signed plus the time a process may keep signing with a key it has
// cached. Making the next key takes a transaction-scoped advisory lock, so processes racing at
// the end of a key's term make one key, not several.
import { randomUUID } from "node:crypto";
import { exportJWK, exportPKCS8, generateKeyPair, importJWK, importPKCS8, type CryptoKey, type JWK } from "jose";
import type { App } from "../../app/app.js";
import type { Db } from "../../platform/db.js";
import { PLATFORM_TENANT, newId } from "../../platform/ids.js";
import { seal, unseal } from "../../vault/vault.js";

export const SIGNING_ALG = "RS256";
/** Signing keys belong to the platform, not to a merchant: the vault binds them to this "merchant". */
const VAULT_OWNER = PLATFORM_TENANT;
const vaultPurpose = (kid: string): string => `:oauth-signing-key:${kid}`;
/** How long a process signs with a key it has loaded before asking the database again. */
const SIGNER_RECHECK_MS = 60_000;
/** Clock skew allowed between processes and clients. */
export const CLOCK_TOLERANCE_S = 5;
/** Unknown `kid`s reload the key set at most this often: forged kids must not become a query each. */
const RELOAD_MIN_INTERVAL_MS = 1_000;
const LOCK_NAME = "paygraph:oauth:signing-key";

export interface Signer {
  kid: string;
  key: CryptoKey;
}

export interface PublishedKey {
  kid: string;
  jwk: JWK;
  key: CryptoKey;
}

/** How long after it stops signing a key is still published and accepted. */
export const retentionMs = (app: Pick<App, "config">): number => (app.config.oauthTokenTtlSeconds + CLOCK_TOLERANCE_S) * 1000 + SIGNER_RECHECK_MS;

async function makeKey(app: Pick<App, "vault">, activeUntil: Date) {
  const { publicKey, privateKey } = await generateKeyPair(SIGNING_ALG, { modulusLength: 2048, extractable: true });
  const kid = newId("sig");
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: SIGNING_ALG, use: "sig" };
  const sealed = await seal(app.vault, VAULT_OWNER, await exportPKCS8(privateKey), vaultPurpose(kid));
  return { id: kid, publicJwk, privateKey: new Uint8Array(sealed), activeUntil };
}

/**
 * The key that signs now, made if there is none. `force` (the rotate command) ends the current
 * key's term and makes a new one at once.
 */
export async function currentSigningKey(app: Pick<App, "config" | "db" | "vault">, opts: { force?: boolean } = {}): Promise<{ id: string; privateKey: Uint8Array; activeUntil: Date }> {
  const active = () => app.db.oAuthSigningKey.findFirst({ where: { activeUntil: { gt: new Date() } }, orderBy: [{ createdAt: "desc" }, { id: "desc" }] });
  if (!opts.force) {
    const found = await active();
    if (found) return found;
  }
  // Generated outside the lock (it takes tens of ms); discarded when another process won.
  const rotateMs = app.config.oauthSigningKeyRotateSeconds * 1000;
  const made = await makeKey(app, new Date(Date.now() + rotateMs));
  return app.db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${LOCK_NAME}))`;
    if (opts.force) {
      await tx.oAuthSigningKey.updateMany({ where: { activeUntil: { gt: new Date() } }, data: { activeUntil: new Date() } });
    } else {
      const winner = await tx.oAuthSigningKey.findFirst({ where: { activeUntil: { gt: new Date() } }, orderBy: [{ createdAt: "desc" }, { id: "desc" }] });
      if (winner) return winner;
    }
    // Keys unpublished for a day are of no further use: dropped whenever a key is made.
    await tx.oAuthSigningKey.deleteMany({ where: { activeUntil: { lt: new Date(Date.now() - retentionMs(app) - 86_400_000) } } });
    return tx.oAuthSigningKey.create({ data: { ...made, activeUntil: new Date(Date.now() + rotateMs) } });
  });
}

/** Keys still published: signing now, or retired less than `retentionMs` ago. */
export async function publishedKeys(app: Pick<App, "config" | "db">): Promise<{ id: string; publicJwk: JWK }[]> {
  const rows = await app.db.oAuthSigningKey.findMany({
    where: { activeUntil: { gt: new Date(Date.now() - retentionMs(app)) } },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    select: { id: true, publicJwk: true },
  });
  return rows.map((r) => ({ id: r.id, publicJwk: r.publicJwk as JWK }));
}

/** The rotate command: the current key stops signing now; it stays published until its tokens expired. */
export async function rotateSigningKey(app: Pick<App, "config" | "db" | "vault">): Promise<{ kid: string }> {
  return { kid: (await currentSigningKey(app, { force: true })).id };
}

/** One api process's view of the keys: the signer (rechecked every minute) and the verification keys. */
export class SigningKeys {
  private signer: { signer: Signer; until: number } | undefined;
  private signing: Promise<Signer> | undefined;
  private published = new Map<string, PublishedKey>();
  private loadedAt = 0;
  private loading: Promise<void> | undefined;

  constructor(private readonly app: Pick<App, "config" | "db" | "vault">) {}

  /** The key to sign with now. */
  async current(): Promise<Signer> {
    const now = Date.now();
    if (this.signer && this.signer.until > now) return this.signer.signer;
    this.signing ??= (async () => {
      const row = await currentSigningKey(this.app);
      const pem = await unseal(this.app.vault, VAULT_OWNER, row.privateKey, vaultPurpose(row.id));
      const signer = { kid: row.id, key: await importPKCS8(pem, SIGNING_ALG) };
      this.signer = { signer, until: Math.min(row.activeUntil.getTime(), Date.now() + SIGNER_RECHECK_MS) };
      return signer;
    })().finally(() => (this.signing = undefined));
    return this.signing;
  }

  /** The public key a token names, reloading the set once (rate-bounded) when the kid is new here. */
  async verificationKey(kid: string): Promise<CryptoKey | undefined> {
    const hit = this.published.get(kid);
    if (hit) return hit.key;
    if (!/^sig_[0-9A-Za-z]{22}$/.test(kid)) return undefined;
    await this.reload();
    return this.published.get(kid)?.key;
  }

  /** Forgets everything (the rotate command tells every process over Redis). */
  invalidate(): void {
    this.signer = undefined;
    this.loadedAt = 0;
  }

  /**
   * Reads the published keys again, at most once per RELOAD_MIN_INTERVAL_MS: a caller arriving
   * sooner waits for the next read (shared by all who wait) rather than being refused, so a key
   * made by another process a moment after this one's last read is still found.
   */
  private async reload(): Promise<void> {
    if (this.loading) return this.loading;
    const wait = this.loadedAt + RELOAD_MIN_INTERVAL_MS - Date.now();
    this.loading = (async () => {
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      this.loadedAt = Date.now();
      const next = new Map<string, PublishedKey>();
      for (const { id, publicJwk } of await publishedKeys(this.app)) {
        next.set(id, { kid: id, jwk: publicJwk, key: this.published.get(id)?.key ?? ((await importJWK(publicJwk, SIGNING_ALG)) as CryptoKey) });
      }
      this.published = next; // bounded by the published set: retired keys fall out here
    })().finally(() => (this.loading = undefined));
    return this.loading;
  }
}

/** The Redis channel on which the rotate command tells api processes to drop their signer. */
export const signingKeyChannel = (redisPrefix: string): string => `${redisPrefix}:oauth:signing-keys`;
export const rotationMessage = (): { id: string } => ({ id: randomUUID() });
