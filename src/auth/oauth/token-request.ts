// Reading a token request (RFC 6749 §4.4.2, §2.3.1, §3.2) into a client credential, a grant type and
// a scope, or the §5.2 error to answer. Pure: no I/O, unit-tested on its own.

export type TokenErrorCode = "invalid_request" | "invalid_client" | "invalid_grant" | "unauthorized_client" | "unsupported_grant_type" | "invalid_scope";

export class TokenError extends Error {
  constructor(
    readonly error: TokenErrorCode,
    readonly description: string,
    /** The client tried HTTP Basic: a 401 must then carry `WWW-Authenticate: Basic`. */
    readonly basic = false,
  ) {
    super(description);
  }

  get status(): number {
    return this.error === "invalid_client" ? 401 : 400;
  }
}

export interface TokenRequest {
  clientId: string;
  clientSecret: string;
  method: "client_secret_basic" | "client_secret_post";
  grantType: string;
  /** The requested scopes, or undefined when `scope` was absent (all of the client's). */
  scopes: string[] | undefined;
}

/** §2.3.1: id and secret are form-urlencoded before Basic encoding (`+` is a space). */
const formDecode = (value: string): string => decodeURIComponent(value.replace(/\+/g, " "));

function basicCredentials(authorization: string): { id: string; secret: string } {
  const encoded = /^Basic\s+([A-Za-z0-9+/]+=*)\s*$/i.exec(authorization)?.[1];
  const decoded = encoded ? Buffer.from(encoded, "base64").toString("utf8") : "";
  const colon = decoded.indexOf(":");
  if (colon < 0) throw new TokenError("invalid_client", "Malformed HTTP Basic credentials", true);
  try {
    return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
  } catch {
    throw new TokenError("invalid_client", "Malformed HTTP Basic credentials", true);
  }
}

/** Parameters of a form body; §3.2: a parameter sent more than once is an invalid request. */
export function formParams(body: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const [name, value] of new URLSearchParams(body)) {
    if (params.has(name)) throw new TokenError("invalid_request", `Parameter '${name.slice(0, 40)}' is repeated`);
    params.set(name, value);
  }
  return params;
}

export function readTokenRequest(params: Map<string, string>, authorization: string | undefined): TokenRequest {
  const grantType = params.get("grant_type");
  if (!grantType) throw new TokenError("invalid_request", "Missing grant_type");
  const bodyId = params.get("client_id");
  const bodySecret = params.get("client_secret");
  let credential: Pick<TokenRequest, "clientId" | "clientSecret" | "method">;
  if (authorization !== undefined) {
    if (!/^Basic\s/i.test(authorization)) throw new TokenError("invalid_client", "Client authentication must use HTTP Basic or the request body", true);
    // §2.3: one authentication method per request. A client_id in the body is allowed only if it agrees.
    if (bodySecret !== undefined) throw new TokenError("invalid_request", "Use one client authentication method: HTTP Basic or client_secret in the body, not both");
    const { id, secret } = basicCredentials(authorization);
    if (bodyId !== undefined && bodyId !== id) throw new TokenError("invalid_request", "client_id in the body differs from the HTTP Basic one");
    credential = { clientId: id, clientSecret: secret, method: "client_secret_basic" };
  } else if (bodyId !== undefined && bodySecret !== undefined) {
    credential = { clientId: bodyId, clientSecret: bodySecret, method: "client_secret_post" };
  } else {
    throw new TokenError("invalid_client", "Client authentication required (HTTP Basic, or client_id and client_secret in the body)");
  }
  const scope = params.get("scope");
  // §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), separated by single spaces.
  if (scope !== undefined && !/^[\x21\x23-\x5B\x5D-\x7E]+( [\x21\x23-\x5B\x5D-\x7E]+)*$/.test(scope)) {
    throw new TokenError("invalid_scope", "scope must be space-separated scope names");
  }
  return { ...credential, grantType, scopes: scope === undefined ? undefined : [...new Set(scope.split(" "))] };
}

/** §3.3: the scopes granted: the requested ones if the client holds them all, else invalid_scope. */
export function grantedScopes(clientScopes: readonly string[], requested: string[] | undefined): string[] {
  if (requested === undefined) return [...clientScopes];
  const missing = requested.find((s) => !clientScopes.includes(s));
  if (missing !== undefined) throw new TokenError("invalid_scope", `Scope '${missing.slice(0, 40)}' is not granted to this client`);
  return requested;
}
