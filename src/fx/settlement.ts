// A converted payment: the shopper pays `amount` in `currency`; the gateways are asked for the
// settlement amount in a currency they take, at the rate recorded on the payment. Parts (partial
// captures, refunds) are converted by difference — conv(before + part) − conv(before) — so the
// parts always sum to exactly the settlement amount, whatever the rounding of each.
import { convertMinor } from "./conversion.js";

export interface ConvertedPayment {
  currency: string;
  settlementCurrency: string | null;
  fxRate: string | null;
}

export interface GatewayMoney {
  amount: bigint;
  currency: string;
}

/** What the gateway sees for `part` (payment currency) after `before` of the same kind was sent. */
export function gatewayShare(payment: ConvertedPayment, before: bigint, part: bigint): GatewayMoney {
  const { settlementCurrency: to, fxRate: rate } = payment;
  if (!to || !rate) return { amount: part, currency: payment.currency };
  const conv = (x: bigint): bigint => convertMinor(x, payment.currency, to, rate);
  return { amount: conv(before + part) - conv(before), currency: to };
}
