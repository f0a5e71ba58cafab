// The sandbox's 3-D Secure: a directory server and an ACS, as EMV 3DS 2.2 shapes them, simulated
// with the same care as its charges. The card number picks the outcome (THREE_DS_CARDS): a
// frictionless answer (Y authenticated, A attempted, N not authenticated, U unavailable, R rejected)
// or C, a challenge on a real HTML page (acs-pages.ts) where the code 123456 authenticates and a
// wrong code, Cancel or the time running out do not. Every outcome carries a consistent ECI, a
// CAVV-like authentication value (an HMAC the sandbox's authorize verifies) and transaction ids.
// Pure bookkeeping here; the HTTP routes are three-ds-routes.ts.
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import type { TransStatus } from "../gateway.js";

export type { TransStatus };

export const THREE_DS_VERSION = "2.2.0";
/** The one-time code the sandbox's challenge accepts. */
export const CHALLENGE_CODE = "123456";

/** By card number; any other card is frictionless Y (3-D Secure supported, nothing asked). */
export const THREE_DS_CARDS: Readonly<Record<string, { transStatus: TransStatus; transStatusReason?: string; what: string }>> = {
  "4000000000003220": { transStatus: "C", what: "challenged: the code 123456 authenticates" },
  "4000000000003238": { transStatus: "C", what: "challenged (paygraph's risk step always asks 3-D Secure of this card)" },
  "4000000000003055": { transStatus: "Y", what: "frictionless, authenticated" },
  "4000000000003063": { transStatus: "A", what: "frictionless, attempted (the issuer does not take part; liability still shifts)" },
  "4000000000003071": { transStatus: "N", transStatusReason: "01", what: "frictionless, not authenticated (card authentication failed)" },
  "4000000000003089": { transStatus: "U", transStatusReason: "08", what: "unavailable (no card record at the ACS)" },
  "4000000000003097": { transStatus: "R", transStatusReason: "11", what: "rejected by the issuer (suspected fraud): do not authorize" },
  "5222222222223225": { transStatus: "C", what: "Mastercard, challenged (ECI 02 when authenticated)" },
  "5222222222223050": { transStatus: "Y", what: "Mastercard, frictionless, authenticated" },
};

/** Visa and most schemes: 05 authenticated, 06 attempted, 07 neither; Mastercard: 02, 01, 00. */
export function eciFor(cardNumber: string, transStatus: TransStatus): string | null {
  const mastercard = /^(5[1-5]|2[2-7])/.test(cardNumber);
  if (transStatus === "Y") return mastercard ? "02" : "05";
  if (transStatus === "A") return mastercard ? "01" : "06";
  if (transStatus === "C") return null;
  return mastercard ? "00" : "07";
}

export interface AuthenticationRequest {
  /** The requestor's id for this authentication (paygraph's attempt): the same id, the same answer. */
  transactionId: string;
  amount: bigint;
  currency: string;
  cardNumber: string;
  /** Where the ACS posts the CRes when a challenge ends (the requestor's return endpoint). */
  notificationUrl: string;
}

export interface Authentication {
  transactionId: string;
  dsTransId: string;
  acsTransId: string;
  transStatus: TransStatus;
  transStatusReason: string | null;
  eci: string | null;
  /** The CAVV-like value (base64, 28 characters) for Y and A; null otherwise. */
  authenticationValue: string | null;
  /** "01": the cardholder cancelled the challenge. */
  challengeCancel: string | null;
  flow: "FRICTIONLESS" | "CHALLENGE";
  amount: bigint;
  currency: string;
  cardNumber: string;
  notificationUrl: string;
  /** A challenge not answered by then ends N, reason 14 (timed out at the ACS). */
  challengeDeadline: number | null;
}

/** The request's fingerprint: a transaction id reused for another payment is refused. */
const fingerprintOf = (r: AuthenticationRequest): string => [r.amount, r.currency, r.cardNumber, r.notificationUrl].join("|");

export class DirectoryServer {
  private readonly byTransaction = new Map<string, { fingerprint: string; auth: Authentication }>();
  private readonly byAcsTransId = new Map<string, Authentication>();
  private readonly byDsTransId = new Map<string, Authentication>();
  /** Signs authentication values: only this sandbox's authorize can verify them. */
  private readonly key = randomBytes(32);

  /** `challengeTimeoutMs` is read when a challenge starts (the sandbox's PUT /control may change it). */
  constructor(private readonly challengeTimeoutMs: () => number, private readonly now: () => number = Date.now) {}

  /** The AReq: a frictionless answer or a challenge to run. Idempotent on transactionId. */
  authenticate(req: AuthenticationRequest): Authentication | "mismatch" {
    const fingerprint = fingerprintOf(req);
    const known = this.byTransaction.get(req.transactionId);
    if (known) return known.fingerprint === fingerprint ? this.current(known.auth) : "mismatch";
    const outcome = THREE_DS_CARDS[req.cardNumber] ?? { transStatus: "Y" as const };
    const auth: Authentication = {
      transactionId: req.transactionId,
      dsTransId: randomUUID(),
      acsTransId: randomUUID(),
      transStatus: outcome.transStatus,
      transStatusReason: outcome.transStatusReason ?? null,
      eci: null,
      authenticationValue: null,
      challengeCancel: null,
      flow: outcome.transStatus === "C" ? "CHALLENGE" : "FRICTIONLESS",
      amount: req.amount,
      currency: req.currency,
      cardNumber: req.cardNumber,
      notificationUrl: req.notificationUrl,
      challengeDeadline: outcome.transStatus === "C" ? this.now() + this.challengeTimeoutMs() : null,
    };
    if (auth.transStatus !== "C") this.finish(auth, auth.transStatus, auth.transStatusReason);
    this.byTransaction.set(req.transactionId, { fingerprint, auth });
    this.byAcsTransId.set(auth.acsTransId, auth);
    this.byDsTransId.set(auth.dsTransId, auth);
    return auth;
  }

  /** The result as the requestor reads it (the RReq): a challenge past its deadline has ended N. */
  result(transactionId: string): Authentication | undefined {
    const known = this.byTransaction.get(transactionId);
    return known && this.current(known.auth);
  }

  /** The challenge behind an ACS transaction id, if still open (the page's GET and POST). */
  challenge(acsTransId: string): Authentication | undefined {
    const auth = this.byAcsTransId.get(acsTransId);
    return auth && this.current(auth);
  }

  /** The cardholder's answer: the code, or Cancel. Answers the final state (also when already final). */
  answer(acsTransId: string, answer: { code: string } | { cancel: true }): Authentication | undefined {
    const auth = this.challenge(acsTransId);
    if (!auth || auth.transStatus !== "C") return auth;
    if ("cancel" in answer) {
      auth.challengeCancel = "01";
      this.finish(auth, "N", "01");
    } else if (answer.code === CHALLENGE_CODE) {
      this.finish(auth, "Y", null);
    } else {
      this.finish(auth, "N", "01"); // one try: a wrong code fails the authentication
    }
    return auth;
  }

  /**
   * Does `value` prove an authentication of this card, amount and currency that allows an
   * authorization (Y or A)? What the sandbox's authorize asks of a card that needs 3-D Secure.
   */
  verifies(dsTransId: string, value: string, charge: { cardNumber: string; amount: bigint; currency: string }): boolean {
    const auth = this.byDsTransId.get(dsTransId);
    if (!auth || (auth.transStatus !== "Y" && auth.transStatus !== "A") || !auth.authenticationValue) return false;
    if (auth.cardNumber !== charge.cardNumber || auth.amount !== charge.amount || auth.currency !== charge.currency) return false;
    const given = Buffer.from(value);
    const expected = Buffer.from(auth.authenticationValue);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private current(auth: Authentication): Authentication {
    if (auth.transStatus === "C" && auth.challengeDeadline !== null && this.now() >= auth.challengeDeadline) this.finish(auth, "N", "14");
    return auth;
  }

  private finish(auth: Authentication, transStatus: Exclude<TransStatus, "C">, reason: string | null): void {
    auth.transStatus = transStatus;
    auth.transStatusReason = reason;
    auth.eci = eciFor(auth.cardNumber, transStatus);
    auth.authenticationValue = transStatus === "Y" || transStatus === "A"
      ? createHmac("sha256", this.key).update([auth.dsTransId, transStatus, auth.eci, auth.amount, auth.currency, auth.cardNumber].join("|")).digest().subarray(0, 20).toString("base64")
      : null;
  }
}

/** The CReq / CRes messages the browser carries between requestor and ACS: base64url JSON. */
export const encodeMessage = (message: Record<string, string>): string => Buffer.from(JSON.stringify(message)).toString("base64url");
export function decodeMessage(text: unknown): Record<string, string> | undefined {
  if (typeof text !== "string" || text.length > 4096) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, string>) : undefined;
  } catch {
    return undefined;
  }
}
