// The one module that calls gateways. Domain code (the attempt runner, refunds, captures and voids)
// names a target — the merchant's gateway account an attempt went to, or the server's default
// gateway — and an operation; this module picks the connector for the account's kind, sends the
// request over a keep-alive connection pool under one whole-call timeout, maps network failures,
// and records latency for every operation and the circuit statistics of authorizations.
// Connectors (sandbox/adapter.ts) stay pure translators.
import { Pool } from "undici";
import type { App } from "../app/app.js";
import { AppError, ErrorCode } from "../platform/errors.js";
import { gatewayLatency } from "../platform/metrics.js";
import type { GatewayKind } from "../generated/prisma/enums.js";
import { segmentOf, type CallResult } from "../routing/gateway-stats.js";
import { unseal } from "../vault/vault.js";
import { CONFIG_PURPOSE, type SandboxConfig } from "./accounts/gateway-accounts.js";
import type { Connector, GatewayOperation, OperationResult } from "./connector.js";
import { CONNECT_FAILED, type AuthenticationOutcome, type AuthorizeInput, type CaptureInput, type ChargeLookup, type Gateway, type GatewayOutcome, type RefundInput, type VoidInput } from "./gateway.js";
import { sandboxConnector } from "./sandbox/adapter.js";

/** The connector of each gateway kind. */
const CONNECTORS: Record<GatewayKind, Connector> = { SANDBOX: sandboxConnector };

/** Keep-alive pools, one per gateway origin, shared by every account that points there. */
const pools = new Map<string, Pool>();
function poolFor(origin: string): Pool {
  let pool = pools.get(origin);
  if (!pool) {
    pool = new Pool(origin, { connections: 64, keepAliveTimeout: 4_000 });
    pools.set(origin, pool);
  }
  return pool;
}

/** Closes the pools (process shutdown). */
export async function closeGatewayPools(): Promise<void> {
  const all = [...pools.values()];
  pools.clear();
  await Promise.all(all.map((p) => p.close().catch(() => undefined)));
}

export interface HttpGatewayOptions {
  baseUrl: string;
  name: string;
  kind: GatewayKind;
  /** Whole-call budget (connect + response + body). On expiry the outcome is transient/timeout. */
  timeoutMs: number;
}

/** A gateway reached over HTTP through its kind's connector. */
export class HttpGateway implements Gateway {
  readonly name: string;
  readonly kind: GatewayKind;
  private readonly origin: string;
  private readonly basePath: string;
  private readonly timeoutMs: number;
  private readonly connector: Connector;

  constructor(opts: HttpGatewayOptions) {
    const url = new URL(opts.baseUrl);
    this.name = opts.name;
    this.kind = opts.kind;
    this.origin = url.origin;
    this.basePath = url.pathname.replace(/\/+$/, "");
    this.timeoutMs = opts.timeoutMs;
    this.connector = CONNECTORS[opts.kind];
  }

  async call<O extends GatewayOperation>(operation: O): Promise<OperationResult<O>> {
    const req = this.connector.request(operation);
    try {
      // One signal covers the body read too: a server that stalls mid-body is also a timeout.
      const res = await poolFor(this.origin).request({
        method: req.method,
        path: `${this.basePath}${req.path}`,
        headers: { accept: "application/json", ...(req.body !== undefined ? { "content-type": "application/json" } : {}) },
        ...(req.body !== undefined ? { body: JSON.stringify(req.body) } : {}),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const text = await res.body.text();
      return this.connector.response(operation, res.statusCode, parseJson(text));
    } catch (err) {
      return mapNetworkError(err, this.name) as OperationResult<O>;
    }
  }

  authorize(input: AuthorizeInput): Promise<GatewayOutcome> { return this.call({ op: "authorize", input }); }
  capture(input: CaptureInput): Promise<GatewayOutcome> { return this.call({ op: "capture", input }); }
  void(input: VoidInput): Promise<GatewayOutcome> { return this.call({ op: "void", input }); }
  refund(input: RefundInput): Promise<GatewayOutcome> { return this.call({ op: "refund", input }); }
  retrieve(idempotencyKey: string): Promise<ChargeLookup> { return this.call({ op: "retrieve", idempotencyKey }); }
}

/** Non-JSON bodies (a proxy's HTML 502 page, say) become undefined; connectors cope. */
function parseJson(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Connection error codes meaning "the request never got a proper answer". */
const CONNECTION_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN", "EPIPE", "UND_ERR_SOCKET", "UND_ERR_CONNECT_TIMEOUT", "UND_ERR_CLOSED"]);
/** Of those, the ones that prove the request never left: nothing can have been charged. */
const NEVER_CONNECTED_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "UND_ERR_CONNECT_TIMEOUT"]);
const TIMEOUT_CODES = new Set(["UND_ERR_ABORTED", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"]);

const prop = (v: unknown, field: string): string | undefined => {
  const value = typeof v === "object" && v !== null ? (v as Record<string, unknown>)[field] : undefined;
  return typeof value === "string" ? value : undefined;
};

/** Classifies what the HTTP call (or reading its body) threw. Always transient: the outcome is unknown. */
export function mapNetworkError(err: unknown, gateway = "gateway"): GatewayOutcome {
  const transient = (code: string, message: string): GatewayOutcome => ({ kind: "transient", code, message });
  const name = prop(err, "name");
  const cause = typeof err === "object" && err !== null ? (err as { cause?: unknown }).cause : undefined;
  const code = prop(cause, "code") ?? prop(err, "code");
  // AbortSignal.timeout() aborts with a DOMException named TimeoutError.
  if (name === "TimeoutError" || name === "AbortError" || (code !== undefined && TIMEOUT_CODES.has(code))) {
    return transient("timeout", `${gateway} did not answer in time`);
  }
  if (code !== undefined && NEVER_CONNECTED_CODES.has(code)) return transient(CONNECT_FAILED, `${gateway} unreachable (${code})`);
  if (code !== undefined && CONNECTION_CODES.has(code)) return transient("gateway_unavailable", `${gateway} connection lost (${code})`);
  // The error's own text may quote the URL (and anything in it): keep it out of attempts and logs.
  return transient("gateway_unavailable", `${gateway} request failed (${name ?? "error"})`);
}

/** Where a payment's calls go: the gateway account its attempt was routed to, or the server's default gateway (null). */
export interface GatewayTarget {
  merchantId: string;
  gatewayAccountId: string | null;
}

/** Gateways by account (an account's config never changes): decrypting it on every call would be wasted work. */
const byAccount = new Map<string, HttpGateway>();
let serverDefault: { url: string; gateway: HttpGateway } | undefined;

/** The gateway of `target`; disabled accounts still serve the payments they authorized (capture, refund). */
export async function gatewayFor(app: Pick<App, "config" | "db" | "vault">, target: GatewayTarget): Promise<HttpGateway> {
  if (!target.gatewayAccountId) {
    const url = app.config.gatewayUrl;
    if (!url) throw new AppError(ErrorCode.GATEWAY_UNAVAILABLE, "No payment gateway is configured on this server");
    if (serverDefault?.url !== url) serverDefault = { url, gateway: new HttpGateway({ baseUrl: url, name: "sandbox", kind: "SANDBOX", timeoutMs: app.config.gatewayTimeoutMs }) };
    return serverDefault.gateway;
  }
  const cached = byAccount.get(target.gatewayAccountId);
  if (cached) return cached;
  const account = await app.db.gatewayAccount.findFirst({ where: { id: target.gatewayAccountId, merchantId: target.merchantId } });
  if (!account) throw new AppError(ErrorCode.GATEWAY_UNAVAILABLE, `Gateway account ${target.gatewayAccountId} no longer exists`);
  const config = JSON.parse(await unseal(app.vault, account.merchantId, account.configCiphertext, CONFIG_PURPOSE)) as SandboxConfig;
  const gateway = new HttpGateway({ baseUrl: config.url, name: account.name, kind: account.kind, timeoutMs: app.config.gatewayTimeoutMs });
  if (byAccount.size > 1000) byAccount.clear();
  byAccount.set(account.id, gateway);
  return gateway;
}

const callResult = (outcome: GatewayOutcome | ChargeLookup | AuthenticationOutcome): CallResult =>
  outcome.kind === "approved" || outcome.kind === "requires_action" || outcome.kind === "authentication" ? "approved" : outcome.kind === "declined" ? "declined" : "failed";

export interface CallOptions {
  /** Authorizations: the (currency, brand) window their result counts in for routing and the circuit breaker. */
  segment?: { currency: string; brand: string };
}

/** Calls `operation` on the target's gateway: latency for every operation, statistics for authorizations. */
export async function callGateway<O extends GatewayOperation>(
  app: Pick<App, "config" | "db" | "vault" | "stats">, target: GatewayTarget, operation: O, opts: CallOptions = {},
): Promise<{ outcome: OperationResult<O>; latencyMs: number; gateway: HttpGateway }> {
  const gateway = await gatewayFor(app, target);
  const started = performance.now();
  const outcome = await gateway.call(operation);
  const latencyMs = Math.round(performance.now() - started);
  gatewayLatency.observe({ gateway: gateway.name, operation: operation.op, outcome: outcome.kind }, latencyMs / 1000);
  if (opts.segment && target.gatewayAccountId) {
    await app.stats.record(target.gatewayAccountId, segmentOf(opts.segment.currency, opts.segment.brand), callResult(outcome));
  }
  return { outcome, latencyMs, gateway };
}
