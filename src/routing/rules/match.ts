// The pure rule matcher the route planner calls on every confirmation: the first rule whose
// conditions all hold wins, and its gateways come out in the order the planner should try them.
// No I/O and no clock: a weighted split is drawn from a hash of the payment id, so a re-run of
// the same confirmation (a retried job, a replayed request) picks the same gateway.
import { createHash } from "node:crypto";
import type { RoutingRule, RuleConditions, RuleGateway } from "./rule.js";

export interface PaymentFacts {
  paymentId: string;
  currency: string;
  amount: bigint;
  cardBrand: string;
  cardCountry: string | null;
  metadata: Record<string, unknown>;
}

export interface RuleMatch {
  rule: RoutingRule;
  gatewayAccountIds: string[];
}

export function matchRule(rules: RoutingRule[], facts: PaymentFacts): RuleMatch | undefined {
  const rule = rules.find((r) => conditionsHold(r.when, facts));
  return rule ? { rule, gatewayAccountIds: gatewayOrder(rule, facts.paymentId) } : undefined;
}

export function conditionsHold(when: RuleConditions, facts: PaymentFacts): boolean {
  const { currencies, cardBrands, cardCountries, amount, metadata } = when;
  if (currencies && !currencies.includes(facts.currency)) return false;
  if (cardBrands && !cardBrands.includes(facts.cardBrand)) return false;
  if (cardCountries && (facts.cardCountry === null || !cardCountries.includes(facts.cardCountry))) return false;
  if (amount) {
    if (facts.currency !== amount.currency) return false;
    if (amount.min !== undefined && facts.amount < amount.min) return false;
    if (amount.max !== undefined && facts.amount > amount.max) return false;
  }
  return !metadata || metadata.every(({ key, equals }) => facts.metadata[key] === equals);
}

function gatewayOrder(rule: RoutingRule, paymentId: string): string[] {
  const { type, gateways } = rule.action;
  if (type !== "WEIGHTED") return gateways.map((g) => g.gatewayAccountId);
  const chosen = weightedPick(gateways, paymentId);
  // The rest as fallbacks, heaviest first; equal weights keep the order the merchant listed.
  const rest = gateways.filter((g) => g !== chosen).sort((a, b) => weightOf(b) - weightOf(a));
  return [chosen, ...rest].map((g) => g.gatewayAccountId);
}

const weightOf = (g: RuleGateway): number => g.weight ?? 0;

/** Gateway i is chosen with probability weight_i / sum: a uniform 64-bit draw from the id's SHA-256, mod the sum. */
function weightedPick(gateways: RuleGateway[], paymentId: string): RuleGateway {
  const total = gateways.reduce((sum, g) => sum + BigInt(weightOf(g)), 0n);
  // Weights are at most 10,000 × 100 gateways, so the modulo bias of a 64-bit draw is below 1e-13.
  let draw = createHash("sha256").update(paymentId).digest().readBigUInt64BE(0) % total;
  for (const g of gateways) {
    draw -= BigInt(weightOf(g));
    if (draw < 0n) return g;
  }
  throw new Error("unreachable: the draw is below the sum of the weights");
}

/**
 * The attempt's `routingReason` for a rule match, e.g. `Rule "EU cards": weighted 70/30 → chose
 * acquirer-a`. `names` maps gateway account ids to the names merchants gave them (ids otherwise).
 */
export function describeMatch(match: RuleMatch, names: ReadonlyMap<string, string> = new Map()): string {
  const { rule, gatewayAccountIds } = match;
  const name = (id: string): string => names.get(id) ?? id;
  const head = `Rule "${rule.name}": `;
  switch (rule.action.type) {
    case "FIXED":
      return `${head}fixed → ${name(gatewayAccountIds[0] ?? "")}`;
    case "ORDERED":
      return `${head}ordered → ${gatewayAccountIds.map(name).join(", then ")}`;
    case "WEIGHTED":
      return `${head}weighted ${rule.action.gateways.map(weightOf).join("/")} → chose ${name(gatewayAccountIds[0] ?? "")}`;
  }
}
