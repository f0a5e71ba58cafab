// The risk language: merchants' rules are Common Expression Language (CEL) conditions, parsed and
// type-checked by @marcbachmann/cel-js against the variables below, and interpreted from their
// syntax tree: never `eval`, no loops, nothing but what this file declares. On top of CEL's own
// safety, a rule is refused on save unless it is small (500 characters, 200 nodes, depth 24), is a
// bool, and calls only the functions named in SAFE_CALLS (no `matches`: a JavaScript RegExp could
// backtrack for seconds; no macros). README "Fraud and risk" lists the variables with examples.
import { Environment, type ParseResult } from "@marcbachmann/cel-js";

/** The variables a rule may read, their CEL types and what they are (README and `riskRules` show these). */
export const RULE_VARIABLES = {
  amount: ["int", "The amount in the currency's minor units (2000 is 20.00 USD)"],
  currency: ["string", "ISO 4217, upper case"],
  card_country: ["string", "Where the card was issued (ISO 3166-1 alpha-2); \"\" when unknown"],
  card_brand: ["string", "visa, mastercard, amex, …"],
  card_bin: ["string", "The card's first six digits"],
  shopper_country: ["string", "The shopper's country, as the merchant gave it; \"\" when not given"],
  shopper_email_domain: ["string", "The part of the shopper's email after @; \"\" when not given"],
  card_attempts_10m: ["int", "Confirmations with this card in the last 10 minutes, this one included"],
  cards_per_customer_10m: ["int", "Distinct cards tried on this customer in 10 minutes (0 without a customer)"],
  cards_per_email_10m: ["int", "Distinct cards tried with this email in 10 minutes (0 without an email)"],
  cards_per_ip_10m: ["int", "Distinct cards tried from this IP address in 10 minutes (0 without an IP)"],
  amount_vs_usual: ["double", "The amount over this card's usual amount here (0.0 when the card is new)"],
  risk_score: ["int", "The score before the merchant's rules: the model's and the built-in rules'"],
  risk_level: ["string", "NORMAL, ELEVATED or HIGHEST"],
  is_retry_after_insufficient_funds: ["bool", "This payment's previous try was declined for insufficient funds (this confirmation is a retry)"],
  has_customer: ["bool", "The payment names a customer"],
} as const;

export type RuleVariables = { [K in keyof typeof RULE_VARIABLES]: (typeof RULE_VARIABLES)[K][0] extends "int" ? bigint : (typeof RULE_VARIABLES)[K][0] extends "double" ? number : (typeof RULE_VARIABLES)[K][0] extends "bool" ? boolean : string };

/** Functions a rule may call: string tests and size and conversions; nothing that can run long. */
const SAFE_CALLS = new Set(["startsWith", "endsWith", "contains", "size", "int", "double", "string", "lowerAscii", "upperAscii"]);
const MAX_LENGTH = 500;

const environment = (() => {
  const env = new Environment({ limits: { maxAstNodes: 200, maxDepth: 24, maxListElements: 100, maxMapEntries: 0, maxCallArguments: 4 } });
  for (const [name, [type, description]] of Object.entries(RULE_VARIABLES)) env.registerVariable(name, type, { description });
  return env;
})();

export type CompiledRule = ParseResult;

/** Why a rule cannot be saved, in one line (the caller names the field). */
export class RuleRefused extends Error {}

interface Node { op: string; args: unknown }

function refuseUnsafe(node: Node): void {
  if (node.op === "call" || node.op === "rcall") {
    const name = (node.args as unknown[])[0] as string;
    if (!SAFE_CALLS.has(name)) throw new RuleRefused(`'${name}' may not be used in a risk rule (allowed: ${[...SAFE_CALLS].join(", ")})`);
  }
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === "object" && "op" in v) refuseUnsafe(v as Node);
  };
  visit(node.args);
}

/** Parses, checks and returns a rule's condition; RuleRefused (with CEL's own words) when it may not be saved. */
export function compileRule(when: string): CompiledRule {
  if (when.length > MAX_LENGTH) throw new RuleRefused(`A condition may be at most ${MAX_LENGTH} characters`);
  let parsed: ParseResult;
  try {
    parsed = environment.parse(when);
  } catch (err) {
    throw new RuleRefused(firstLine(err));
  }
  refuseUnsafe(parsed.ast as unknown as Node);
  const checked = parsed.check();
  if (!checked.valid) throw new RuleRefused(firstLine(checked.error));
  if (checked.type !== "bool") throw new RuleRefused(`A condition must be true or false, not ${checked.type}`);
  return parsed;
}

/** True when the rule matches; a rule that errs at run time (an overflow, a division by zero) does not match. */
export function ruleMatches(rule: CompiledRule, variables: RuleVariables): boolean {
  try {
    return rule(variables as unknown as Record<string, unknown>) === true;
  } catch {
    return false;
  }
}

const firstLine = (err: unknown): string => (err instanceof Error ? err.message : String(err)).split("\n")[0]!.trim();
