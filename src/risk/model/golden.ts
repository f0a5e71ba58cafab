// Golden payments: fixed facts the model must keep scoring the same (test/unit/risk-model.test.ts).
// Their expected scores are written beside the model by `npm run train:risk`; a change to the
// model, the features or the scoring that moves any of them fails the test until retrained.
import type { RiskFacts } from "../facts.js";
import type { VelocityCounts } from "../velocity.js";

const usual = (n: number, each: bigint): Pick<VelocityCounts, "cardPayments" | "cardAmountSum"> => ({ cardPayments: n, cardAmountSum: BigInt(n) * each });

const payment = (over: Partial<RiskFacts>): RiskFacts => ({
  amountMinor: 4_000n, currency: "USD", largeAmountMinor: 500_000n, card: { bin: null, last4: "0000", country: "US", brand: "visa" }, hasCustomer: true,
  shopper: { country: "US", emailDomain: null }, velocity: { cardAttempts: 1, ...usual(6, 4_000n), cardsPerCustomer: 1, cardsPerEmail: 1, cardsPerIp: 1 },
  retryAfterInsufficientFunds: false, testCards: false, ...over,
});

export const GOLDEN_PAYMENTS: Record<string, RiskFacts> = {
  everyday: payment({}),
  new_card_first_payment: payment({ velocity: { cardAttempts: 1, ...usual(0, 0n), cardsPerCustomer: 1, cardsPerEmail: 1, cardsPerIp: 1 } }),
  travelling: payment({ shopper: { country: "FR", emailDomain: null } }),
  honest_retries: payment({ velocity: { cardAttempts: 4, ...usual(6, 4_000n), cardsPerCustomer: 1, cardsPerEmail: 1, cardsPerIp: 1 }, retryAfterInsufficientFunds: true }),
  big_purchase: payment({ amountMinor: 30_000n }),
  compromised_card: payment({ amountMinor: 16_000n, hasCustomer: false, shopper: { country: "BR", emailDomain: null }, velocity: { cardAttempts: 2, ...usual(6, 4_000n), cardsPerEmail: 1, cardsPerIp: 1 } }),
  card_testing: payment({ amountMinor: 100n, hasCustomer: false, velocity: { cardAttempts: 1, ...usual(0, 0n), cardsPerEmail: 12, cardsPerIp: 12 } }),
  account_takeover: payment({ amountMinor: 20_000n, shopper: { country: "GB", emailDomain: null }, velocity: { cardAttempts: 1, ...usual(0, 0n), cardsPerCustomer: 3, cardsPerEmail: 3, cardsPerIp: 3 } }),
  amount_anomaly: payment({ amountMinor: 60_000n }),
  no_counters: payment({ velocity: undefined }),
};
