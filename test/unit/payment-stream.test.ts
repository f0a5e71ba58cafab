// Every version of a payment, in order, once (src/payments/payment-stream.ts): duplicates and older
// versions are dropped, a version that skips ahead first brings the missed ones (from the audit
// trail in the server; from a map here).
import { describe, expect, it } from "vitest";
import { inVersionOrder } from "../../src/payments/payment-stream.js";
import type { PaymentUpdatedMessage } from "../../src/payments/transition.js";

const CREATED = "2020-01-01T00:00:00.000Z";
const msg = (paymentId: string, version: number, createdAt = CREATED): PaymentUpdatedMessage =>
  ({ merchantId: "mer_1", paymentId, version, payment: { id: paymentId, version, createdAt } });

/** A source that yields `items` then ends. */
function source(items: PaymentUpdatedMessage[]): AsyncIterableIterator<PaymentUpdatedMessage> {
  const it = items[Symbol.iterator]();
  const iterator: AsyncIterableIterator<PaymentUpdatedMessage> = {
    [Symbol.asyncIterator]: () => iterator,
    next: async () => it.next(),
    return: async () => ({ done: true, value: undefined }),
  };
  return iterator;
}

/** The audit trail: every version 1..10 of every payment. */
const history = async (paymentId: string, from: number, to: number): Promise<PaymentUpdatedMessage[]> =>
  Array.from({ length: Math.max(0, Math.min(to, 10) - from + 1) }, (_, i) => msg(paymentId, from + i));

async function drain(stream: AsyncIterableIterator<PaymentUpdatedMessage>): Promise<string[]> {
  const out: string[] = [];
  for await (const m of stream) out.push(`${m.paymentId}@${m.version}`);
  return out;
}

describe("inVersionOrder", () => {
  it("drops duplicates and older versions, and fills a gap from the history", async () => {
    const stream = inVersionOrder([msg("pay_a", 1)], source([msg("pay_a", 1), msg("pay_a", 4), msg("pay_a", 2), msg("pay_a", 3), msg("pay_a", 5)]), { versions: history });
    expect(await drain(stream)).toEqual(["pay_a@1", "pay_a@2", "pay_a@3", "pay_a@4", "pay_a@5"]);
  });

  it("starts a single-payment stream at the version it is given (no horizon)", async () => {
    const stream = inVersionOrder([msg("pay_a", 3)], source([msg("pay_a", 2), msg("pay_a", 5)]), { versions: history });
    expect(await drain(stream)).toEqual(["pay_a@3", "pay_a@4", "pay_a@5"]);
  });

  it("merchant-wide: follows a payment created after the horizon from its first version, an older one from where it is seen", async () => {
    const horizon = Date.parse(CREATED);
    const stream = inVersionOrder([], source([msg("pay_new", 3), msg("pay_old", 4, "2019-12-31T23:00:00.000Z"), msg("pay_old", 6, "2019-12-31T23:00:00.000Z")]), { versions: history, horizon });
    expect(await drain(stream)).toEqual(["pay_new@1", "pay_new@2", "pay_new@3", "pay_old@4", "pay_old@5", "pay_old@6"]);
  });

  it("merchant-wide: an older payment first seen at v > 1 also gets its versions changed since the horizon (one published late)", async () => {
    const horizon = Date.parse(CREATED);
    const old = "2019-12-31T23:00:00.000Z";
    // The trail: versions 1..7 before the horizon, 8 and 9 after it; 9 arrives first, 8 late.
    const trail = async (paymentId: string, from: number, to: number): Promise<PaymentUpdatedMessage[]> =>
      (await history(paymentId, from, to)).map((m) => ({ ...m, payment: { ...m.payment, createdAt: old, updatedAt: m.version >= 8 ? CREATED : old } }));
    const stream = inVersionOrder([], source([msg("pay_old", 9, old), msg("pay_old", 8, old)]), { versions: trail, horizon });
    expect(await drain(stream)).toEqual(["pay_old@8", "pay_old@9"]);
  });

  it("keeps going when a gap cannot be read, and says so", async () => {
    const unfilled: string[] = [];
    const stream = inVersionOrder([msg("pay_a", 1)], source([msg("pay_a", 3), msg("pay_a", 2), msg("pay_a", 4)]), {
      versions: async () => { throw new Error("Connection terminated unexpectedly"); },
      onGapUnfilled: (id, from, to) => unfilled.push(`${id}:${from}-${to}`),
    });
    expect(await drain(stream)).toEqual(["pay_a@1", "pay_a@3", "pay_a@4"]);
    expect(unfilled).toEqual(["pay_a:2-2"]);
  });

  it("forgets the least recently changed payment past maxTracked without replaying it from version 1", async () => {
    const horizon = Date.parse(CREATED) - 1;
    const stream = inVersionOrder([], source([msg("pay_a", 1), msg("pay_b", 1), msg("pay_c", 1), msg("pay_a", 2)]), { versions: history, horizon, maxTracked: 2 });
    expect(await drain(stream)).toEqual(["pay_a@1", "pay_b@1", "pay_c@1", "pay_a@2"]);
  });
});
