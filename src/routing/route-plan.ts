// Which gateway an attempt goes to, and why, in words the merchant reads on the attempt.
// Today: the merchant's enabled gateway accounts that accept the payment's currency and card
// brand, by priority (lowest number first), then age, skipping those this confirmation already
// tried (failover). Rules and success-rate ranking (issue #3) will extend this plan.
import { AppError, ErrorCode } from "../platform/errors.js";

export interface RoutableAccount {
  id: string;
  name: string;
  currencies: string[];
  cardBrands: string[];
  priority: number;
  enabled: boolean;
  createdAt: Date;
}

export interface RouteChoice {
  /** null: the server's default gateway (no account connected). */
  gatewayAccountId: string | null;
  gateway: string;
  reason: string;
}

export function chooseGateway(accounts: RoutableAccount[], currency: string, brand: string, defaultGateway: string): RouteChoice {
  const next = nextGateway(accounts, currency, brand, []);
  if (next) return next;
  if (accounts.length === 0) {
    return { gatewayAccountId: null, gateway: defaultGateway, reason: "No gateway account connected: the server's default gateway" };
  }
  throw new AppError(ErrorCode.GATEWAY_UNAVAILABLE, `No enabled gateway account accepts ${currency} ${brand} cards`, { currency, cardBrand: brand });
}

/** The best account not yet tried, or undefined when none is left. */
export function nextGateway(accounts: RoutableAccount[], currency: string, brand: string, tried: string[]): RouteChoice | undefined {
  const accepts = (a: RoutableAccount): boolean =>
    a.enabled && !tried.includes(a.id) && (a.currencies.length === 0 || a.currencies.includes(currency)) && (a.cardBrands.length === 0 || a.cardBrands.includes(brand));
  const eligible = accounts.filter(accepts).sort((a, b) => a.priority - b.priority || a.createdAt.getTime() - b.createdAt.getTime() || a.name.localeCompare(b.name));
  const chosen = eligible[0];
  if (!chosen) return undefined;
  const skipped = accounts.length - eligible.length - tried.length;
  return {
    gatewayAccountId: chosen.id,
    gateway: chosen.name,
    reason: `Priority ${chosen.priority}: first of ${eligible.length} enabled account(s) accepting ${currency} ${brand}` +
      (tried.length ? `, not yet tried` : "") + (skipped > 0 ? `; ${skipped} other(s) disabled or not accepting it` : ""),
  };
}
