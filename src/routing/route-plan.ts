// Which gateway an attempt goes to, and why — in words the merchant reads on the attempt. Pure: the
// caller brings the accounts, the matched rule and the gateways' recent figures (src/routing/
// gateway-stats.ts), so a decision costs microseconds and every branch is unit-tested.
//
// The plan, in order: (1) the merchant's accounts that are enabled, accept the currency and brand,
// and were not yet tried by this confirmation; (2) a matching routing rule decides the order among
// its own gateways (FIXED, ORDERED, WEIGHTED: merchant intent is never re-ranked); (3) otherwise
// gateways are ranked by authorization success rate for the segment (currency + brand) over the
// recent window (a gateway with too few recent calls ties with the best), then by cost, then by priority; a small, bounded share of first attempts goes to a
// gateway other than the best, so one that recovered is noticed. Gateways whose circuit is open are
// skipped — unless every candidate's is, since trying beats declining a payment unseen.
import type { CircuitState } from "./circuit-breaker.js";
import { roundHalfEven } from "../fx/conversion.js";

export interface RoutableAccount {
  id: string;
  name: string;
  currencies: string[];
  cardBrands: string[];
  priority: number;
  enabled: boolean;
  createdAt: Date;
  /** What the gateway charges, in basis points of the amount: the tie-breaker after success rate. */
  costBps: number;
}

/** A gateway's recent record for one segment: calls that got an approval, all calls, its circuit. */
export interface GatewayStat {
  approved: number;
  calls: number;
  circuit: CircuitState;
}

export interface RuleRoute {
  /** The rule's gateways in the order to try them (a weighted split already drawn). */
  gatewayAccountIds: string[];
  reason: string;
}

export interface RouteChoice {
  /** null: the server's default gateway (no account connected). */
  gatewayAccountId: string | null;
  gateway: string;
  reason: string;
  /** Chosen although its circuit is open, because every candidate's is. */
  allCircuitsOpen?: boolean;
}

export interface PlanInput {
  accounts: readonly RoutableAccount[];
  currency: string;
  brand: string;
  /** Accounts this confirmation already tried (failover): never tried twice. */
  tried: readonly string[];
  stats: ReadonlyMap<string, GatewayStat>;
  rule?: RuleRoute;
  /** Share (0..1) of first attempts sent to another gateway than the best one. */
  exploration: number;
  random?: () => number;
}

/** Below this many calls in the window a gateway's rate says little: it is given the benefit of the doubt. */
export const MIN_SAMPLES = 10;
/** 90 %, a typical card approval rate: what a gateway without enough data is assumed to do at worst. */
const PRIOR_BAND = 45;
/** The 2-point band of a rate, in integers (0..50): no floating-point edge puts 29/50 below 58 %. */
const bandOf = (s: GatewayStat | undefined): number | undefined => (s && s.calls >= MIN_SAMPLES ? Math.floor((s.approved * 50) / s.calls) : undefined);
/**
 * Rates within the same 2-point band are a tie: noise must not flip traffic back and forth. A
 * gateway with too few recent calls (new, or recovered once its failures slid out of the window)
 * ties with the best, so cost and priority bring it traffic again and it can prove itself — and
 * beats a proven gateway worse than a typical approval rate (90 %), so a degraded gateway does not
 * keep the traffic just because nothing else has been measured yet.
 */
function bands(candidates: readonly RoutableAccount[], stats: ReadonlyMap<string, GatewayStat>): Map<string, number> {
  const known = candidates.map((a) => bandOf(stats.get(a.id))).filter((b): b is number => b !== undefined);
  const best = Math.max(PRIOR_BAND, ...known);
  return new Map(candidates.map((a) => [a.id, bandOf(stats.get(a.id)) ?? best]));
}
/** "95.0% of 100": tenths of a percent in integers, rounded by the one rounding rule (fx/conversion.ts). */
function pct(s: GatewayStat | undefined): string {
  if (!s || s.calls <= 0) return "no data yet";
  const tenths = roundHalfEven(1000n * BigInt(s.approved), BigInt(s.calls));
  return `${tenths / 10n}.${tenths % 10n}% of ${s.calls}${s.calls < MIN_SAMPLES ? ", too few to judge" : ""}`;
}

export const accepts = (a: RoutableAccount, currency: string, brand: string): boolean =>
  a.enabled && (a.currencies.length === 0 || a.currencies.includes(currency)) && (a.cardBrands.length === 0 || a.cardBrands.includes(brand));

function rank(candidates: RoutableAccount[], band: ReadonlyMap<string, number>): RoutableAccount[] {
  return [...candidates].sort((a, b) =>
    band.get(b.id)! - band.get(a.id)! || a.costBps - b.costBps || a.priority - b.priority ||
    a.createdAt.getTime() - b.createdAt.getTime() || a.name.localeCompare(b.name));
}

/** Why the first of a ranking beat the second, in one phrase. */
function basis(first: RoutableAccount, second: RoutableAccount | undefined, stats: ReadonlyMap<string, GatewayStat>, band: ReadonlyMap<string, number>): string {
  if (!second) return "the only candidate";
  const [s1, s2] = [stats.get(first.id), stats.get(second.id)];
  if (band.get(first.id) !== band.get(second.id)) return `best success rate (${pct(s1)}; next ${second.name} ${pct(s2)})`;
  if (first.costBps !== second.costBps) return `cheapest at a tied success rate (${first.costBps} vs ${second.costBps} bps)`;
  return `priority ${first.priority} at a tied success rate and cost (next ${second.name})`;
}

/** Those not open first; when every one is open, all of them (trying beats declining unseen). */
function usable(candidates: RoutableAccount[], stats: ReadonlyMap<string, GatewayStat>): { pool: RoutableAccount[]; note: string; allOpen: boolean } {
  const closed = candidates.filter((a) => stats.get(a.id)?.circuit !== "OPEN");
  const allOpen = closed.length === 0 && candidates.length > 0;
  const open = candidates.filter((a) => !closed.includes(a)).map((a) => a.name);
  const note = allOpen ? "; every circuit is open, trying anyway" : open.length ? `; skipped ${open.join(", ")}: circuit open` : "";
  return { pool: allOpen ? candidates : closed, note, allOpen };
}

export function planRoute(input: PlanInput): RouteChoice | undefined {
  const { stats, currency, brand } = input;
  const eligible = input.accounts.filter((a) => accepts(a, currency, brand) && !input.tried.includes(a.id));

  if (input.rule) {
    // Circuits are judged among the rule's own gateways: a rule never falls through to others.
    const byId = new Map(eligible.map((a) => [a.id, a] as const));
    const named = input.rule.gatewayAccountIds.map((id) => byId.get(id)).filter((a) => a !== undefined);
    const { pool, note, allOpen } = usable(named, stats);
    const chosen = pool[0];
    if (!chosen) return undefined;
    const first = chosen.id === input.rule.gatewayAccountIds[0];
    return { gatewayAccountId: chosen.id, gateway: chosen.name, allCircuitsOpen: allOpen, reason: `${input.rule.reason}${first ? "" : `; ${chosen.name} is the rule's next usable gateway`}${note}` };
  }

  const { pool, note, allOpen } = usable(eligible, stats);
  const band = bands(pool, stats);
  const ranked = rank(pool, band);
  const [best, second] = ranked;
  if (!best) return undefined;
  const segment = `${currency} ${brand}`;
  const random = input.random ?? Math.random;
  if (input.tried.length === 0 && ranked.length > 1 && random() < input.exploration) {
    const explored = ranked[1 + Math.floor(random() * (ranked.length - 1))]!;
    return {
      gatewayAccountId: explored.id, gateway: explored.name, allCircuitsOpen: allOpen,
      reason: `Exploration (${Math.round(input.exploration * 100)}% of first attempts try another gateway than the best, so a recovered one is noticed): ${explored.name} ${pct(stats.get(explored.id))} instead of ${best.name} ${pct(stats.get(best.id))} for ${segment}${note}`,
    };
  }
  const tried = input.tried.length ? `, not yet tried` : "";
  return {
    gatewayAccountId: best.id, gateway: best.name, allCircuitsOpen: allOpen,
    reason: `Ranked 1st of ${ranked.length} for ${segment}${tried}: ${basis(best, second, stats, band)}${note}`,
  };
}
