// A seeded simulator of card payments for training the risk model. SYNTHETIC DATA, written for this
// project (after the shape of the Fraud Detection Handbook's simulator: customer profiles, then
// fraud scenarios injected on top): no real payment, card or person is in it.
//
// Customers have a home country, one or two cards, an email, an IP address, a usual amount and a
// rate of payments; some travel, some pay as guests, some retry after "insufficient funds", some
// buy something big. What makes honest payments look risky to a naive model is in it on purpose:
// customers keep arriving (so first payments with a never-seen card are everyday), a third share
// an address with others (mobile carriers' and offices' NAT, households), and a declined card is
// often followed by the customer's other card, or a new one, minutes later (the honest "second
// card" that users of the big APIs complain gets blocked). On top of them, four fraud scenarios:
// - compromised_card: a customer's card used by someone else, from another country and address,
//   several times over three days, for 2–6× the customer's usual amount;
// - card_testing: one address tries 8–40 never-seen cards for small amounts within half an hour;
// - account_takeover: someone in a customer's account tries 1–3 new cards within 15 minutes;
// - amount_anomaly: a customer's card used once for 8–25× its usual amount.
// The counters are computed as the risk step's Redis script computes them (velocity.ts), and the
// features by the very function the risk step uses (features.ts). Same seed, same payments.
import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import type { RiskFacts } from "../facts.js";
import { VELOCITY_WINDOW_MS, CARD_HISTORY_MS, type VelocityCounts } from "../velocity.js";
import { featureVector } from "./features.js";

export type Scenario = "legit" | "compromised_card" | "card_testing" | "account_takeover" | "amount_anomaly";
export const FRAUD_SCENARIOS: Scenario[] = ["compromised_card", "card_testing", "account_takeover", "amount_anomaly"];

export interface Simulation {
  seed: number;
  customers: number;
  days: number;
  /** Days simulated before any payment is kept (so cards have a history, as a live merchant's do). */
  burnInDays: number;
}

export const DEFAULT_SIMULATION: Simulation = { seed: 20_261_206, customers: 4_000, days: 120, burnInDays: 14 };

export interface SimulatedPayment {
  at: number;
  facts: RiskFacts;
  x: number[];
  fraud: boolean;
  scenario: Scenario;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const COUNTRIES = ["US", "US", "US", "GB", "GB", "FR", "DE", "DE", "NL", "ES", "IT", "CA", "BR", "JP", "AU"];
const LARGE_AMOUNT_MINOR = 500_000n; // USD 5,000.00: the default threshold (facts.ts)

interface Card { fingerprint: string; country: string }
interface Customer { id: string; country: string; cards: Card[]; email: string; ip: string; usualMinor: number; perDay: number; firstDay: number }
interface Event {
  at: number; seq: number; card: Card; customerId: string | null; email: string | null; ip: string | null; shopperCountry: string | null;
  amountMinor: bigint; retry: boolean; fraud: boolean; scenario: Scenario;
}

class Random {
  private readonly rng;
  constructor(seed: number) { this.rng = xoroshiro128plus(seed); }
  next(): number { return uniformFloat64(this.rng); }
  between(lo: number, hi: number): number { return lo + (hi - lo) * this.next(); }
  int(lo: number, hi: number): number { return Math.floor(this.between(lo, hi + 1)); }
  chance(p: number): boolean { return this.next() < p; }
  pick<T>(items: readonly T[]): T { return items[Math.floor(this.next() * items.length)]!; }
  normal(): number { return Math.sqrt(-2 * Math.log(1 - this.next())) * Math.cos(2 * Math.PI * this.next()); }
  poisson(mean: number): number {
    let k = 0;
    for (let p = this.next(), limit = Math.exp(-mean); p > limit; p *= this.next()) k++;
    return k;
  }
  otherCountry(than: string): string {
    for (;;) { const c = this.pick(COUNTRIES); if (c !== than) return c; }
  }
}

export function simulate(options: Simulation = DEFAULT_SIMULATION): SimulatedPayment[] {
  const r = new Random(options.seed);
  let ids = 0;
  const newId = (kind: string) => `${kind}${(++ids).toString(36)}`;
  const newCard = (country: string): Card => ({ fingerprint: newId("card"), country });
  // Addresses shared by many customers (a carrier's or an office's NAT).
  const sharedIps = Array.from({ length: Math.ceil(options.customers / 30) }, () => newId("ip"));
  const customers: Customer[] = Array.from({ length: options.customers }, () => {
    const country = r.pick(COUNTRIES);
    return {
      id: newId("cus"), country, cards: [newCard(country), ...(r.chance(0.2) ? [newCard(country)] : [])], email: newId("mail"),
      ip: r.chance(0.3) ? r.pick(sharedIps) : newId("ip"),
      usualMinor: Math.round(Math.exp(Math.log(4_000) + 0.8 * r.normal())), perDay: r.between(0.05, 0.55),
      // Half were customers before the simulation starts; the others arrive one day or another.
      firstDay: r.chance(0.5) ? 0 : r.int(0, options.days - 1),
    };
  });
  const events: Event[] = [];
  const push = (e: Omit<Event, "seq">) => events.push({ ...e, seq: events.length });
  const amount = (usual: number, times = 1) => BigInt(Math.max(50, Math.round(usual * times * Math.exp(0.45 * r.normal()))));
  const daytime = (day: number) => day * DAY + r.between(7 * HOUR, 23 * HOUR);

  for (let day = 0; day < options.days; day++) {
    for (const c of customers) {
      if (day < c.firstDay) continue;
      if (r.chance(0.0004)) c.cards.push(newCard(c.country)); // a new card, now and then
      for (let n = r.poisson(c.perDay); n > 0; n--) {
        const at = daytime(day);
        const card = c.cards.length > 1 && r.chance(0.3) ? c.cards[c.cards.length - 1]! : c.cards[0]!;
        const travelling = r.chance(0.03);
        const base = {
          card, customerId: r.chance(0.1) ? null : c.id, email: c.email, ip: r.chance(0.1) ? newId("ip") : c.ip,
          shopperCountry: travelling ? r.otherCountry(c.country) : r.chance(0.2) ? null : c.country, fraud: false, scenario: "legit" as const,
        };
        const price = amount(c.usualMinor, r.chance(0.007) ? r.between(4, 10) : 1);
        push({ ...base, at, amountMinor: price, retry: false });
        // An honest retry, or two, after "insufficient funds".
        if (r.chance(0.02)) for (let k = r.int(1, 3), t = at; k > 0; k--) push({ ...base, at: (t += r.between(1, 5) * MINUTE), amountMinor: price, retry: true });
        // Declined, then the customer's other card (or a new one) a few minutes later: the
        // payment's last decline was "insufficient funds" half the time (the retry flag).
        if (r.chance(0.03)) {
          const other = c.cards.find((k) => k !== card) ?? (c.cards.push(newCard(c.country)), c.cards[c.cards.length - 1]!);
          push({ ...base, card: other, at: at + r.between(1, 6) * MINUTE, amountMinor: price, retry: r.chance(0.5) });
        }
      }
    }
    for (let n = r.poisson(3); n > 0; n--) {
      const c = r.pick(customers);
      const start = daytime(day);
      const from = r.chance(0.85) ? r.otherCountry(c.country) : c.country;
      const who = { email: newId("mail"), ip: newId("ip"), customerId: r.chance(0.7) ? null : newId("cus") };
      for (let k = r.int(2, 6); k > 0; k--) {
        push({ ...who, at: start + r.between(0, 72 * HOUR), card: c.cards[0]!, shopperCountry: from, amountMinor: amount(c.usualMinor, r.between(2, 6)), retry: false, fraud: true, scenario: "compromised_card" });
      }
    }
    if (r.chance(0.35)) {
      const start = daytime(day);
      const ip = newId("ip");
      const email = r.chance(0.5) ? newId("mail") : null;
      const from = r.chance(0.5) ? r.pick(COUNTRIES) : null;
      for (let k = r.int(8, 40); k > 0; k--) {
        push({
          at: start + r.between(0, 30 * MINUTE), card: newCard(r.pick(COUNTRIES)), customerId: null, email: email ?? newId("mail"), ip, shopperCountry: from,
          amountMinor: BigInt(r.int(50, 300)), retry: false, fraud: true, scenario: "card_testing",
        });
      }
    }
    for (let n = r.poisson(1.5); n > 0; n--) {
      const c = r.pick(customers);
      const start = daytime(day);
      const ip = newId("ip");
      const from = r.chance(0.8) ? r.otherCountry(c.country) : c.country;
      for (let k = r.int(1, 3); k > 0; k--) {
        push({
          at: start + r.between(0, 15 * MINUTE), card: newCard(r.pick(COUNTRIES)), customerId: c.id, email: c.email, ip, shopperCountry: from,
          amountMinor: amount(c.usualMinor, r.between(3, 8)), retry: false, fraud: true, scenario: "account_takeover",
        });
      }
    }
    for (let n = r.poisson(2); n > 0; n--) {
      const c = r.pick(customers);
      push({
        at: daytime(day), card: c.cards[0]!, customerId: r.chance(0.5) ? c.id : null, email: c.email, ip: newId("ip"), shopperCountry: c.country,
        amountMinor: amount(c.usualMinor, r.between(8, 25)), retry: false, fraud: true, scenario: "amount_anomaly",
      });
    }
  }
  events.sort((a, b) => a.at - b.at || a.seq - b.seq);
  const counters = new Counters();
  const kept: SimulatedPayment[] = [];
  for (const e of events) {
    const velocity = counters.count(e);
    if (e.at < options.burnInDays * DAY) continue;
    const facts: RiskFacts = {
      amountMinor: e.amountMinor, currency: "USD", largeAmountMinor: LARGE_AMOUNT_MINOR,
      card: { bin: null, last4: "0000", country: e.card.country, brand: "visa" }, hasCustomer: e.customerId !== null,
      shopper: { country: e.shopperCountry, emailDomain: null }, velocity, retryAfterInsufficientFunds: e.retry, testCards: false,
    };
    kept.push({ at: e.at, facts, x: featureVector(facts), fraud: e.fraud, scenario: e.scenario });
  }
  return kept;
}

/** The velocity script's counters (velocity.ts), in memory: same windows, same semantics. */
class Counters {
  private readonly attempts = new Map<string, number[]>();
  private readonly distinct = new Map<string, Map<string, number>>();
  private readonly history = new Map<string, { n: number; sum: bigint; last: number }>();

  count(e: Event): VelocityCounts {
    const since = e.at - VELOCITY_WINDOW_MS;
    const times = (this.attempts.get(e.card.fingerprint) ?? []).filter((t) => t > since);
    times.push(e.at);
    this.attempts.set(e.card.fingerprint, times);
    const cards = (key: string | null): number | undefined => {
      if (key === null) return undefined;
      const seen = this.distinct.get(key) ?? new Map<string, number>();
      seen.set(e.card.fingerprint, e.at);
      for (const [card, at] of seen) if (at <= since) seen.delete(card);
      this.distinct.set(key, seen);
      return seen.size;
    };
    let h = this.history.get(e.card.fingerprint);
    if (!h || e.at - h.last > CARD_HISTORY_MS) h = { n: 0, sum: 0n, last: e.at };
    const counts: VelocityCounts = {
      cardAttempts: times.length, cardPayments: h.n, cardAmountSum: h.sum,
      cardsPerCustomer: cards(e.customerId && `c:${e.customerId}`), cardsPerEmail: cards(e.email && `e:${e.email}`), cardsPerIp: cards(e.ip && `i:${e.ip}`),
    };
    this.history.set(e.card.fingerprint, { n: h.n + 1, sum: h.sum + e.amountMinor, last: e.at });
    return counts;
  }
}
