// Who is calling: the one shape every credential (API key, OAuth access token, a merchant user's
// session) is verified into. The schema's auth checker (src/server/authorize.ts) reads only this.
import type { ApiKeyKind, ApiKeyRole } from "../generated/prisma/enums.js";

/** How the caller authenticated. */
export type CredentialKind = "API_KEY" | "OAUTH" | "USER" | "CHECKOUT";

export interface Principal {
  merchantId: string;
  /** Platform role: ADMIN (operator-wide, e.g. setExchangeRate) or MERCHANT. */
  role: ApiKeyRole;
  via: CredentialKind;
  /** The credential's own id (API key, OAuth client, user session). */
  credentialId: string;
  /** The rate limiter's bucket when it is not the credential (a user's sessions share the user's). */
  rateLimitKey?: string;
  /** Who acted, for the audit log: `key:key_…`, `oauth:oac_…`, `user:usr_…`, `checkout:cs_…` (a checkout page). */
  actor: string;
  /** Set for API keys: a PUBLISHABLE key only tokenizes cards. */
  keyKind?: ApiKeyKind;
  /** This credential's requests-per-second limit; null: the server's default. */
  rateLimitPerSecond: number | null;
  /** What the caller may do (`@Authorized("payments:read")` needs that scope). */
  scopes: readonly string[];
  /** Epoch ms after which the credential is refused; null: no expiry. */
  expiresAt: number | null;
}
