// Gateway connector for the sandbox. It only does HTTP: builds the wire body (amounts as decimal
// strings), enforces the per-call timeout, and hands status + body to mapping.ts. Retries are the
// worker's job; a transient outcome means "call again with the same idempotency key".
import type {
  AuthorizeInput,
  CaptureInput,
  ChargeLookup,
  Gateway,
  GatewayOutcome,
  RefundInput,
  VoidInput,
} from "../gateway.js";
import { mapCharge, mapFetchError, mapResponse } from "./mapping.js";
import type { AuthorizeBody, CaptureBody, RefundBody, VoidBody } from "./wire.js";

export interface SandboxGatewayAdapterOptions {
  baseUrl: string;
  name?: string;
  /** Whole-call budget (connect + response + body). On expiry the outcome is transient/timeout. */
  timeoutMs: number;
}

export class SandboxGateway implements Gateway {
  readonly name: string;
  readonly kind = "SANDBOX" as const;
  private readonly baseUrl: string;
  private readonly timeoutMs: number;

  constructor(opts: SandboxGatewayAdapterOptions) {
    this.name = opts.name ?? "sandbox";
    this.baseUrl = opts.baseUrl.replace(/\/+$/, "");
    this.timeoutMs = opts.timeoutMs;
  }

  authorize(input: AuthorizeInput): Promise<GatewayOutcome> {
    const card: AuthorizeBody["card"] = {
      number: input.card.number,
      expMonth: input.card.expMonth,
      expYear: input.card.expYear,
    };
    // cvc is only sent when present (first use); it is not part of the idempotency fingerprint.
    if (input.card.cvc !== undefined) card.cvc = input.card.cvc;
    const body: AuthorizeBody = {
      idempotencyKey: input.idempotencyKey,
      amount: input.amount.toString(),
      currency: input.currency,
      card,
      capture: input.capture,
    };
    return this.post("/v1/authorize", body);
  }

  capture(input: CaptureInput): Promise<GatewayOutcome> {
    const body: CaptureBody = {
      idempotencyKey: input.idempotencyKey,
      reference: input.reference,
      amount: input.amount.toString(),
      currency: input.currency,
    };
    return this.post("/v1/capture", body);
  }

  void(input: VoidInput): Promise<GatewayOutcome> {
    const body: VoidBody = { idempotencyKey: input.idempotencyKey, reference: input.reference };
    return this.post("/v1/void", body);
  }

  refund(input: RefundInput): Promise<GatewayOutcome> {
    const body: RefundBody = {
      idempotencyKey: input.idempotencyKey,
      reference: input.reference,
      amount: input.amount.toString(),
      currency: input.currency,
    };
    return this.post("/v1/refund", body);
  }

  async retrieve(idempotencyKey: string): Promise<ChargeLookup> {
    try {
      const res = await fetch(`${this.baseUrl}/v1/charges/${encodeURIComponent(idempotencyKey)}`, {
        headers: { accept: "application/json" },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      return mapCharge(res.status, parseJson(await res.text()));
    } catch (err) {
      return mapFetchError(err);
    }
  }

  private async post(path: string, body: AuthorizeBody | CaptureBody | VoidBody | RefundBody): Promise<GatewayOutcome> {
    try {
      // One signal covers the body read too: a server that stalls mid-body is also a timeout.
      const res = await fetch(`${this.baseUrl}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const text = await res.text();
      return mapResponse(res.status, parseJson(text));
    } catch (err) {
      return mapFetchError(err);
    }
  }
}

/** Non-JSON bodies (a proxy's HTML 502 page, say) become undefined; mapResponse copes. */
function parseJson(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value;
  } catch {
    return undefined;
  }
}
