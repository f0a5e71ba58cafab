// Every version of a payment, in order, exactly once: what paymentUpdated promises a subscriber.
// Pub/sub may deliver a payment's versions out of order (two processes relaying), twice (the outbox
// re-sends), or not at all (a Redis reconnect, a resync that reads only the latest). So a version
// older than or equal to the last one delivered is dropped, and one that skips ahead (v > last + 1)
// first brings the versions in between from the audit trail (each holds the payment at its version).
// A merchant-wide stream first seeing an older payment at v > 1 also brings the versions before v
// changed since it began: the outbox's poller may publish one of them after v.
// Pure but for the injected reader, so it is tested without servers (test/unit/payment-stream.test.ts).
import type { PaymentUpdatedMessage } from "./transition.js";

export interface InOrderOptions {
  /** The messages of versions from..to (inclusive) of one payment, ascending; may return fewer. */
  versions(paymentId: string, from: number, to: number): Promise<PaymentUpdatedMessage[]>;
  /**
   * A payment first seen at version v > 1 whose snapshot was created at or after this time (ms)
   * started after the subscription did, so its earlier versions are filled in too. Undefined: a
   * payment's stream starts with the first version seen (a single-payment subscription starts
   * with the payment as it is).
   */
  horizon?: number;
  /** Payments remembered at most (least recently changed forgotten first): a dashboard follows payments without end. */
  maxTracked?: number;
  /** A gap that could not be filled (the database did not answer): logged; the stream goes on. */
  onGapUnfilled?(paymentId: string, from: number, to: number, err: unknown): void;
  /** Called with every message taken from the source, before ordering. */
  onHeard?(message: PaymentUpdatedMessage): void;
}

const timeOf = (m: PaymentUpdatedMessage, field: "createdAt" | "updatedAt"): number => {
  const at = m.payment[field];
  return typeof at === "string" ? Date.parse(at) : Number.NaN;
};
const createdAtMs = (m: PaymentUpdatedMessage): number => timeOf(m, "createdAt");
const updatedAtMs = (m: PaymentUpdatedMessage): number => timeOf(m, "updatedAt");

export function inVersionOrder(
  first: readonly PaymentUpdatedMessage[],
  source: AsyncIterableIterator<PaymentUpdatedMessage>,
  options: InOrderOptions,
): AsyncIterableIterator<PaymentUpdatedMessage> {
  const maxTracked = options.maxTracked ?? 10_000;
  const delivered = new Map<string, number>();
  let horizon = options.horizon;
  const ready: PaymentUpdatedMessage[] = [];
  const pending = [...first];

  const remember = (paymentId: string, version: number): void => {
    delivered.delete(paymentId); // re-inserted last: the Map's order is least recently changed first
    delivered.set(paymentId, version);
    if (delivered.size <= maxTracked) return;
    const oldest = delivered.keys().next().value as string;
    delivered.delete(oldest);
    // A forgotten payment was created before now: from here on only payments created later are
    // known to be new, so an older one seen again is not replayed from its first version.
    if (horizon !== undefined) horizon = Math.max(horizon, Date.now());
  };

  /** The last version of the payment the subscriber has, or has no need of. */
  const lastOf = async (m: PaymentUpdatedMessage): Promise<number> => {
    const known = delivered.get(m.paymentId);
    if (known !== undefined) return known;
    if (horizon === undefined || m.version === 1) return m.version - 1;
    if (createdAtMs(m) >= horizon) return 0;
    // An older payment first seen at v > 1: versions before v that changed it since the horizon are
    // owed too (one published late, after v, by the outbox's poller must not be taken for an old one).
    const since = horizon;
    try {
      const earlier = await options.versions(m.paymentId, 1, m.version - 1);
      const owed = earlier.find((e) => updatedAtMs(e) >= since);
      return owed ? owed.version - 1 : m.version - 1;
    } catch (err) {
      options.onGapUnfilled?.(m.paymentId, 1, m.version - 1, err);
      return m.version - 1;
    }
  };

  const take = async (m: PaymentUpdatedMessage): Promise<void> => {
    const last = await lastOf(m);
    if (m.version <= last) return; // a duplicate or an older version: already delivered
    if (m.version > last + 1) {
      try {
        for (const missed of await options.versions(m.paymentId, last + 1, m.version - 1)) {
          if (missed.version > (delivered.get(m.paymentId) ?? last) && missed.version < m.version) {
            ready.push(missed);
            remember(m.paymentId, missed.version);
          }
        }
      } catch (err) {
        options.onGapUnfilled?.(m.paymentId, last + 1, m.version - 1, err);
      }
    }
    ready.push(m);
    remember(m.paymentId, m.version);
  };

  const iterator: AsyncIterableIterator<PaymentUpdatedMessage> = {
    [Symbol.asyncIterator]: () => iterator,
    next: async () => {
      while (ready.length === 0) {
        const next = pending.shift();
        if (next) {
          await take(next);
          continue;
        }
        const result = await source.next();
        if (result.done) return result;
        options.onHeard?.(result.value);
        await take(result.value);
      }
      return { done: false, value: ready.shift() as PaymentUpdatedMessage };
    },
    return: async () => (await source.return?.()) ?? { done: true, value: undefined },
  };
  return iterator;
}
