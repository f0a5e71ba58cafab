// What the merchant's server tells of the shopper (its own address says nothing about them): the
// shopper's IP address, email and country, each checked; the hosted checkout fills them from the
// shopper's request. No GeoIP lookup: the country is the merchant's word.
import { isIP } from "node:net";
import { badInput } from "../platform/errors.js";
import { isCountryCode } from "../platform/countries.js";

export interface Shopper {
  ip: string | null;
  email: string | null;
  country: string | null;
}

export function checkShopper(given: { ip?: string | null; email?: string | null; country?: string | null } | null | undefined): Shopper | null {
  if (!given) return null;
  const ip = given.ip?.trim() || null;
  if (ip && isIP(ip) === 0) throw badInput("shopper.ip must be an IPv4 or IPv6 address", "shopper.ip");
  const email = given.email?.trim().toLowerCase() || null;
  if (email && (email.length > 254 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email))) throw badInput("shopper.email must be an email address", "shopper.email");
  const country = given.country?.trim().toUpperCase() || null;
  if (country && !isCountryCode(country)) throw badInput("shopper.country must be an ISO 3166-1 alpha-2 code", "shopper.country");
  return ip || email || country ? { ip, email, country } : null;
}
