// The contract every gateway connector implements. Adapters are pure translators between this
// shape and a gateway's wire format; the worker owns retries, timeouts and state changes.
// Amounts are integer minor units of `currency` (ISO 4217 exponent), never floats.
import type { GatewayKind } from "../generated/prisma/enums.js";

export interface CardDetails {
  number: string;
  expMonth: number;
  expYear: number;
  /** Present only on the first use of a card; never stored. */
  cvc?: string;
}

export interface AuthorizeInput {
  /** The attempt id: the gateway charges at most once per key, however often it is called. */
  idempotencyKey: string;
  amount: bigint;
  currency: string;
  card: CardDetails;
  /** true: authorize and capture in one step (automatic capture). */
  capture: boolean;
  /** A 3-D Secure authentication of this card and amount (Y or A): what the issuer checks. */
  authentication?: { dsTransId: string; authenticationValue: string };
}

/** An AReq: authenticate `card` for this amount at the gateway's directory server. */
export interface AuthenticateInput {
  /** The requestor's transaction id (the attempt's): the same id, the same authentication. */
  transactionId: string;
  amount: bigint;
  currency: string;
  card: CardDetails;
  /** Where the ACS sends the shopper's browser (with the CRes) when a challenge ends. */
  notificationUrl: string;
}

/** EMV 3DS transStatus: Y, A, N, U, R final; C a challenge is due. */
export type TransStatus = "Y" | "A" | "N" | "U" | "R" | "C";

/** A directory server's answer (ARes) or its later result (RReq), connector-neutral. */
export interface ThreeDSResult {
  version: string;
  dsTransId: string;
  acsTransId: string;
  flow: "FRICTIONLESS" | "CHALLENGE";
  transStatus: TransStatus;
  transStatusReason: string | null;
  eci: string | null;
  authenticationValue: string | null;
  /** "01": the shopper cancelled the challenge. */
  challengeCancel: string | null;
  /** For C: where the shopper's browser posts `creq`. */
  challenge: { acsUrl: string; creq: string } | null;
}

/** What an authentication call came to: a result, a refusal of the request, or a lost answer. */
export type AuthenticationOutcome =
  | { kind: "authentication"; result: ThreeDSResult }
  | Extract<GatewayOutcome, { kind: "declined" | "transient" }>;

export interface CaptureInput { idempotencyKey: string; reference: string; amount: bigint; currency: string }
export interface VoidInput { idempotencyKey: string; reference: string }
export interface RefundInput { idempotencyKey: string; reference: string; amount: bigint; currency: string }

/**
 * What a gateway said, in the connector-neutral shape. Whether a refusal is final, worth another
 * gateway or worth a retry is decided by the outcome table (src/routing/outcome-decisions.ts),
 * not here. `transient` means the outcome is unknown or the call may
 * succeed if repeated with the same idempotency key (timeouts, 5xx, processing_error).
 */
export type GatewayOutcome =
  | { kind: "approved"; reference: string }
  | { kind: "requires_action"; reference: string }
  | { kind: "declined"; code: string; declineCode: string; message: string }
  | { kind: "transient"; code: string; message: string };

/** The transient code of a call whose connection never opened: the one that proves nothing was charged. */
export const CONNECT_FAILED = "connect_failed";

/** What a gateway knows of an earlier authorize call, looked up by its idempotency key. */
export type ChargeLookup = GatewayOutcome | { kind: "not_found" };

/** Thrown by a worker to let BullMQ retry the job with backoff: same gateway, same idempotency key. */
export class TransientGatewayError extends Error {}

export interface Gateway {
  readonly name: string;
  /** The connector kind: which outcome table (src/routing/decision-table.ts) reads its errors. */
  readonly kind: GatewayKind;
  authorize(input: AuthorizeInput): Promise<GatewayOutcome>;
  capture(input: CaptureInput): Promise<GatewayOutcome>;
  void(input: VoidInput): Promise<GatewayOutcome>;
  refund(input: RefundInput): Promise<GatewayOutcome>;
  /**
   * The state of the authorization made under `idempotencyKey`: how the worker settles an attempt
   * whose answer was lost (timeout, 5xx) without charging twice. `not_found`: nothing was charged.
   */
  retrieve(idempotencyKey: string): Promise<ChargeLookup>;
}
