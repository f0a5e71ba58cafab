// Classification of sandbox answers into GatewayOutcome, kept pure (HTTP status + parsed body; a
// network failure is gateway-call.ts's) so every branch is unit-testable without a server. The rule of thumb:
// anything where the charge state is unknown or a retry with the same key may succeed is
// `transient`; anything the gateway definitively refused is `declined`.
import type { AuthenticationOutcome, ChargeLookup, GatewayOutcome, TransStatus } from "../gateway.js";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (body: unknown, field: string): string | undefined => {
  if (!isObj(body)) return undefined;
  const v = body[field];
  return typeof v === "string" ? v : undefined;
};

const transient = (code: string, message: string): GatewayOutcome => ({ kind: "transient", code, message });
const refusal = (code: string, message: string): GatewayOutcome => ({ kind: "declined", code, declineCode: "", message });

export function mapResponse(status: number, body: unknown): GatewayOutcome {
  const message = str(body, "message") ?? `HTTP ${status}`;
  switch (true) {
    case status === 200 || status === 201: {
      const reference = str(body, "reference");
      const s = str(body, "status");
      if (reference !== undefined && (s === "approved" || s === "succeeded")) return { kind: "approved", reference };
      if (reference !== undefined && s === "requires_action") return { kind: "requires_action", reference };
      // A 2xx we cannot read: the charge may exist, so only a same-key retry is safe.
      return transient("processing_error", "Unrecognised success response from sandbox gateway");
    }
    case status === 402: {
      const declineCode = str(body, "declineCode") ?? "";
      return {
        kind: "declined",
        code: str(body, "code") ?? "card_declined",
        declineCode,
        message,
      };
    }
    case status === 404:
      return refusal("not_found", message);
    case status === 409:
      return refusal("invalid_state", message);
    case status === 408 || status === 429:
      // Request timeout / rate limited: nothing happened yet, retry later.
      return transient("gateway_unavailable", message);
    case status >= 400 && status < 500:
      // invalid_request, idempotency_mismatch: a bug on our side; retrying cannot help.
      return refusal(str(body, "code") ?? "invalid_request", message);
    case status === 500:
      return transient("processing_error", message);
    case status === 502 || status === 503 || status === 504:
      return transient("gateway_unavailable", message);
    default:
      // Other 5xx, 1xx/3xx: outcome unknown.
      return transient("processing_error", message);
  }
}

/** A ledger entry from GET /v1/charges/:key as the outcome of the authorize call that made it. */
export function mapCharge(status: number, body: unknown): ChargeLookup {
  if (status === 404) return { kind: "not_found" };
  if (status !== 200) return mapResponse(status, body);
  const reference = str(body, "reference");
  const declineCode = str(body, "declineCode") ?? "";
  switch (str(body, "status")) {
    case "authorized":
    case "captured":
    case "voided":
      return reference ? { kind: "approved", reference } : transient("processing_error", "Charge without a reference");
    case "requires_action":
      return reference ? { kind: "requires_action", reference } : transient("processing_error", "Charge without a reference");
    case "declined":
      return { kind: "declined", code: "card_declined", declineCode, message: "The card was declined" };
    default:
      return transient("processing_error", "Unrecognised charge status from sandbox gateway");
  }
}

const isWebUrl = (text: string): boolean => {
  try {
    return ["https:", "http:"].includes(new URL(text).protocol);
  } catch {
    return false;
  }
};

const TRANS_STATUSES: readonly string[] = ["Y", "A", "N", "U", "R", "C"];
const strOrNull = (body: Obj, field: string): string | null => (typeof body[field] === "string" ? (body[field] as string) : null);

/** The ARes (POST /v1/3ds/authenticate) or the result (GET /v1/3ds/:id) as an authentication outcome. */
export function mapAuthentication(status: number, body: unknown): AuthenticationOutcome {
  if (status !== 200) {
    const outcome = mapResponse(status, body);
    return outcome.kind === "declined" || outcome.kind === "transient" ? outcome : transient("processing_error", `Unexpected 3-D Secure answer (HTTP ${status})`) as AuthenticationOutcome;
  }
  const transStatus = str(body, "transStatus");
  const dsTransId = str(body, "dsTransId");
  const acsTransId = str(body, "acsTransId");
  if (!isObj(body) || !transStatus || !TRANS_STATUSES.includes(transStatus) || !dsTransId || !acsTransId) {
    return transient("processing_error", "Unrecognised 3-D Secure answer from sandbox gateway") as AuthenticationOutcome;
  }
  const challenge = isObj(body.challenge) && typeof body.challenge.acsUrl === "string" && typeof body.challenge.creq === "string"
    ? { acsUrl: body.challenge.acsUrl, creq: body.challenge.creq } : null;
  if (transStatus === "C" && (!challenge || !isWebUrl(challenge.acsUrl))) return transient("processing_error", "A 3-D Secure challenge without a usable ACS URL") as AuthenticationOutcome;
  return {
    kind: "authentication",
    result: {
      version: str(body, "messageVersion") ?? "2.2.0", dsTransId, acsTransId,
      flow: str(body, "flow") === "CHALLENGE" ? "CHALLENGE" : "FRICTIONLESS",
      transStatus: transStatus as TransStatus,
      transStatusReason: strOrNull(body, "transStatusReason"), eci: strOrNull(body, "eci"),
      authenticationValue: strOrNull(body, "authenticationValue"), challengeCancel: strOrNull(body, "challengeCancel"),
      challenge,
    },
  };
}
