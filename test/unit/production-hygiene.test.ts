// What production changes in the config (no demo merchant, no suggestions, metrics settings), and
// the error formatter's two guards that need no server: suggestions dropped, and PostgreSQL's
// refusal of unstorable text answered BAD_USER_INPUT if anything ever gets past the edge check.
import { randomBytes } from "node:crypto";
import { GraphQLError } from "graphql";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { createLogger } from "../../src/platform/logger.js";
import { formatError } from "../../src/server/errors.js";

const PRODUCTION = { NODE_ENV: "production", VAULT_KEYS: `k1:${randomBytes(32).toString("base64")}` };

describe("production config", () => {
  it("creates no demo merchant and shows no suggestions, and refuses to be told to seed one", () => {
    expect(loadConfig({}, PRODUCTION)).toMatchObject({ seedDemoMerchant: false, graphqlSuggestions: false });
    expect(loadConfig({}, {})).toMatchObject({ seedDemoMerchant: true, graphqlSuggestions: true });
    expect(loadConfig({}, { SEED_DEMO_MERCHANT: "false" }).seedDemoMerchant).toBe(false);
    expect(() => loadConfig({}, { ...PRODUCTION, SEED_DEMO_MERCHANT: "true" })).toThrow(/SEED_DEMO_MERCHANT .*production/);
  });

  it("reads METRICS_PORT and METRICS_TOKEN, refusing a port clash and a short token", () => {
    expect(loadConfig({}, {})).toMatchObject({ metricsPort: undefined, metricsToken: undefined });
    expect(loadConfig({}, { METRICS_PORT: "9464", METRICS_TOKEN: "a-long-enough-token" })).toMatchObject({ metricsPort: 9464, metricsToken: "a-long-enough-token" });
    expect(() => loadConfig({}, { METRICS_PORT: "4000" })).toThrow(/METRICS_PORT must differ from PORT/);
    expect(() => loadConfig({}, { METRICS_PORT: "70000" })).toThrow(/METRICS_PORT must be 0-65535/);
    expect(() => loadConfig({}, { METRICS_TOKEN: "short" })).toThrow(/at least 16/);
  });
});

describe("formatError", () => {
  const log = createLogger("silent");

  it("drops every kind of 'Did you mean' when asked to, and keeps them otherwise", () => {
    const messages = [
      'Cannot query field "nme" on type "Customer". Did you mean "name"?',
      'Unknown argument "iput" on field "Mutation.createCustomer". Did you mean "input"?',
      'Value "SANDBX" does not exist in "GatewayKind" enum. Did you mean the enum value "SANDBOX"?',
      'Variable "$input" got invalid value { nme: "x" }; Field "nme" is not defined by type "CreateCustomerInput". Did you mean "name", "email", or "metadata"?',
    ];
    for (const message of messages) {
      const formatted = { message, extensions: { code: "GRAPHQL_VALIDATION_FAILED" } };
      const hidden = formatError(formatted, new GraphQLError(message), log, true);
      expect(hidden.message).not.toMatch(/Did you mean|"name"|"input"|"SANDBOX"/);
      expect(hidden.message.length).toBeGreaterThan(20);
      expect(formatError(formatted, new GraphQLError(message), log, false).message).toContain("Did you mean");
    }
  });

  it("answers BAD_USER_INPUT, not INTERNAL, for PostgreSQL's 22021 and 22P05 through Prisma or pg", () => {
    const prisma = { code: "P2039", meta: { driverAdapterError: { name: "DriverAdapterError", cause: { originalCode: "22021", kind: "postgres" } } } };
    const pg = Object.assign(new Error("unsupported Unicode escape sequence"), { code: "22P05" });
    for (const err of [Object.assign(new Error("Invalid invocation"), prisma), pg]) {
      expect(formatError({ message: "x" }, err, log).extensions?.code).toBe("BAD_USER_INPUT");
    }
    expect(formatError({ message: "x" }, Object.assign(new Error("deadlock"), { code: "40P01" }), log).extensions?.code).toBe("INTERNAL");
  });
});
