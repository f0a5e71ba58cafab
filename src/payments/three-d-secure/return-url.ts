// confirmPayment's returnUrl: where the shopper's browser is sent once a 3-D Secure challenge ends
// (and a checkout session's successUrl and cancelUrl, by the same rule).
// https only, except plain http to a loopback host outside production (a developer's machine);
// never credentials in it, never a script or data URL.
import type { Config } from "../../config.js";
import { badInput } from "../../platform/errors.js";
import { webSchemeAllowed } from "../../platform/web-url.js";

export function checkReturnUrl(config: Pick<Config, "env">, given: string | null | undefined, field = "returnUrl"): string | null {
  if (given === null || given === undefined) return null;
  const problem = (why: string) => badInput(`${field} ${why}`, field);
  if (given.length > 2048) throw problem("must be at most 2048 characters");
  let url: URL;
  try {
    url = new URL(given);
  } catch {
    throw problem("must be an absolute https URL");
  }
  if (url.username || url.password) throw problem("must not carry credentials");
  if (webSchemeAllowed(config.env, url)) return url.href;
  throw problem(url.protocol === "http:" ? "must be https (plain http only to a loopback host, outside production)" : "must be an https URL");
}

/** The returnUrl with the payment's id added, as the shopper's browser is sent there. */
export function returnTarget(returnUrl: string, paymentId: string): string {
  const url = new URL(returnUrl);
  url.searchParams.set("payment_id", paymentId);
  return url.href;
}
