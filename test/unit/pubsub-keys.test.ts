// One Redis channel, many subscribers: a keyed subscriber gets its key's messages only, an
// unkeyed one gets all, and the process holds one Redis subscription until the last one leaves.
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PubSubHub } from "../../src/platform/pubsub.js";

const url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const publisher = new Redis(url);
const subscriber = new Redis(url);
const channel = `t_pubsub_${randomUUID().slice(0, 8)}:payments:mer_1`;
// Ready before its first SUBSCRIBE: a SUBSCRIBE queued while connecting races ioredis's ready check.
beforeAll(async () => {
  await subscriber.ping();
});
afterAll(() => {
  publisher.disconnect();
  subscriber.disconnect();
});

interface Msg { paymentId: string; version: number }
const of = (m: Msg): string => m.paymentId;

async function take(source: AsyncIterableIterator<Msg>, n: number): Promise<Msg[]> {
  const got: Msg[] = [];
  while (got.length < n) got.push((await source.next()).value as Msg);
  return got;
}

describe("PubSubHub keyed subscriptions", () => {
  it("hands each subscriber of one key that key's messages only, and every message to an unkeyed one", async () => {
    const hub = new PubSubHub(publisher, subscriber);
    const a = await hub.subscribe<Msg>(channel, undefined, { key: "pay_a", of });
    const b = await hub.subscribe<Msg>(channel, undefined, { key: "pay_b", of });
    const all = await hub.subscribe<Msg>(channel);
    const redisChannels = async (): Promise<string[]> => ((await publisher.pubsub("CHANNELS")) as string[]).filter((c) => c === channel);
    expect(await redisChannels()).toEqual([channel]);
    await hub.publish([
      { channels: [channel], message: { paymentId: "pay_a", version: 1 } },
      { channels: [channel], message: { paymentId: "pay_b", version: 1 } },
      { channels: [channel], message: { paymentId: "pay_a", version: 2 } },
    ]);
    expect(await take(a, 2)).toEqual([{ paymentId: "pay_a", version: 1 }, { paymentId: "pay_a", version: 2 }]);
    expect(await take(b, 1)).toEqual([{ paymentId: "pay_b", version: 1 }]);
    expect((await take(all, 3)).map((m) => `${m.paymentId}@${m.version}`)).toEqual(["pay_a@1", "pay_b@1", "pay_a@2"]);
    // Leaving: the Redis subscription stays while anyone follows the channel, and goes with the last.
    await a.return?.();
    await all.return?.();
    expect(await redisChannels()).toEqual([channel]);
    await b.return?.();
    await expect.poll(redisChannels).toEqual([]);
  });
});
