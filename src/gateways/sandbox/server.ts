// The sandbox card gateway over real HTTP. It exists so the worker's retry/idempotency logic is
// exercised against something that behaves like a production gateway: latency, outages, random
// 503s, and above all idempotency keys (one charge per key, however often or concurrently the
// key is sent). Configuration comes only from the options and PUT /control, never the environment.
// It also publishes a table of exchange rates (GET /rates) for paygraph's FX refresh.
import http from "node:http";
import Fastify, { type FastifyReply } from "fastify";
import { Ledger, chargeToJson, type OpResult } from "./ledger.js";
import { isIdempotencyKey, parseAuthorize, parseOp, type WireResponse } from "./wire.js";
import { DirectoryServer } from "./three-ds.js";
import { registerThreeDS } from "./three-ds-routes.js";

export interface SandboxGatewayOptions {
  /** 0 picks a free port; the real one is returned. */
  port: number;
  host?: string;
  name?: string;
  latencyMs?: number;
  logger?: boolean;
  /** Initial share (0..1) of authorize calls answered 503 without charging. */
  failRate?: number;
  /** Initial share (0..1) of authorize calls that charge, then answer only after TIMEOUT_HANG_MS. */
  timeoutRate?: number;
  /** ISO codes this instance accepts; undefined: all. */
  currencies?: string[];
  /**
   * A second port for the knobs and the witness (/control, /ledger, /rates, /healthz). With it,
   * `{"down": true}` really refuses connections on the gateway port (its listener closes) while
   * the sandbox stays controllable; without it, `down` answers 503 to gateway calls instead.
   */
  controlPort?: number;
  /** Injected for deterministic tests of failRate/expiry; default Math.random / wall clock. */
  random?: () => number;
  now?: () => Date;
  /** How long a 3-D Secure challenge waits for the cardholder before it ends N (timed out); default 10 minutes (PUT /control changes it). */
  challengeTimeoutMs?: number;
}

export interface SandboxControl {
  latencyMs: number;
  failRate: number;
  /** The calls `failRate` applies to: authorize only unless told (a flaky acquirer fails captures and refunds too). */
  failOperations: ("authorize" | "capture" | "void" | "refund")[];
  timeoutRate: number;
  currencies: string[] | null;
  down: boolean;
  /** How long a 3-D Secure challenge started from now waits for the cardholder before it ends N (timed out). */
  challengeTimeoutMs: number;
}

/** GET /rates's base currency. */
export const SANDBOX_RATES_BASE = "USD";

/**
 * GET /rates's table until PUT /control `{"rates": {...}}` replaces it (`{"rates": null}` brings it
 * back): units per US dollar, realistic but fixed, with 0-decimal (JPY, KRW) and 3-decimal
 * (KWD, BHD) currencies.
 */
export const SANDBOX_RATES: Readonly<Record<string, string>> = {
  EUR: "0.92", GBP: "0.79", CHF: "0.88", CAD: "1.36", AUD: "1.52", SEK: "10.45",
  JPY: "151.37", KRW: "1375.5", KWD: "0.3075", BHD: "0.376",
};

type RateTable = Record<string, string | number>;

/** PUT /control's `rates`: codes to positive decimal strings or numbers (served as given), or null. */
function parseRates(v: unknown): RateTable | null | string {
  if (v === null) return null;
  const problem = "rates must be null or an object of ISO 4217 codes to positive decimal strings or numbers";
  if (typeof v !== "object" || Array.isArray(v)) return problem;
  const entries = Object.entries(v as Record<string, unknown>);
  const ok = entries.length > 0 && entries.every(([code, rate]) =>
    /^[A-Z]{3}$/.test(code) && ((typeof rate === "string" && /^\d+(\.\d+)?$/.test(rate) && /[1-9]/.test(rate)) || (typeof rate === "number" && Number.isFinite(rate) && rate > 0)));
  return ok ? (Object.fromEntries(entries) as RateTable) : problem;
}

/** How long a "timed out" authorize takes to answer: longer than any sane client timeout. */
export const TIMEOUT_HANG_MS = 60_000;

/** PUT /control's fields: each parses its JSON value or says what is wrong with it. */
const CONTROL_FIELDS: { [K in keyof SandboxControl]: (v: unknown) => SandboxControl[K] | string } = {
  latencyMs: (v) => (typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= 600_000 ? v : "latencyMs must be an integer 0..600000"),
  failRate: (v) => (typeof v === "number" && v >= 0 && v <= 1 ? v : "failRate must be a number 0..1"),
  failOperations: (v) =>
    Array.isArray(v) && v.every((o) => ["authorize", "capture", "void", "refund"].includes(o as string))
      ? (v as SandboxControl["failOperations"])
      : "failOperations must be a list of authorize, capture, void, refund",
  timeoutRate: (v) => (typeof v === "number" && v >= 0 && v <= 1 ? v : "timeoutRate must be a number 0..1"),
  currencies: (v) =>
    v === null || (Array.isArray(v) && v.every((c) => typeof c === "string" && /^[A-Z]{3}$/.test(c)))
      ? (v as string[] | null)
      : "currencies must be null or a list of ISO 4217 codes",
  down: (v) => (typeof v === "boolean" ? v : "down must be a boolean"),
  challengeTimeoutMs: (v) => (typeof v === "number" && Number.isInteger(v) && v >= 100 && v <= 86_400_000 ? v : "challengeTimeoutMs must be an integer 100..86400000"),
};

export interface SandboxGatewayHandle { url: string; port: number; controlUrl: string | undefined; close(): Promise<void> }

type Op = "authorize" | "capture" | "void" | "refund";

interface Slot { fingerprint: string; result: OpResult }

const fail = (statusCode: number, code: string, message: string): OpResult => ({
  statusCode,
  body: { status: "error", code, message },
  store: false,
});
const unavailable = (message: string): OpResult => fail(503, "gateway_unavailable", message);

export async function startSandboxGateway(opts: SandboxGatewayOptions): Promise<SandboxGatewayHandle> {
  const name = opts.name ?? "sandbox";
  const random = opts.random ?? Math.random;
  const control: SandboxControl = {
    latencyMs: opts.latencyMs ?? 0, failRate: opts.failRate ?? 0, failOperations: ["authorize"], timeoutRate: opts.timeoutRate ?? 0, currencies: opts.currencies ?? null, down: false,
    challengeTimeoutMs: opts.challengeTimeoutMs ?? 600_000,
  };
  const ledger = new Ledger(opts.now);
  const now = opts.now ?? (() => new Date());
  const directory = new DirectoryServer(() => control.challengeTimeoutMs, () => now().getTime());
  // The rate table and its time: set at start, then at each PUT /control that changes it.
  let rates: { table: RateTable; asOf: Date } = { table: { ...SANDBOX_RATES }, asOf: now() };
  // Completed results per `${op}:${key}` (keys are scoped per operation so a client may reuse an
  // attempt id for authorize and capture), and calls still inside their latency window.
  const stored = new Map<string, Slot>();
  const inflight = new Map<string, { fingerprint: string; promise: Promise<OpResult> }>();

  // Latency timers are tracked so close() can wake them instead of hanging until they expire.
  const sleepers = new Set<() => void>();
  const sleep = (ms: number): Promise<void> =>
    ms <= 0
      ? Promise.resolve()
      : new Promise((resolve) => {
          const wake = (): void => {
            clearTimeout(timer);
            sleepers.delete(wake);
            resolve();
          };
          const timer = setTimeout(wake, ms);
          sleepers.add(wake);
        });

  const mismatch = (key: string): OpResult =>
    fail(400, "idempotency_mismatch", `Idempotency key ${key} was already used with different parameters`);

  /**
   * The idempotency core. The effect (`run`) happens synchronously before the latency wait, so a
   * client that times out or disconnects still leaves its charge behind, and its retry finds it.
   * Concurrent callers with the same key share the first caller's promise and answer identically.
   */
  async function idempotent(op: Op, key: string, fingerprint: string, run: () => OpResult): Promise<OpResult> {
    const slotKey = `${op}:${key}`;
    const pending = inflight.get(slotKey);
    if (pending) return pending.fingerprint === fingerprint ? pending.promise : mismatch(key);
    const prior = stored.get(slotKey);
    if (prior) {
      await sleep(control.latencyMs);
      return prior.fingerprint === fingerprint ? prior.result : mismatch(key);
    }
    const result = run();
    if (result.store) stored.set(slotKey, { fingerprint, result });
    const promise = sleep(control.latencyMs).then(() => result);
    inflight.set(slotKey, { fingerprint, promise });
    try {
      return await promise;
    } finally {
      inflight.delete(slotKey);
    }
  }

  /** Non-idempotent answers (validation errors, random 503s, lookups) still pay the latency. */
  async function slow(result: OpResult): Promise<OpResult> {
    await sleep(control.latencyMs);
    return result;
  }

  const send = (reply: FastifyReply, r: OpResult): FastifyReply => reply.code(r.statusCode).send(r.body);

  const app = Fastify({ logger: opts.logger ?? false });

  // Body/parse errors (bad JSON, wrong content type) get the same error shape as our own checks.
  app.setErrorHandler((err, _req, reply) => {
    const e = typeof err === "object" && err !== null ? err : {};
    const status = "statusCode" in e && typeof e.statusCode === "number" ? e.statusCode : 500;
    const message = "message" in e && typeof e.message === "string" ? e.message : "invalid request";
    const body: WireResponse =
      status < 500
        ? { status: "error", code: "invalid_request", message }
        : { status: "error", code: "processing_error", message: "internal sandbox error" };
    return reply.code(status < 500 ? status : 500).send(body);
  });
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send({ status: "error", code: "not_found", message: `No route ${req.method} ${req.url}` }),
  );

  // Outage simulation on one port: refuse the work (503) but keep the knobs and the witness.
  app.addHook("onRequest", async (req, reply) => {
    if (control.down && opts.controlPort === undefined && !req.url.startsWith("/control") && !req.url.startsWith("/ledger")) {
      return send(reply, unavailable(`${name} is down`));
    }
  });

  app.get("/healthz", async () => ({ ok: true, name }));

  /** Random 503s happen "in front of" the gateway: before any charge or idempotency lookup. */
  const injectedFailure = (op: SandboxControl["failOperations"][number]): boolean =>
    control.failRate > 0 && control.failOperations.includes(op) && random() < control.failRate;

  app.post("/v1/authorize", async (req, reply) => {
    const parsed = parseAuthorize(req.body);
    if (!parsed.ok) return send(reply, await slow(fail(400, "invalid_request", parsed.message)));
    if (injectedFailure("authorize")) return send(reply, await slow(unavailable("Injected failure (failRate)")));
    const a = parsed.value;
    if (control.currencies && !control.currencies.includes(a.currency)) {
      return send(reply, await slow(fail(400, "currency_not_supported", `${name} does not process ${a.currency}`)));
    }
    const fingerprint = [a.amount, a.currency, a.card.number, a.capture, a.authentication?.dsTransId ?? ""].join("|");
    const verified = a.authentication !== undefined && directory.verifies(a.authentication.dsTransId, a.authentication.authenticationValue, { cardNumber: a.card.number, amount: a.amount, currency: a.currency });
    const result = idempotent("authorize", a.idempotencyKey, fingerprint, () => ledger.authorize(a, verified));
    // A timeout as clients meet it: the charge is made, the answer comes far too late.
    if (control.timeoutRate > 0 && random() < control.timeoutRate) await sleep(TIMEOUT_HANG_MS);
    return send(reply, await result);
  });

  for (const op of ["capture", "void", "refund"] as const) {
    app.post(`/v1/${op}`, async (req, reply) => {
      const parsed = parseOp(req.body, op !== "void");
      if (!parsed.ok) return send(reply, await slow(fail(400, "invalid_request", parsed.message)));
      if (injectedFailure(op)) return send(reply, await slow(unavailable("Injected failure (failRate)")));
      const o = parsed.value;
      const fingerprint = [o.reference, o.amount, o.currency ?? ""].join("|");
      const run = (): OpResult => (op === "capture" ? ledger.capture(o) : op === "void" ? ledger.void(o) : ledger.refund(o));
      return send(reply, await idempotent(op, o.idempotencyKey, fingerprint, run));
    });
  }

  app.get("/v1/charges/:idempotencyKey", async (req, reply) => {
    const params = req.params;
    const key = typeof params === "object" && params !== null && "idempotencyKey" in params ? params.idempotencyKey : undefined;
    await sleep(control.latencyMs);
    const charge = isIdempotencyKey(key) ? ledger.get(key) : undefined;
    if (!charge) return reply.code(404).send({ status: "error", code: "not_found", message: "No charge for that key" });
    return chargeToJson(charge);
  });

  app.get("/ledger", async () => ({ charges: ledger.charges().map(chargeToJson) }));

  // 3-D Secure: the directory server and ACS (three-ds.ts), paced like every gateway call.
  await registerThreeDS(app, directory, () => sleep(control.latencyMs));

  // Exchange rates in the shape paygraph's FX refresh reads (src/fx/provider.ts).
  app.get("/rates", async () => ({ base: SANDBOX_RATES_BASE, asOf: rates.asOf.toISOString(), rates: rates.table }));

  app.get("/control", async () => control);
  app.put("/control", async (req, reply) => {
    const b = req.body;
    if (typeof b !== "object" || b === null || Array.isArray(b)) {
      return send(reply, fail(400, "invalid_request", "body must be a JSON object"));
    }
    const next: SandboxControl = { ...control };
    let nextRates: RateTable | null | undefined;
    for (const [field, value] of Object.entries(b)) {
      if (field === "rates") {
        const parsed = parseRates(value);
        if (typeof parsed === "string") return send(reply, fail(400, "invalid_request", parsed));
        nextRates = parsed;
        continue;
      }
      if (!(field in CONTROL_FIELDS)) return send(reply, fail(400, "invalid_request", `unknown setting '${field}'`));
      const parsed = CONTROL_FIELDS[field as keyof SandboxControl](value);
      if (typeof parsed === "string") return send(reply, fail(400, "invalid_request", parsed));
      Object.assign(next, { [field]: parsed });
    }
    const goingDown = next.down !== control.down;
    Object.assign(control, next); // all-or-nothing: a bad field changes nothing
    if (goingDown) await setListening(!control.down);
    if (nextRates !== undefined) rates = { table: nextRates ?? { ...SANDBOX_RATES }, asOf: now() };
    return control; // the rate table is read on GET /rates
  });

  const host = opts.host ?? "127.0.0.1";
  await app.listen({ port: opts.port, host });
  const address = app.server.address();
  if (address === null || typeof address === "string") throw new Error("sandbox gateway: no TCP address");
  const urlHost = host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "[::1]" : host.includes(":") ? `[${host}]` : host;
  const port = address.port;

  /** Only with a control port: close the gateway port (connections refused, open ones dropped) or open it again. */
  async function setListening(on: boolean): Promise<void> {
    if (opts.controlPort === undefined || on === app.server.listening) return;
    if (on) return new Promise((resolve, reject) => app.server.once("error", reject).listen(port, host, () => resolve()));
    await new Promise<void>((resolve) => {
      app.server.close(() => resolve());
      app.server.closeAllConnections();
    });
  }

  // The control port routes through the same Fastify app, limited to the knobs and the witness.
  const CONTROL_PATHS = /^\/(control|ledger|rates|healthz)(\?|$)/;
  const controlServer = opts.controlPort === undefined ? undefined : http.createServer((req, res) => {
    if (CONTROL_PATHS.test(req.url ?? "")) return app.routing(req, res);
    res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ status: "error", code: "not_found", message: "the control port serves /control, /ledger, /rates and /healthz" }));
  });
  if (controlServer) await new Promise<void>((resolve, reject) => controlServer.once("error", reject).listen(opts.controlPort, host, () => resolve()));
  const controlAddress = controlServer?.address();
  const controlUrl = controlAddress && typeof controlAddress !== "string" ? `http://${urlHost}:${controlAddress.port}` : undefined;

  return {
    url: `http://${urlHost}:${port}`,
    port,
    controlUrl,
    async close() {
      for (const wake of [...sleepers]) wake();
      if (controlServer) {
        await new Promise<void>((resolve) => controlServer.close(() => resolve()));
        controlServer.closeAllConnections();
        await setListening(true); // Fastify closes the server it started
      }
      await app.close();
    },
  };
}
