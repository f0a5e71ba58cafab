// The command line and the operational endpoints.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStack, type Stack } from "../support/stack.js";

const MAIN = path.resolve(import.meta.dirname, "../../dist/main.js");
const run = promisify(execFile);

let stack: Stack;
let url: string;

beforeAll(async () => {
  stack = await createStack({ SEED_DEMO_MERCHANT: "true" });
  const role = await stack.start(["start", "--role", "all", "--port", "0"]);
  url = role.url;
  expect(role.output.join("\n")).toMatch(/Secret key\s+sk_test_[0-9A-Za-z]{32}/);
});
afterAll(async () => stack?.close());

const fails = async (args: string[], env: Record<string, string>) => {
  try {
    await run(process.execPath, [MAIN, ...args], { env: { PATH: process.env.PATH ?? "", ...stack.env, ...env } });
  } catch (err) {
    const e = err as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
  throw new Error("expected the command to fail");
};

describe("paygraph command", () => {
  it("creates a merchant and prints one line of JSON", async () => {
    const { stdout } = await run(process.execPath, [MAIN, "merchant", "create", "--name", "Acme", "--json"], { env: { PATH: process.env.PATH ?? "", ...stack.env } });
    const lines = stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? "")).toMatchObject({ merchantId: expect.stringMatching(/^mer_/), secretKey: expect.stringMatching(/^sk_test_/) });
  });

  it("migrates idempotently", async () => {
    const { stdout } = await run(process.execPath, [MAIN, "migrate"], { env: { PATH: process.env.PATH ?? "", ...stack.env } });
    expect(stdout).toContain("up to date");
  });

  it("says in one line which service is unreachable and exits non-zero", async () => {
    const pg = await fails(["migrate"], { DATABASE_URL: "postgresql://postgres@127.0.0.1:1/paygraph" });
    expect(pg.code).not.toBe(0);
    expect(pg.stderr.trim().split("\n")).toHaveLength(1);
    expect(pg.stderr).toMatch(/PostgreSQL is not reachable.*start it/);

    const redis = await fails(["start"], { REDIS_URL: "redis://127.0.0.1:1" });
    expect(redis.code).not.toBe(0);
    expect(redis.stderr.trim().split("\n")).toHaveLength(1);
    expect(redis.stderr).toMatch(/Redis is not reachable.*start it/);
  });

  it("starts a sandbox gateway with its own behaviour from flags", async () => {
    const sandbox = await stack.start(["sandbox", "--port", "0", "--name", "acquirer-b", "--latency-ms", "5", "--fail-rate", "0.3", "--timeout-rate", "0.1", "--currencies", "usd,eur"]);
    expect(await (await fetch(`${sandbox.url}/healthz`)).json()).toEqual({ ok: true, name: "acquirer-b" });
    expect(await (await fetch(`${sandbox.url}/control`)).json()).toEqual({ latencyMs: 5, failRate: 0.3, failOperations: ["authorize"], timeoutRate: 0.1, currencies: ["USD", "EUR"], down: false, challengeTimeoutMs: 600_000 });
    expect((await fails(["sandbox", "--fail-rate", "2"], {})).stderr).toContain("--fail-rate must be");
  });

  it("refuses an unknown role or command", async () => {
    expect((await fails(["start", "--role", "both"], {})).stderr).toContain("--role must be");
    expect((await fails(["frobnicate"], {})).stderr).toContain("unknown command");
  });
});

describe("operational endpoints", () => {
  it("serves /healthz and /readyz", async () => {
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: "ok" });
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ checks: { postgres: "ok", redis: "ok" } });
  });

  it("serves Prometheus metrics: requests, payments by status, queue depth, gateway latency", async () => {
    await fetch(`${url}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ __typename }" }) });
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toMatch(/paygraph_http_requests_total\{route="\/graphql",status="200"\} \d+/);
    expect(text).toContain("# TYPE paygraph_payments gauge");
    expect(text).toMatch(/paygraph_gateway_queue_jobs\{state="waiting"\} \d+/);
    expect(text).toContain("# TYPE paygraph_gateway_request_duration_seconds histogram");
  });
});
