// Which gateway an attempt goes to, and why, in words the merchant reads on the attempt.
// Today: the merchant's enabled gateway accounts that accept the payment's currency and card
// brand, by priority (lowest number first), then age. Rules, success-rate ranking and failover
// (issue #3) will extend this plan; the attempt already records the reason.
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
  if (accounts.length === 0) {
    return { gatewayAccountId: null, gateway: defaultGateway, reason: "No gateway account connected: the server's default gateway" };
  }
  const accepts = (a: RoutableAccount): boolean =>
    a.enabled && (a.currencies.length === 0 || a.currencies.includes(currency)) && (a.cardBrands.length === 0 || a.cardBrands.includes(brand));
  const eligible = accounts.filter(accepts).sort((a, b) => a.priority - b.priority || a.createdAt.getTime() - b.createdAt.getTime() || a.name.localeCompare(b.name));
  const chosen = eligible[0];
  if (!chosen) {
    throw new AppError(ErrorCode.GATEWAY_UNAVAILABLE, `No enabled gateway account accepts ${currency} ${brand} cards`, { currency, cardBrand: brand });
  }
  const skipped = accounts.length - eligible.length;
  return {
    gatewayAccountId: chosen.id,
    gateway: chosen.name,
    reason: `Priority ${chosen.priority}: first of ${eligible.length} enabled account(s) accepting ${currency} ${brand}` +
      (skipped ? `; ${skipped} other(s) disabled or not accepting it` : ""),
  };
}
