// Prefixed, opaque ids (`pay_…`, `re_…`): the prefix says what an id is, so `node(id:)` can route
// it and a support engineer can read a log line. 22 base62 chars ≈ 131 random bits.
import { customAlphabet } from "nanoid";

const random = customAlphabet("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", 22);

export const IdPrefix = {
  merchant: "mer",
  apiKey: "key",
  payment: "pay",
  attempt: "att",
  refund: "re",
  paymentMethod: "pm",
  event: "evt",
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
} as const;
export type IdPrefix = (typeof IdPrefix)[keyof typeof IdPrefix];

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
