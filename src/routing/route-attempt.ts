// Builds an attempt's route plan from what is stored (gateway accounts, the merchant's rules) and
// what is recent (success rates and circuits from Redis), then lets the pure planner decide.
// Called by confirmPayment for the first attempt and by the worker for each failover.
import type { App } from "../platform/app.js";
import type { Tx } from "../platform/db.js";
import { listGatewayAccounts } from "../gateways/accounts/gateway-accounts.js";
import { segmentOf } from "./gateway-stats.js";
import { accepts, planRoute, type RouteChoice } from "./route-plan.js";

/** The name attempts show when they go to the server's default gateway (no account connected). */
export const DEFAULT_GATEWAY = "sandbox";

export interface RouteRequest {
  merchantId: string;
  paymentId: string;
  currency: string;
  amount: bigint;
  cardBrand: string;
  metadata: unknown;
  /** Accounts this confirmation already tried. */
  tried: string[];
}

/** The gateway for the next attempt, or undefined when no connected gateway can take the payment. */
export async function routeAttempt(app: App, db: Tx, req: RouteRequest): Promise<RouteChoice | undefined> {
  const accounts = await listGatewayAccounts(db, req.merchantId);
  if (accounts.length === 0) {
    return req.tried.length ? undefined : { gatewayAccountId: null, gateway: DEFAULT_GATEWAY, reason: "No gateway account connected: the server's default gateway" };
  }
  const candidates = accounts.filter((a) => accepts(a, req.currency, req.cardBrand) && !req.tried.includes(a.id));
  if (candidates.length === 0) return undefined;
  const stats = await app.stats.read(candidates.map((a) => a.id), segmentOf(req.currency, req.cardBrand));
  return planRoute({ accounts, currency: req.currency, brand: req.cardBrand, tried: req.tried, stats, exploration: app.config.routingExploration });
}
