// Merchant metadata on payments and customers: free-form string pairs the merchant attaches and
// reads back. One rule set for every domain that stores it.
import { badInput } from "./errors.js";

/** Stripe's metadata rules: up to 50 string pairs, keys up to 40 characters, values up to 500. */
export function validateMetadata(metadata: Record<string, unknown> | null | undefined): Record<string, string> {
  if (!metadata) return {};
  const entries = Object.entries(metadata);
  if (entries.length > 50) throw badInput("metadata may hold at most 50 keys", "metadata");
  for (const [key, value] of entries) {
    if (key.length === 0 || key.length > 40) throw badInput(`metadata key '${key.slice(0, 40)}' must be 1 to 40 characters`, "metadata");
    if (typeof value !== "string" || value.length > 500) throw badInput(`metadata value of '${key}' must be a string of at most 500 characters`, "metadata");
  }
  // In the order jsonb keeps keys (shorter first, then by their UTF-8 bytes): an answer built from
  // the input before it is stored (createPayment's) reads the same as the row read back later.
  const bytes = new Map(entries.map(([k]) => [k, Buffer.from(k, "utf8")] as const));
  entries.sort(([a], [b]) => bytes.get(a)!.length - bytes.get(b)!.length || Buffer.compare(bytes.get(a)!, bytes.get(b)!));
  return Object.fromEntries(entries) as Record<string, string>;
}
