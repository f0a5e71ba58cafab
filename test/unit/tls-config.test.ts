// TLS settings (issue #4): read from TLS_CERT_FILE/TLS_KEY_FILE, the start flags override them, and
// both or neither must be set (the files themselves are checked by test/integration/tls.test.ts).
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";

describe("TLS configuration", () => {
  it("is off by default and read from TLS_CERT_FILE and TLS_KEY_FILE", () => {
    expect(loadConfig({}, { NODE_ENV: "test" })).toMatchObject({ tlsCertFile: undefined, tlsKeyFile: undefined });
    expect(loadConfig({}, { NODE_ENV: "test", TLS_CERT_FILE: "/etc/c.pem", TLS_KEY_FILE: "/etc/k.pem" })).toMatchObject({ tlsCertFile: "/etc/c.pem", tlsKeyFile: "/etc/k.pem" });
  });

  it("lets the flags (overrides) win over the environment", () => {
    const config = loadConfig({ tlsCertFile: "flag.pem", tlsKeyFile: "flag.key" }, { NODE_ENV: "test", TLS_CERT_FILE: "env.pem", TLS_KEY_FILE: "env.key" });
    expect(config).toMatchObject({ tlsCertFile: "flag.pem", tlsKeyFile: "flag.key" });
  });

  it("refuses one without the other", () => {
    expect(() => loadConfig({}, { NODE_ENV: "test", TLS_CERT_FILE: "c.pem" })).toThrow(/both a certificate and a key.*only the certificate/);
    expect(() => loadConfig({ tlsKeyFile: "k.pem" }, { NODE_ENV: "test" })).toThrow(/only the key/);
  });
});
