// A checkout session's client secret (`cs_…_secret_…`): the credential of the shopper's page, which
// holds no API key. It is verified into a Principal like every other credential, with one scope,
// `checkout:session`, that no key or user holds: the resolvers that take it (checkout.resolver.ts)
// also check it names the session asked for, and every other field refuses it for lack of scope.
import { timingSafeEqual } from "node:crypto";
import type { Db } from "../platform/db.js";
import { unauthenticated } from "../platform/errors.js";
import type { Principal } from "../auth/principal.js";

export const CHECKOUT_SCOPE = "checkout:session";

/** Requests per second one checkout page may make. */
const PAGE_RATE_LIMIT = 10;
/** How long after its session's expiry the secret still reads it. */
const AFTER_END_MS = 60 * 60_000;

const SHAPE = /^(cs_[0-9A-Za-z]{22})_secret_[0-9A-Za-z]{32}$/;

export const looksLikeCheckoutSecret = (credential: string): boolean => SHAPE.test(credential);

export async function authenticateCheckoutSecret(db: Db, secret: string): Promise<Principal> {
  const id = SHAPE.exec(secret)?.[1];
  const session = id ? await db.checkoutSession.findUnique({ where: { id }, select: { id: true, merchantId: true, clientSecret: true, status: true, expiresAt: true } }) : null;
  const given = Buffer.from(secret);
  if (!session || given.length !== Buffer.byteLength(session.clientSecret) || !timingSafeEqual(given, Buffer.from(session.clientSecret))) {
    throw unauthenticated("Unknown checkout session secret");
  }
  return {
    merchantId: session.merchantId, role: "MERCHANT", via: "CHECKOUT", credentialId: session.id, rateLimitKey: `checkout:${session.id}`,
    // A page makes a few requests a minute; anyone who opens a checkout holds this secret.
    actor: `checkout:${session.id}`, rateLimitPerSecond: PAGE_RATE_LIMIT, scopes: [CHECKOUT_SCOPE],
    // The page may still read its session a while after it ends (to send the shopper on), then not.
    expiresAt: session.expiresAt.getTime() + AFTER_END_MS,
  };
}
