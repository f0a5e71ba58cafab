// Builds an attempt's route plan from what is stored (gateway accounts, the merchant's rules, the
// exchange rates) and what is recent (success rates and circuits from Redis), then lets the pure
// planner decide. Called by confirmPayment for the first attempt and by the worker for each
// failover. When no connected gateway takes the payment's currency, the first attempt converts
// into one that a gateway does take, at the latest stored rate.
import type { App } from "../app/app.js";
import type { Tx } from "../platform/db.js";
import { listGatewayAccounts } from "../gateways/accounts/gateway-accounts.js";
import { findRate, type RateQuote } from "../fx/rates.js";
import { convertMinor } from "../fx/conversion.js";
import { MAX_MINOR_UNITS } from "../platform/money.js";
import { segmentOf } from "./gateway-stats.js";
import { accepts, planRoute, type RoutableAccount, type RouteChoice, type RuleRoute } from "./route-plan.js";
import { loadRoutingRules } from "./rules/routing-rules.js";
import { describeMatch, matchRule } from "./rules/match.js";

/** The name attempts show when they go to the server's default gateway (no account connected). */
export const DEFAULT_GATEWAY = "sandbox";

export interface RouteRequest {
  merchantId: string;
  paymentId: string;
  /** The payment as the shopper made it: what rules match on. */
  currency: string;
  amount: bigint;
  /** Set on a converted payment's failover: gateways must take this currency, not the shopper's. */
  settlementCurrency?: string | null;
  cardBrand: string;
  cardCountry: string | null;
  metadata: unknown;
  /** Accounts this confirmation already tried. */
  tried: string[];
}

export interface Settlement {
  currency: string;
  amount: bigint;
  rate: RateQuote;
}

export type Route = RouteChoice & { settlement?: Settlement };

/** Rules match the payment as the shopper made it (its own currency and amount). */
async function ruleFor(db: Tx, req: RouteRequest, accounts: RoutableAccount[]): Promise<RuleRoute | undefined> {
  const { rules } = await loadRoutingRules(db, req.merchantId);
  if (rules.length === 0) return undefined;
  const metadata = typeof req.metadata === "object" && req.metadata !== null ? (req.metadata as Record<string, unknown>) : {};
  const match = matchRule(rules, { paymentId: req.paymentId, currency: req.currency, amount: req.amount, cardBrand: req.cardBrand, cardCountry: req.cardCountry, metadata });
  if (!match) return undefined;
  return { gatewayAccountIds: match.gatewayAccountIds, reason: describeMatch(match, new Map(accounts.map((a) => [a.id, a.name]))) };
}

/** What a plan needs besides the gateway currency; the rule is read once per routing, however many currencies are tried. */
interface PlanContext { app: App; req: RouteRequest; accounts: RoutableAccount[]; rule: () => Promise<RuleRoute | undefined> }

async function plan({ app, req, accounts, rule: ruleRead }: PlanContext, currency: string): Promise<RouteChoice | undefined> {
  const candidates = accounts.filter((a) => accepts(a, currency, req.cardBrand) && !req.tried.includes(a.id));
  if (candidates.length === 0) return undefined;
  const [stats, rule] = await Promise.all([app.stats.read(candidates.map((a) => a.id), segmentOf(currency, req.cardBrand)), ruleRead()]);
  return planRoute({ accounts, currency, brand: req.cardBrand, tried: req.tried, stats, rule, exploration: app.config.routingExploration });
}

/** The gateway for the next attempt, or undefined when no connected gateway can take the payment. */
export async function routeAttempt(app: App, db: Tx, req: RouteRequest): Promise<Route | undefined> {
  const accounts = await listGatewayAccounts(db, req.merchantId);
  if (accounts.length === 0) {
    return req.tried.length ? undefined : { gatewayAccountId: null, gateway: DEFAULT_GATEWAY, reason: "No gateway account connected: the server's default gateway" };
  }
  let rule: Promise<RuleRoute | undefined> | undefined;
  const context: PlanContext = { app, req, accounts, rule: () => (rule ??= ruleFor(db, req, accounts)) };
  const direct = await plan(context, req.settlementCurrency ?? req.currency);
  if (direct || req.tried.length > 0 || req.settlementCurrency || accounts.some((a) => accepts(a, req.currency, req.cardBrand))) return direct;
  return convertedRoute(db, context);
}

/**
 * No enabled account takes the currency: for each currency an account for this brand does take
 * (in the accounts' order) with a stored rate, plan as if the payment were in it; the first plan
 * wins. The rate is fixed on the payment at this moment.
 */
async function convertedRoute(db: Tx, context: PlanContext): Promise<Route | undefined> {
  const { req, accounts } = context;
  const currencies = [...new Set(accounts.filter((a) => a.enabled && accepts({ ...a, currencies: [] }, req.currency, req.cardBrand)).flatMap((a) => a.currencies))];
  for (const currency of currencies) {
    const rate = await findRate(db, req.currency, currency);
    if (!rate) continue;
    const choice = await plan(context, currency);
    if (!choice) continue;
    const amount = convertMinor(req.amount, req.currency, currency, rate.rate);
    // Too small to charge in that currency (1 fils is 0 yen), or past what a gateway takes.
    if (amount <= 0n || amount > MAX_MINOR_UNITS) continue;
    const settlement = { currency, amount, rate };
    return {
      ...choice,
      settlement,
      reason: `No connected gateway takes ${req.currency}: converted to ${currency} at ${rate.rate} (${rate.source}, ${rate.asOf.toISOString()}). ${choice.reason}`,
    };
  }
  return undefined;
}
