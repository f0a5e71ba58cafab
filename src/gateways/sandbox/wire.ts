// The sandbox's JSON wire format, shared by the server (which validates requests) and the adapter
// (which builds them). Amounts travel as decimal integer strings so no value ever passes through
// a JS number/float on either side; they become bigint immediately after validation.

export interface AuthorizeBody {
  idempotencyKey: string;
  amount: string;
  currency: string;
  card: { number: string; expMonth: number; expYear: number; cvc?: string };
  capture: boolean;
  /** A 3-D Secure authentication of this card and amount (POST /v1/3ds/authenticate): its ids and value. */
  authentication?: { dsTransId: string; authenticationValue: string };
}
/** POST /v1/3ds/authenticate (three-ds-routes.ts validates it). */
export interface AuthenticateBody { transactionId: string; amount: string; currency: string; card: { number: string }; notificationUrl: string }
export interface CaptureBody { idempotencyKey: string; reference: string; amount: string; currency?: string }
export interface VoidBody { idempotencyKey: string; reference: string }
export interface RefundBody { idempotencyKey: string; reference: string; amount: string; currency?: string }

/** Responses: 200 success, 402 declined, 4xx/5xx error. */
export type WireResponse =
  | { status: "approved" | "requires_action"; reference: string; captured: boolean }
  | { status: "succeeded"; reference: string; [extra: string]: unknown }
  | { status: "declined"; code: string; declineCode: string; message: string }
  | { status: "error"; code: string; message: string };

export interface ParsedAuthorize {
  idempotencyKey: string;
  amount: bigint;
  currency: string;
  card: { number: string; expMonth: number; expYear: number };
  capture: boolean;
  authentication?: { dsTransId: string; authenticationValue: string };
}
export interface ParsedOp { idempotencyKey: string; reference: string; amount: bigint; currency?: string }

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

// Positive, no leading zeros, at most 18 digits (fits a signed 64-bit column downstream).
const AMOUNT = /^[1-9]\d{0,17}$/;
const CURRENCY = /^[A-Z]{3}$/;
const KEY = /^[\x21-\x7e]{1,255}$/; // printable ASCII without spaces: safe in a URL path segment

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const isInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v);

export const isIdempotencyKey = (v: unknown): v is string => typeof v === "string" && KEY.test(v);

function common(body: unknown): Parsed<Obj & { idempotencyKey: string }> {
  if (!isObj(body)) return { ok: false, message: "body must be a JSON object" };
  if (!isIdempotencyKey(body.idempotencyKey)) {
    return { ok: false, message: "idempotencyKey must be 1-255 printable ASCII characters" };
  }
  return { ok: true, value: { ...body, idempotencyKey: body.idempotencyKey } };
}

function amountOf(v: unknown): bigint | undefined {
  // Deliberately rejects JSON numbers: a number here means the client went through a float.
  return typeof v === "string" && AMOUNT.test(v) ? BigInt(v) : undefined;
}

export function parseAuthorize(body: unknown): Parsed<ParsedAuthorize> {
  const c = common(body);
  if (!c.ok) return c;
  const b = c.value;
  const amount = amountOf(b.amount);
  if (amount === undefined) return { ok: false, message: "amount must be a positive integer string" };
  if (typeof b.currency !== "string" || !CURRENCY.test(b.currency)) {
    return { ok: false, message: "currency must be 3 upper-case letters" };
  }
  if (typeof b.capture !== "boolean") return { ok: false, message: "capture must be a boolean" };
  const card = b.card;
  if (!isObj(card)) return { ok: false, message: "card is required" };
  if (typeof card.number !== "string" || !/^\d{12,19}$/.test(card.number)) {
    return { ok: false, message: "card.number must be 12-19 digits" };
  }
  if (!isInt(card.expMonth) || card.expMonth < 1 || card.expMonth > 12) {
    return { ok: false, message: "card.expMonth must be 1-12" };
  }
  if (!isInt(card.expYear) || card.expYear < 2000 || card.expYear > 2100) {
    return { ok: false, message: "card.expYear must be a four-digit year" };
  }
  if (card.cvc !== undefined && (typeof card.cvc !== "string" || !/^\d{3,4}$/.test(card.cvc))) {
    return { ok: false, message: "card.cvc must be 3-4 digits" };
  }
  const auth = b.authentication;
  if (auth !== undefined && (!isObj(auth) || typeof auth.dsTransId !== "string" || auth.dsTransId.length > 64 || typeof auth.authenticationValue !== "string" || auth.authenticationValue.length > 64)) {
    return { ok: false, message: "authentication must be { dsTransId, authenticationValue }" };
  }
  return {
    ok: true,
    value: {
      idempotencyKey: b.idempotencyKey,
      amount,
      currency: b.currency,
      card: { number: card.number, expMonth: card.expMonth, expYear: card.expYear },
      capture: b.capture,
      ...(isObj(auth) ? { authentication: { dsTransId: String(auth.dsTransId), authenticationValue: String(auth.authenticationValue) } } : {}),
    },
  };
}

/** capture/refund (withAmount) and void (without). */
export function parseOp(body: unknown, withAmount: boolean): Parsed<ParsedOp> {
  const c = common(body);
  if (!c.ok) return c;
  const b = c.value;
  if (typeof b.reference !== "string" || b.reference.length === 0 || b.reference.length > 255) {
    return { ok: false, message: "reference is required" };
  }
  let amount = 0n;
  if (withAmount) {
    const a = amountOf(b.amount);
    if (a === undefined) return { ok: false, message: "amount must be a positive integer string" };
    amount = a;
  }
  if (b.currency !== undefined && (typeof b.currency !== "string" || !CURRENCY.test(b.currency))) {
    return { ok: false, message: "currency must be 3 upper-case letters" };
  }
  return {
    ok: true,
    value: { idempotencyKey: b.idempotencyKey, reference: b.reference, amount, currency: b.currency },
  };
}
