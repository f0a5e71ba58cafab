// Access-token verification without a server: the RFC 9068 checks (typ, iss, aud, exp, required
// claims, algorithm) and the client's standing, each refusal UNAUTHENTICATED with its reason.
import { SignJWT, generateKeyPair, type CryptoKey } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { ClientCache } from "../../src/auth/oauth/clients.js";
import type { SigningKeys } from "../../src/auth/oauth/signing-keys.js";
import { authenticateAccessToken, issueAccessToken, looksLikeJwt, type AccessTokenVerifier } from "../../src/auth/oauth/access-tokens.js";
import type { Db } from "../../src/platform/db.js";

const KID = "sig_0123456789012345678901";
const CLIENT = { id: "oac_abcdefghijklmnopqrstuv", merchantId: "mer_one" };
const to = { issuer: () => "https://pay.example", audience: () => "https://pay.example/graphql" };
let privateKey: CryptoKey;
let verifier: AccessTokenVerifier;
let revoked = false;

beforeAll(async () => {
  const pair = await generateKeyPair("RS256");
  privateKey = pair.privateKey;
  // Stand-ins for the database-backed parts: one published key, one client.
  const keys = { current: async () => ({ kid: KID, key: privateKey }), verificationKey: async (kid: string) => (kid === KID ? pair.publicKey : undefined) } as unknown as SigningKeys;
  const db = { oAuthClient: { findUnique: async () => ({ merchantId: CLIENT.merchantId, revokedAt: revoked ? new Date() : null }) } } as unknown as Db;
  verifier = { keys, clients: new ClientCache(db, 0), to };
});

const reason = async (token: string): Promise<string> => {
  try {
    await authenticateAccessToken(verifier, token);
    return "accepted";
  } catch (err) {
    expect((err as { code?: string }).code).toBe("UNAUTHENTICATED");
    return (err as Error).message;
  }
};
const now = () => Math.floor(Date.now() / 1000);
const claims = () => ({ client_id: CLIENT.id, merchant_id: CLIENT.merchantId, scope: "payments:read", jti: "j", sub: CLIENT.id, iss: to.issuer(), aud: to.audience(), iat: now(), exp: now() + 60 });
const sign = (payload: Record<string, unknown>, header: Record<string, unknown> = {}) =>
  new SignJWT(payload).setProtectedHeader({ alg: "RS256", typ: "at+jwt", kid: KID, ...header }).sign(privateKey);

describe("access tokens", () => {
  it("issues a token that verifies into an OAUTH principal with the token's scopes and expiry", async () => {
    const issued = await issueAccessToken(verifier.keys, to, 900, CLIENT, ["payments:read", "refunds:read"]);
    expect(looksLikeJwt(issued.accessToken)).toBe(true);
    const principal = await authenticateAccessToken(verifier, issued.accessToken);
    expect(principal).toMatchObject({
      merchantId: CLIENT.merchantId, via: "OAUTH", credentialId: CLIENT.id, actor: `oauth:${CLIENT.id}`, role: "MERCHANT",
      scopes: ["payments:read", "refunds:read"], rateLimitPerSecond: null,
    });
    expect(principal.expiresAt! - Date.now()).toBeGreaterThan(890_000);
  });

  it("refuses each broken rule with its reason", async () => {
    expect(await reason(await sign(claims(), { typ: "JWT" }))).toMatch(/typ/);
    expect(await reason(await sign({ ...claims(), iss: "https://evil.example" }))).toMatch(/issuer/);
    expect(await reason(await sign({ ...claims(), aud: "https://other.example" }))).toMatch(/audience/);
    expect(await reason(await sign({ ...claims(), iat: now() - 600, exp: now() - 60 }))).toMatch(/Expired/);
    const { jti: _jti, ...noJti } = claims();
    expect(await reason(await sign(noJti))).toMatch(/jti/);
    expect(await reason(await sign({ ...claims(), sub: "oac_someoneelse0000000000" }))).toMatch(/Malformed/);
    expect(await reason(await sign(claims(), { kid: "sig_9999999999999999999999" }))).toMatch(/unknown key/);
    const hs = await new SignJWT(claims()).setProtectedHeader({ alg: "HS256", typ: "at+jwt", kid: KID }).sign(new TextEncoder().encode("x".repeat(32)));
    expect(await reason(hs)).toMatch(/algorithm/);
    expect(await reason(await sign({ ...claims(), merchant_id: "mer_two" }))).toMatch(/unknown OAuth client/);
  });

  it("refuses a revoked client's token", async () => {
    const token = await sign(claims());
    expect(await reason(token)).toBe("accepted");
    revoked = true;
    try {
      expect(await reason(token)).toMatch(/revoked/);
    } finally {
      revoked = false;
    }
  });
});
