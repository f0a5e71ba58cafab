// The issuing country of a card from the start of its number (the BIN/IIN), looked up offline.
// No maintained offline BIN→country dataset is on npm (the packages there, `binlookup` and
// `binlist`, call binlist.net at run time, and nothing may fetch from the internet), and real
// issuer tables are licensed data that change monthly. So this is a small documented table that
// covers the sandbox's test cards (src/gateways/sandbox/cards.ts); a production deployment would
// swap in a licensed table behind the same function. Unknown prefixes answer null, never a guess.
//
// Each row is a range of prefixes of one length, [from, to] inclusive; the longest matching
// prefix wins, so a 9-digit row can carve one country out of a 6-digit one.
type BinRange = readonly [from: string, to: string, country: string];

const RANGES: readonly BinRange[] = [
  // Stripe's generic test cards are US cards: the sandbox's behaviour cards (4000 0000 00…),
  // 4242…, Mastercard 5555 5555…, American Express 3782…/3714….
  ["424242", "424242", "US"],
  ["400000000", "400000000", "US"],
  ["555555", "555555", "US"],
  ["378282", "378282", "US"],
  ["371449", "371449", "US"],
  // International test cards: 400000 then the ISO 3166-1 numeric code of the country.
  ["400000036", "400000036", "AU"],
  ["400000076", "400000076", "BR"],
  ["400000124", "400000124", "CA"],
  ["400000250", "400000250", "FR"],
  ["400000276", "400000276", "DE"],
  ["400000372", "400000372", "IE"],
  ["400000380", "400000380", "IT"],
  ["400000392", "400000392", "JP"],
  ["400000484", "400000484", "MX"],
  ["400000528", "400000528", "NL"],
  ["400000724", "400000724", "ES"],
  ["400000826", "400000826", "GB"],
  ["555555826", "555555826", "GB"],
  // JCB's test range, issued in Japan.
  ["353011", "353011", "JP"],
];

/** The issuing country (ISO 3166-1 alpha-2) of a card number (digits only), or null when unknown. */
export function binCountry(pan: string): string | null {
  let best: BinRange | undefined;
  for (const range of RANGES) {
    const prefix = pan.slice(0, range[0].length);
    // Same-length digit strings compare as numbers.
    if (prefix.length === range[0].length && prefix >= range[0] && prefix <= range[1] && (!best || range[0].length > best[0].length)) best = range;
  }
  return best?.[2] ?? null;
}
