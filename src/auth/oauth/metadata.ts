// RFC 8414 authorization server metadata and the JWKS (RFC 7517) it points to: everything a stock
// client or resource server needs, discovered from the issuer URL.
import type { JWK } from "jose";
import { SCOPES } from "../../merchants/api-keys.js";

export const METADATA_PATH = "/.well-known/oauth-authorization-server";
export const JWKS_PATH = "/.well-known/jwks.json";
export const TOKEN_PATH = "/oauth/token";

export function serverMetadata(issuer: string): Record<string, unknown> {
  return {
    issuer,
    token_endpoint: `${issuer}${TOKEN_PATH}`,
    jwks_uri: `${issuer}${JWKS_PATH}`,
    scopes_supported: [...SCOPES],
    // REQUIRED by RFC 8414 §2 even without an authorization endpoint: this server has no response types.
    response_types_supported: [],
    grant_types_supported: ["client_credentials"],
    token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
  };
}

export const jwks = (keys: { publicJwk: JWK }[]): { keys: JWK[] } => ({ keys: keys.map((k) => k.publicJwk) });
