// Set reasoning over rule conditions, for validation: which currencies a rule can match, and
// whether an earlier rule matches every payment a later one would (so the later never fires).
// Both answer conservatively: `covers` may miss a shadowed rule, but never reports a false one.
import type { RuleConditions } from "./rule.js";

/** The currencies a rule can match, or undefined for any: an amount range pins one currency. */
export function matchableCurrencies(when: RuleConditions): string[] | undefined {
  return when.amount ? [when.amount.currency] : when.currencies;
}

const within = (inner: string[] | undefined, outer: string[] | undefined): boolean =>
  outer === undefined || (inner !== undefined && inner.every((x) => outer.includes(x)));

/** True when every payment matching `later` matches `earlier` too. */
export function covers(earlier: RuleConditions, later: RuleConditions): boolean {
  if (!within(matchableCurrencies(later), earlier.currencies)) return false;
  if (!within(later.cardBrands, earlier.cardBrands)) return false;
  if (!within(later.cardCountries, earlier.cardCountries)) return false;
  const a = earlier.amount;
  const b = later.amount;
  if (a) {
    if (!b || b.currency !== a.currency) return false;
    if (a.min !== undefined && (b.min === undefined || b.min < a.min)) return false;
    if (a.max !== undefined && (b.max === undefined || b.max > a.max)) return false;
  }
  return (earlier.metadata ?? []).every((m) => (later.metadata ?? []).some((n) => n.key === m.key && n.equals === m.equals));
}
