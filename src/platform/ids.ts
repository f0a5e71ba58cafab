// Prefixed, opaque ids (`pay_…`, `re_…`): the prefix says what an id is, so `node(id:)` can route
// it and a support engineer can read a log line. 22 base62 chars ≈ 131 random bits.
import { createHash } from "node:crypto";
import { customAlphabet } from "nanoid";

const random = customAlphabet("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", 22);

export const IdPrefix = {
  merchant: "mer",
  apiKey: "key",
  payment: "pay",
  attempt: "att",
  refund: "re",
  /** A staged capture or void (src/payments/operations/staged-operation.ts). */
  paymentOperation: "op",
  paymentMethod: "pm",
  /** A webhook event: the audit record `aud_X` of a payment or refund, as receivers see it (`evt_X`). */
  event: "evt",
  /** An entry of `Payment.events`: the payment's audit record `aud_X`, as its own history shows it (`pev_X`). */
  paymentEvent: "pev",
  webhookEndpoint: "we",
  webhookDelivery: "whd",
  batch: "bat",
  alertRule: "alr",
  alert: "alt",
  alertNotification: "aln",
  gatewayAccount: "gwa",
  auditRecord: "aud",
  customer: "cus",
  cardToken: "tok",
  dataKey: "dek",
  user: "usr",
  userSession: "ses",
  invitation: "inv",
  oauthClient: "oac",
  signingKey: "sig",
  /** A 3-D Secure authentication (src/payments/three-d-secure). */
  threeDSecure: "3ds",
  /** A hosted checkout session (src/checkout). */
  checkoutSession: "cs",
  /** An allow or block list entry of the risk step (src/risk/risk-lists.ts). */
  riskListEntry: "rle",
} as const;
export type IdPrefix = (typeof IdPrefix)[keyof typeof IdPrefix];

/**
 * The tenant of platform-wide rows that are not any merchant's (the OAuth signing keys' vault data
 * key and its audit records): used where a merchantId is required.
 */
export const PLATFORM_TENANT = "platform";

export function newId(prefix: IdPrefix): string {
  return `${prefix}_${random()}`;
}

/** The prefix of a well-formed id, or undefined. */
export function prefixOf(id: string): IdPrefix | undefined {
  const match = /^([a-z]+)_[0-9A-Za-z]{8,64}$/.exec(id);
  const prefix = match?.[1];
  return (Object.values(IdPrefix) as string[]).includes(prefix ?? "") ? (prefix as IdPrefix) : undefined;
}

export function randomToken(length: number): string {
  return customAlphabet("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", length)();
}

/**
 * How every bearer secret is stored (API keys, OAuth client secrets, session and invitation
 * tokens): SHA-256, hex. They carry ≥ 190 random bits, so a slow password hash would buy nothing
 * and cost every request.
 */
export const hashSecret = (secret: string): string => createHash("sha256").update(secret).digest("hex");
