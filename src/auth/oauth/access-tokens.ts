// Access tokens: JWTs in the RFC 9068 profile (`typ: at+jwt`; iss, aud, sub = client_id, iat, exp,
// jti, scope), plus the merchant the client belongs to. Verified locally on every request: the
// signature against the published keys, then typ, iss, aud and exp; the client's standing (not
// revoked) comes from a cache that revocations clear.
import { randomUUID } from "node:crypto";
import { SignJWT, errors as joseErrors, jwtVerify, type JWTPayload } from "jose";
import type { LRUCache } from "lru-cache";
import { unauthenticated } from "../../platform/errors.js";
import { hashSecret } from "../../platform/ids.js";
import type { Principal } from "../principal.js";
import { CLOCK_TOLERANCE_S, SIGNING_ALG, type SigningKeys } from "./signing-keys.js";
import type { ClientCache } from "./clients.js";

export const ACCESS_TOKEN_TYPE = "at+jwt";
export const MERCHANT_CLAIM = "merchant_id";

/** Where tokens come from and whom they are for: resolved once the server knows its own URL. */
export interface AccessTokenAudience {
  issuer(): string;
  audience(): string;
}

export interface IssuedAccessToken {
  accessToken: string;
  expiresIn: number;
  scope: string;
}

export async function issueAccessToken(
  keys: SigningKeys, to: AccessTokenAudience, ttlSeconds: number, client: { id: string; merchantId: string }, scopes: readonly string[],
): Promise<IssuedAccessToken> {
  const { kid, key } = await keys.current();
  const scope = scopes.join(" ");
  const now = Math.floor(Date.now() / 1000);
  const accessToken = await new SignJWT({ client_id: client.id, scope, [MERCHANT_CLAIM]: client.merchantId })
    .setProtectedHeader({ alg: SIGNING_ALG, typ: ACCESS_TOKEN_TYPE, kid })
    .setIssuer(to.issuer())
    .setAudience(to.audience())
    .setSubject(client.id)
    .setIssuedAt(now)
    .setExpirationTime(now + ttlSeconds)
    .setJti(randomUUID())
    .sign(key);
  return { accessToken, expiresIn: ttlSeconds, scope };
}

/** Three base64url segments: the shape of a JWS compact serialization (an unsigned one has an empty third). */
export const looksLikeJwt = (credential: string): boolean => /^[\w-]+\.[\w-]+\.[\w-]*$/.test(credential);

/** Why jose refused a token, in words a caller can act on. */
function reason(err: unknown): string {
  if (err instanceof joseErrors.JWTExpired) return "Expired access token";
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    if (err.claim === "aud") return "Access token for another audience";
    if (err.claim === "iss") return "Access token from another issuer";
    if (err.claim === "typ") return "Not an access token (typ must be at+jwt)";
    return `Invalid access token claim '${err.claim}'`;
  }
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return "Access token signature does not verify";
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return `Access token algorithm not accepted (only ${SIGNING_ALG})`;
  if (err instanceof joseErrors.JWKSNoMatchingKey) return "Access token signed by an unknown key";
  return "Malformed access token";
}

export interface AccessTokenVerifier {
  keys: SigningKeys;
  clients: ClientCache;
  to: AccessTokenAudience;
  /**
   * Claims of tokens already verified, by the token's hash: an RS256 verification costs ~12 % of a
   * `payment(id)` read (bench/README.md), and a client sends the same token until it expires.
   * Expiry is checked on every use; the client's standing (revocation) is not cached here.
   */
  verified?: LRUCache<string, JWTPayload>;
}

/** The principal an access token speaks for; UNAUTHENTICATED with the reason otherwise. */
export async function authenticateAccessToken(v: AccessTokenVerifier, token: string): Promise<Principal> {
  const hash = hashSecret(token);
  let payload = v.verified?.get(hash);
  if (payload && (payload.exp ?? 0) + CLOCK_TOLERANCE_S <= Date.now() / 1000) {
    v.verified?.delete(hash);
    throw unauthenticated("Expired access token"); // as jwtVerify says it (reason() below)
  }
  if (!payload) {
    payload = await verifyAccessToken(v, token);
    v.verified?.set(hash, payload);
  }
  return principalOf(v, payload);
}

async function verifyAccessToken(v: AccessTokenVerifier, token: string): Promise<JWTPayload> {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(
      token,
      async (header) => {
        const key = typeof header.kid === "string" ? await v.keys.verificationKey(header.kid) : undefined;
        if (!key) throw new joseErrors.JWKSNoMatchingKey();
        return key;
      },
      {
        algorithms: [SIGNING_ALG], typ: ACCESS_TOKEN_TYPE, issuer: v.to.issuer(), audience: v.to.audience(), clockTolerance: CLOCK_TOLERANCE_S,
        requiredClaims: ["iss", "aud", "exp", "iat", "sub", "jti", "client_id", MERCHANT_CLAIM],
      },
    ));
  } catch (err) {
    throw unauthenticated(reason(err));
  }
  return payload;
}

async function principalOf(v: AccessTokenVerifier, payload: JWTPayload): Promise<Principal> {
  const clientId = payload.client_id;
  const merchantId = payload[MERCHANT_CLAIM];
  if (typeof clientId !== "string" || typeof merchantId !== "string" || payload.sub !== clientId) throw unauthenticated("Malformed access token");
  const standing = await v.clients.standing(clientId);
  if (!standing || standing.merchantId !== merchantId) throw unauthenticated("Access token of an unknown OAuth client");
  if (standing.revoked) throw unauthenticated("Access token of a revoked OAuth client");
  const scopes = typeof payload.scope === "string" ? payload.scope.split(" ").filter(Boolean) : [];
  return {
    merchantId, role: "MERCHANT", via: "OAUTH", credentialId: clientId, actor: `oauth:${clientId}`, rateLimitPerSecond: null,
    scopes, expiresAt: (payload.exp ?? 0) * 1000,
  };
}
