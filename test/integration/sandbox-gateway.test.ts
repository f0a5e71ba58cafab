// The sandbox gateway over real HTTP: the shared connector contract, then sandbox-only behaviour
// (wire format strictness, failRate, status lookup, connection refused).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HttpGateway } from "../../src/gateways/gateway-call.js";
import { TEST_CARDS } from "../../src/gateways/sandbox/cards.js";
import { startSandboxGateway, type SandboxGatewayHandle } from "../../src/gateways/sandbox/server.js";
import { describeGatewayContract, type ContractCharge } from "./gateways/contract.js";

type Json = Record<string, unknown>;

async function call(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: Json }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const parsed: unknown = await res.json();
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error(`${path}: not a JSON object`);
  return { status: res.status, json: Object.fromEntries(Object.entries(parsed)) };
}

function toCharge(raw: unknown): ContractCharge {
  if (typeof raw !== "object" || raw === null) throw new Error("ledger entry is not an object");
  const r = new Map(Object.entries(raw));
  const s = (f: string): string => {
    const v = r.get(f);
    if (typeof v !== "string") throw new Error(`ledger field ${f} is not a string`);
    return v;
  };
  return {
    idempotencyKey: s("idempotencyKey"),
    reference: s("reference"),
    status: s("status"),
    amount: BigInt(s("amount")),
    amountCaptured: BigInt(s("amountCaptured")),
    amountRefunded: BigInt(s("amountRefunded")),
  };
}

describeGatewayContract("sandbox", async () => {
  const server = await startSandboxGateway({ port: 0 });
  return {
    cards: TEST_CARDS,
    gateway: (opts) => new HttpGateway({ baseUrl: server.url, name: "sandbox", kind: "SANDBOX", timeoutMs: opts?.timeoutMs ?? 5000 }),
    async ledger() {
      const { json } = await call(server.url, "GET", "/ledger");
      const charges = json.charges;
      if (!Array.isArray(charges)) throw new Error("GET /ledger: charges is not an array");
      return charges.map(toCharge);
    },
    async setFaults(faults) {
      const { status } = await call(server.url, "PUT", "/control", faults);
      if (status !== 200) throw new Error(`PUT /control answered ${status}`);
    },
    close: () => server.close(),
  };
});

describe("sandbox gateway specifics", () => {
  let server: SandboxGatewayHandle;
  const CALM = { latencyMs: 0, failRate: 0, failOperations: ["authorize"], timeoutRate: 0, currencies: null, down: false, challengeTimeoutMs: 600_000 };
  const expYear = new Date().getUTCFullYear() + 2;
  const authBody = (idempotencyKey: string, amount: unknown = "1250") => ({
    idempotencyKey,
    amount,
    currency: "USD",
    card: { number: TEST_CARDS.approve, expMonth: 1, expYear },
    capture: false,
  });

  beforeAll(async () => {
    server = await startSandboxGateway({ port: 0, name: "sbx-test" });
  });
  afterAll(async () => {
    await server.close();
  });

  it("binds port 0 to a real port and reports health", async () => {
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect((await call(server.url, "GET", "/healthz")).json).toEqual({ ok: true, name: "sbx-test" });
  });

  it("accepts amounts only as integer strings", async () => {
    for (const amount of [1250, "12.50", "0", "-5", "01250"]) {
      const r = await call(server.url, "POST", "/v1/authorize", authBody(`num-${String(amount)}`, amount));
      expect(r).toMatchObject({ status: 400, json: { status: "error", code: "invalid_request" } });
    }
    const bad = await call(server.url, "POST", "/v1/authorize", { ...authBody("cur"), currency: "usd" });
    expect(bad.status).toBe(400);
    expect((await call(server.url, "GET", "/ledger")).json.charges).toEqual([]);
  });

  it("answers malformed JSON with invalid_request", async () => {
    const res = await fetch(`${server.url}/v1/authorize`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{nope",
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ status: "error", code: "invalid_request" });
  });

  it("looks up a charge by idempotency key, with amounts as strings", async () => {
    const r = await call(server.url, "POST", "/v1/authorize", authBody("lookup-1"));
    expect(r).toMatchObject({ status: 200, json: { status: "approved", captured: false } });
    const got = await call(server.url, "GET", "/v1/charges/lookup-1");
    expect(got.json).toMatchObject({
      idempotencyKey: "lookup-1", reference: r.json.reference, amount: "1250", currency: "USD",
      status: "authorized", amountCaptured: "0", amountRefunded: "0", refunds: [],
    });
    expect((await call(server.url, "GET", "/v1/charges/missing")).status).toBe(404);
  });

  it("rejects reuse of a key with different parameters", async () => {
    await call(server.url, "POST", "/v1/authorize", authBody("reuse-1", "100"));
    const r = await call(server.url, "POST", "/v1/authorize", authBody("reuse-1", "200"));
    expect(r).toMatchObject({ status: 400, json: { code: "idempotency_mismatch" } });
  });

  it("answers 503 without charging when failRate is 1", async () => {
    await call(server.url, "PUT", "/control", { failRate: 1 });
    const gw = new HttpGateway({ baseUrl: server.url, name: "sandbox", kind: "SANDBOX", timeoutMs: 2000 });
    const o = await gw.authorize({
      idempotencyKey: "flaky-1", amount: 5n, currency: "USD", capture: true,
      card: { number: TEST_CARDS.approve, expMonth: 1, expYear },
    });
    expect(o).toMatchObject({ kind: "transient", code: "gateway_unavailable" });
    expect((await call(server.url, "GET", "/v1/charges/flaky-1")).status).toBe(404);
    expect((await call(server.url, "PUT", "/control", { failRate: 0 })).json).toEqual(CALM);
  });

  it("rejects invalid control settings atomically", async () => {
    const r = await call(server.url, "PUT", "/control", { latencyMs: 10, failRate: 2 });
    expect(r.status).toBe(400);
    expect((await call(server.url, "GET", "/control")).json).toEqual(CALM);
    expect((await call(server.url, "PUT", "/control", { nonsense: 1 })).status).toBe(400);
  });

  it("charges, then answers too late for the client, when timeoutRate is 1", async () => {
    await call(server.url, "PUT", "/control", { timeoutRate: 1 });
    const gw = new HttpGateway({ baseUrl: server.url, name: "sandbox", kind: "SANDBOX", timeoutMs: 300 });
    const input = { idempotencyKey: "hang-1", amount: 7n, currency: "USD", capture: true, card: { number: TEST_CARDS.approve, expMonth: 1, expYear } };
    expect(await gw.authorize(input)).toMatchObject({ kind: "transient", code: "timeout" });
    expect(await gw.retrieve("hang-1")).toMatchObject({ kind: "approved" }); // the charge exists
    await call(server.url, "PUT", "/control", { timeoutRate: 0 });
    expect(await gw.authorize(input)).toMatchObject({ kind: "approved" });
    expect(((await call(server.url, "GET", "/ledger")).json.charges as { idempotencyKey: string }[]).filter((c) => c.idempotencyKey === "hang-1")).toHaveLength(1);
  });

  it("processes only the currencies it is set to", async () => {
    await call(server.url, "PUT", "/control", { currencies: ["EUR"] });
    const gw = new HttpGateway({ baseUrl: server.url, name: "sandbox", kind: "SANDBOX", timeoutMs: 2000 });
    const card = { number: TEST_CARDS.approve, expMonth: 1, expYear };
    expect(await gw.authorize({ idempotencyKey: "cur-usd", amount: 5n, currency: "USD", capture: true, card })).toMatchObject({ kind: "declined", code: "currency_not_supported" });
    expect(await gw.authorize({ idempotencyKey: "cur-eur", amount: 5n, currency: "EUR", capture: true, card })).toMatchObject({ kind: "approved" });
    expect((await call(server.url, "PUT", "/control", { currencies: null })).json).toEqual(CALM);
  });

  it("close() does not wait out the latency of in-flight calls", async () => {
    const slow = await startSandboxGateway({ port: 0, host: "0.0.0.0", latencyMs: 5000 });
    expect(slow.url).toBe(`http://127.0.0.1:${slow.port}`);
    const gw = new HttpGateway({ baseUrl: `${slow.url}/`, name: "sandbox", kind: "SANDBOX", timeoutMs: 10_000 });
    const pending = gw.authorize({
      idempotencyKey: "slow-1", amount: 1n, currency: "EUR", capture: true,
      card: { number: TEST_CARDS.approve, expMonth: 1, expYear },
    });
    await new Promise((r) => setTimeout(r, 50));
    await slow.close();
    expect((await pending).kind).toBe("approved"); // woken, not abandoned: the call is still answered
  });

  it("maps connection refused to transient connect_failed", async () => {
    const gone = await startSandboxGateway({ port: 0 });
    await gone.close();
    const gw = new HttpGateway({ baseUrl: gone.url, name: "sandbox", kind: "SANDBOX", timeoutMs: 2000 });
    const o = await gw.void({ idempotencyKey: "x", reference: "ch_x" });
    expect(o).toMatchObject({ kind: "transient", code: "connect_failed" });
  });

  it("with a control port, really refuses connections while down, keeps its ledger, and comes back", async () => {
    const sbx = await startSandboxGateway({ port: 0, controlPort: 0 });
    try {
      const gw = new HttpGateway({ baseUrl: sbx.url, name: "sandbox", kind: "SANDBOX", timeoutMs: 2000 });
      const pay = (key: string) => gw.authorize({ idempotencyKey: key, amount: 500n, currency: "EUR", card: { number: TEST_CARDS.approve, expMonth: 12, expYear: 2040, cvc: "123" }, capture: true });
      expect((await pay("before")).kind).toBe("approved");
      const put = (body: unknown) => fetch(`${sbx.controlUrl}/control`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
      expect((await put({ down: true })).status).toBe(200);
      expect(await pay("while-down")).toMatchObject({ kind: "transient", code: "connect_failed" });
      const witness = (await (await fetch(`${sbx.controlUrl}/ledger`)).json()) as { charges: { idempotencyKey: string }[] };
      expect(witness.charges.map((c) => c.idempotencyKey)).toEqual(["before"]);
      expect((await fetch(`${sbx.controlUrl}/v1/charges/before`)).status).toBe(404); // the control port serves only knobs and witness
      expect((await put({ down: false })).status).toBe(200);
      expect((await pay("after")).kind).toBe("approved");
    } finally {
      await sbx.close();
    }
  });
});
