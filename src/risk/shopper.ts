// What the merchant's server tells of the shopper (its own address says nothing about them): the
// shopper's IP address, email and country, each checked; the hosted checkout fills them from the
// shopper's request. No GeoIP lookup: the country is the merchant's word.
import { isIP } from "node:net";
import ipaddr from "ipaddr.js";
import { badInput } from "../platform/errors.js";
import { isCountryCode } from "../platform/countries.js";

export interface Shopper {
  ip: string | null;
  email: string | null;
  country: string | null;
}

/** `at`: where the fields are in the caller's input ("shopper." in confirmPayment's, "" in addRiskListEntry's). */
export function checkShopper(given: { ip?: string | null; email?: string | null; country?: string | null } | null | undefined, at = "shopper."): Shopper | null {
  if (!given) return null;
  const ip = given.ip?.trim() || null;
  // ipaddr.js is what counts it (velocity.ts): an address it cannot read (an IPv6 zone id) is refused here.
  if (ip && (isIP(ip) === 0 || !ipaddr.isValid(ip))) throw badInput(`${at}ip must be an IPv4 or IPv6 address`, `${at}ip`);
  const email = given.email?.trim().toLowerCase() || null;
  if (email && (email.length > 254 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email))) throw badInput(`${at}email must be an email address`, `${at}email`);
  const country = given.country?.trim().toUpperCase() || null;
  if (country && !isCountryCode(country)) throw badInput(`${at}country must be an ISO 3166-1 alpha-2 code`, `${at}country`);
  return ip || email || country ? { ip, email, country } : null;
}
