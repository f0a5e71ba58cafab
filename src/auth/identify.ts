// One entry for every credential a request may carry in `Authorization: Bearer …`: the credential's
// shape says which verifier reads it: an API key (`sk_/rk_/pk_…`), an OAuth access token (a JWT:
// three dot-separated parts) or a merchant user's session (`pgs_…`). Each verifier answers a
// Principal or throws UNAUTHENTICATED with the reason.
import type { App } from "../app/app.js";
import { AppError, unauthenticated } from "../platform/errors.js";
import { asUnavailable } from "../platform/unavailable.js";
import { authenticateApiKey, looksLikeApiKey, type KeyCache } from "../merchants/api-keys.js";
import type { Principal } from "./principal.js";
import { authenticateAccessToken, looksLikeJwt, type AccessTokenVerifier } from "./oauth/access-tokens.js";
import { authenticateSession } from "../users/sessions.js";
import { looksLikeSessionToken } from "../users/secrets.js";
import { authenticateCheckoutSecret, looksLikeCheckoutSecret } from "../checkout/client-secret.js";

/** What one api process keeps to verify credentials quickly (caches, verification keys). */
export interface Verifiers {
  keys: KeyCache;
  /** OAuth access tokens: signing keys and client standing (src/auth/oauth). */
  oauth: AccessTokenVerifier;
}

export async function verifyCredential(app: App, verifiers: Verifiers, authorization: string | undefined): Promise<Principal> {
  if (!authorization) throw unauthenticated("Missing credentials: send 'Authorization: Bearer <secret key>'");
  const credential = /^Bearer\s+(\S+)$/i.exec(authorization.trim())?.[1];
  if (credential && looksLikeApiKey(credential)) return authenticateApiKey(app.db, credential, verifiers.keys);
  if (credential && looksLikeJwt(credential)) return authenticateAccessToken(verifiers.oauth, credential);
  // A merchant user's session (`pgs_…`, src/users): read on every request, so nothing to cache here.
  if (credential && looksLikeSessionToken(credential)) return authenticateSession(app.db, credential);
  // A hosted checkout page's session secret (src/checkout): reads and pays that session only.
  if (credential && looksLikeCheckoutSecret(credential)) return authenticateCheckoutSecret(app.db, credential);
  throw unauthenticated("Malformed credentials: expected 'Authorization: Bearer sk_test_…', an OAuth access token or a user session token");
}

/**
 * The principal, or why the credential is refused (answered later, by the resolvers that need one).
 * A credential that could not be checked because PostgreSQL or Redis did not answer is refused as
 * SERVICE_UNAVAILABLE (retryable), never as UNAUTHENTICATED.
 */
export async function identify(app: App, verifiers: Verifiers, authorization: string | undefined): Promise<Principal | AppError> {
  try {
    return await verifyCredential(app, verifiers, authorization);
  } catch (err) {
    if (err instanceof AppError) return err;
    const unavailable = asUnavailable(err);
    if (unavailable) return unavailable;
    throw err;
  }
}
