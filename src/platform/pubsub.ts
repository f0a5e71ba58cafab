// Redis pub/sub for live updates. Unlike a fire-and-forget event target, `publish` resolves only
// once Redis has the message (the outbox relay deletes a row only then), and `subscribe` resolves
// only once Redis has confirmed the subscription (so nothing published afterwards is missed).
import { EventEmitter, on } from "node:events";
import type { Redis } from "ioredis";

export class PubSubHub {
  private readonly local = new EventEmitter();
  private readonly listeners = new Map<string, number>();

  constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
  ) {
    this.local.setMaxListeners(0);
    subscriber.on("message", (channel: string, message: string) => {
      this.local.emit(channel, JSON.parse(message) as unknown);
    });
  }

  async publish(channel: string, message: unknown): Promise<void> {
    await this.publisher.publish(channel, JSON.stringify(message));
  }

  async subscribe<T>(channel: string): Promise<AsyncIterableIterator<T>> {
    const count = this.listeners.get(channel) ?? 0;
    this.listeners.set(channel, count + 1);
    const events = on(this.local, channel) as AsyncIterableIterator<[T]>;
    if (count === 0) await this.subscriber.subscribe(channel);
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      const left = (this.listeners.get(channel) ?? 1) - 1;
      if (left > 0) return void this.listeners.set(channel, left);
      this.listeners.delete(channel);
      void this.subscriber.unsubscribe(channel).catch(() => undefined);
    };
    // A hand-written iterator rather than an async generator: a generator's return() waits behind
    // a pending next(), so an idle subscription would never unsubscribe when the client leaves.
    const iterator: AsyncIterableIterator<T> = {
      [Symbol.asyncIterator]: () => iterator,
      next: async () => {
        const result = await events.next();
        return result.done ? { done: true, value: undefined } : { done: false, value: result.value[0] };
      },
      return: async () => {
        release();
        await events.return?.();
        return { done: true, value: undefined };
      },
    };
    return iterator;
  }
}

/** Wraps an iterator: first yields `first`, then only the items `keep` accepts. */
export function startWithAndFilter<T>(
  first: T | undefined,
  source: AsyncIterableIterator<T>,
  keep: (item: T) => boolean,
): AsyncIterableIterator<T> {
  let pending = first;
  const iterator: AsyncIterableIterator<T> = {
    [Symbol.asyncIterator]: () => iterator,
    next: async () => {
      if (pending !== undefined) {
        const value = pending;
        pending = undefined;
        if (keep(value)) return { done: false, value };
      }
      for (;;) {
        const result = await source.next();
        if (result.done || keep(result.value)) return result;
      }
    },
    return: async () => (await source.return?.()) ?? { done: true, value: undefined },
  };
  return iterator;
}
