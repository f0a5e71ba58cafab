// Reading token requests (RFC 6749 §2.3.1, §3.2, §3.3, §4.4.2) into credentials and scopes, or the
// §5.2 error to answer: pure, so checked here case by case.
import { describe, expect, it } from "vitest";
import { TokenError, formParams, grantedScopes, readTokenRequest } from "../../src/auth/oauth/token-request.js";

const basic = (raw: string) => `Basic ${Buffer.from(raw).toString("base64")}`;
const refused = (fn: () => unknown): { error: string; status: number; basic: boolean } | undefined => {
  try {
    fn();
    return undefined;
  } catch (err) {
    if (!(err instanceof TokenError)) throw err;
    return { error: err.error, status: err.status, basic: err.basic };
  }
};
const read = (body: string, authorization?: string) => readTokenRequest(formParams(body), authorization);

describe("token request", () => {
  it("reads client_secret_basic, form-urlencoded per §2.3.1", () => {
    expect(read("grant_type=client_credentials", basic("oac_1:s%2Bcret+x"))).toEqual({
      clientId: "oac_1", clientSecret: "s+cret x", method: "client_secret_basic", grantType: "client_credentials", scopes: undefined,
    });
    // A client_id in the body is allowed alongside Basic when it is the same one.
    expect(read("grant_type=client_credentials&client_id=oac_1", basic("oac_1:s")).clientId).toBe("oac_1");
  });

  it("reads client_secret_post and a space-separated scope", () => {
    expect(read("grant_type=client_credentials&client_id=oac_1&client_secret=s&scope=payments:read+payments:write")).toMatchObject({
      clientId: "oac_1", clientSecret: "s", method: "client_secret_post", scopes: ["payments:read", "payments:write"],
    });
  });

  it("refuses malformed requests as invalid_request (400)", () => {
    expect(refused(() => read("client_id=a&client_secret=b"))).toMatchObject({ error: "invalid_request", status: 400 });
    expect(refused(() => read("grant_type=client_credentials&grant_type=client_credentials&client_id=a&client_secret=b"))).toMatchObject({ error: "invalid_request" });
    expect(refused(() => read("grant_type=client_credentials&client_secret=b", basic("a:b")))).toMatchObject({ error: "invalid_request" });
    expect(refused(() => read("grant_type=client_credentials&client_id=other", basic("a:b")))).toMatchObject({ error: "invalid_request" });
  });

  it("refuses missing or unreadable client authentication as invalid_client (401), flagging Basic", () => {
    expect(refused(() => read("grant_type=client_credentials"))).toEqual({ error: "invalid_client", status: 401, basic: false });
    expect(refused(() => read("grant_type=client_credentials&client_id=a"))).toEqual({ error: "invalid_client", status: 401, basic: false });
    expect(refused(() => read("grant_type=client_credentials", basic("no-colon")))).toEqual({ error: "invalid_client", status: 401, basic: true });
    expect(refused(() => read("grant_type=client_credentials", "Basic !!!"))).toEqual({ error: "invalid_client", status: 401, basic: true });
    expect(refused(() => read("grant_type=client_credentials", basic("a:%E0%A4%A")))).toEqual({ error: "invalid_client", status: 401, basic: true });
    expect(refused(() => read("grant_type=client_credentials", "Bearer abc"))).toMatchObject({ error: "invalid_client", status: 401 });
  });

  it("refuses a scope that is not scope-tokens separated by single spaces", () => {
    for (const scope of ["", "a%20%20b", "%22quoted%22", "a%5Cb"]) {
      expect(refused(() => read(`grant_type=client_credentials&client_id=a&client_secret=b&scope=${scope}`))).toMatchObject({ error: "invalid_scope", status: 400 });
    }
  });

  it("grants the requested scopes only when the client holds every one", () => {
    expect(grantedScopes(["payments:read", "payments:write"], undefined)).toEqual(["payments:read", "payments:write"]);
    expect(grantedScopes(["payments:read", "payments:write"], ["payments:read"])).toEqual(["payments:read"]);
    expect(refused(() => grantedScopes(["payments:read"], ["payments:read", "admin"]))).toMatchObject({ error: "invalid_scope", status: 400 });
  });
});
