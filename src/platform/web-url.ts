// The one rule for URLs that browsers are sent to or embed from (a 3-D Secure returnUrl, a
// checkout's success and cancel URLs, a publishable key's allowed origins): https, or plain http
// to this machine outside production (a developer's shop on localhost).
import { isIP } from "node:net";

const LOOPBACK_NAMES = new Set(["localhost", "127.0.0.1", "[::1]"]);

export const isLoopbackHost = (hostname: string): boolean =>
  LOOPBACK_NAMES.has(hostname) || (isIP(hostname) === 4 && hostname.startsWith("127."));

/** Is `url`'s scheme acceptable for a browser-facing URL in this environment? */
export function webSchemeAllowed(env: "development" | "test" | "production", url: URL): boolean {
  return url.protocol === "https:" || (url.protocol === "http:" && isLoopbackHost(url.hostname) && env !== "production");
}
