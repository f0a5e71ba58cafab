// Where a webhook may be sent. A merchant's endpoint URL is a request paygraph makes on the
// merchant's behalf from inside its network, so an address that is not public (loopback, private,
// link-local and cloud metadata, CGNAT, IPv6 unique-local, IPv4-mapped and NAT64 forms of those) is
// refused unless WEBHOOK_ALLOW_PRIVATE_NETWORKS (on outside production, for local receivers).
// Checked twice: when the URL is saved, and when connecting — the name is resolved, every address
// checked, and the connection made to that same address (DNS rebinding gets nowhere: there is no
// second lookup). WHATWG URL parsing has already turned decimal and octal literals
// (`http://2130706433/`, `http://0177.0.0.1/`) into dotted ones before they get here.
import { promises as dns, type LookupAddress } from "node:dns";
import ipaddr from "ipaddr.js";

/** The resolver used when connecting; tests pass their own, so no packet goes to a refused address. */
export type Resolve = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolve: Resolve = (hostname) => dns.lookup(hostname, { all: true, verbatim: true });

/** A connection refused before any packet left: the address is not a public one. */
export class RefusedAddressError extends Error {
  readonly code = "ERR_WEBHOOK_ADDRESS_REFUSED";
}

/** True for a globally routable unicast address, judged through IPv4-mapped IPv6 forms. */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === "ipv6" && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  return parsed.range() === "unicast";
}

/** The URL's host as an IP address, or undefined for a name (`[::1]` → `::1`). */
function literalAddress(hostname: string): string | undefined {
  const bare = hostname.startsWith("[") && hostname.endsWith("]") ? hostname.slice(1, -1) : hostname;
  return ipaddr.isValid(bare) ? bare : undefined;
}

const isLocalName = (hostname: string): boolean => hostname === "localhost" || hostname.endsWith(".localhost");

/**
 * Why `raw` cannot be an endpoint URL, or undefined. `resolve` is asked only for a name, and only
 * when private networks are refused.
 */
export async function refusalOfUrl(raw: string, opts: { allowPrivate: boolean; httpsOnly: boolean; resolve: Resolve }): Promise<string | undefined> {
  if (raw.length > 2048) return "url may be at most 2048 characters";
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "url is not an absolute URL";
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && !opts.httpsOnly)) return opts.httpsOnly ? "url must be https" : "url must be http or https";
  if (url.username || url.password) return "url must not hold credentials: authenticate deliveries by their signature";
  if (url.hash) return "url must not have a fragment";
  if (opts.allowPrivate) return undefined;
  const literal = literalAddress(url.hostname);
  if (literal !== undefined) return isPublicAddress(literal) ? undefined : `url's address ${literal} is not a public address`;
  if (isLocalName(url.hostname)) return `url's host ${url.hostname} is not a public address`;
  let addresses: LookupAddress[];
  try {
    addresses = await opts.resolve(url.hostname);
  } catch {
    return `url's host ${url.hostname} does not resolve`;
  }
  const refused = addresses.find((a) => !isPublicAddress(a.address));
  if (addresses.length === 0) return `url's host ${url.hostname} does not resolve`;
  return refused ? `url's host ${url.hostname} resolves to ${refused.address}, which is not a public address` : undefined;
}

/** At delivery: an IP literal is connected to without a lookup, so it is checked here. */
export function refusalOfLiteral(url: URL, allowPrivate: boolean): string | undefined {
  if (allowPrivate) return undefined;
  const literal = literalAddress(url.hostname);
  if (literal !== undefined) return isPublicAddress(literal) ? undefined : `${literal} is not a public address`;
  return isLocalName(url.hostname) ? `${url.hostname} is not a public address` : undefined;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * `lookup` for net/tls.connect (and so for undici's connector): resolves with `resolve`, refuses
 * the connection if any address is not public, and hands the checked addresses to the socket.
 */
export function guardedLookup(resolve: Resolve, allowPrivate: boolean) {
  return (hostname: string, options: { family?: number | string; all?: boolean }, callback: LookupCallback): void => {
    resolve(hostname).then(
      (found) => {
        const family = options.family === "IPv4" ? 4 : options.family === "IPv6" ? 6 : Number(options.family ?? 0);
        const addresses = family ? found.filter((a) => a.family === family) : found;
        const refused = allowPrivate ? undefined : found.find((a) => !isPublicAddress(a.address));
        if (refused) return callback(new RefusedAddressError(`${hostname} resolves to ${refused.address}, which is not a public address`), "", 0);
        const first = addresses[0];
        if (!first) return callback(Object.assign(new Error(`${hostname} does not resolve`), { code: "ENOTFOUND" }), "", 0);
        if (options.all) callback(null, addresses);
        else callback(null, first.address, first.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, "", 0),
    );
  };
}
