// Redis pub/sub for live updates. Unlike a fire-and-forget event target, `publish` resolves only
// once Redis has the message (the outbox relay deletes a row only then), and `subscribe` resolves
// only once Redis has confirmed the subscription (so nothing published afterwards is missed).
// Pub/sub drops what is published while a subscriber is disconnected: after a reconnect each
// subscription may `resync` (re-read the state it follows) to close that gap.
import { EventEmitter, on } from "node:events";
import type { Redis } from "ioredis";

interface Subscription {
  own: EventEmitter;
  resync: (() => Promise<unknown>) | undefined;
}

export class PubSubHub {
  private readonly channels = new Map<string, Set<Subscription>>();
  /** The Redis SUBSCRIBE of each channel: every subscriber awaits it, not only the first. */
  private readonly ready = new Map<string, Promise<unknown>>();
  private lost = false;

  constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
  ) {
    subscriber.on("message", (channel: string, message: string) => {
      const parsed = JSON.parse(message) as unknown;
      for (const sub of this.channels.get(channel) ?? []) sub.own.emit("message", parsed);
    });
    subscriber.on("close", () => (this.lost = true));
    subscriber.on("ready", () => {
      if (!this.lost) return;
      this.lost = false;
      // ioredis re-subscribes on reconnect; a PING queued behind those SUBSCRIBEs tells when they are in place.
      void this.subscriber.ping().then(() => this.resyncAll(), () => undefined);
    });
  }

  /** Publishes each message to each of its channels in one round trip; resolves once Redis has all of them. */
  async publish(messages: { channels: string[]; message: unknown }[]): Promise<void> {
    const pipeline = this.publisher.pipeline();
    for (const { channels, message } of messages) {
      const text = JSON.stringify(message);
      for (const channel of channels) pipeline.publish(channel, text);
    }
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([err]) => err);
    if (failed?.[0]) throw failed[0];
  }

  private resyncAll(): void {
    for (const subs of this.channels.values()) {
      for (const sub of subs) {
        if (!sub.resync) continue;
        sub.resync().then((value) => value !== undefined && sub.own.emit("message", value), () => undefined);
      }
    }
  }

  async subscribe<T>(channel: string, resync?: () => Promise<T | undefined>): Promise<AsyncIterableIterator<T>> {
    const sub: Subscription = { own: new EventEmitter(), resync };
    let subs = this.channels.get(channel);
    if (!subs) this.channels.set(channel, (subs = new Set()));
    subs.add(sub);
    const events = on(sub.own, "message") as AsyncIterableIterator<[T]>;
    const release = (): void => {
      if (!subs.delete(sub) || subs.size > 0) return;
      this.channels.delete(channel);
      this.ready.delete(channel);
      void this.subscriber.unsubscribe(channel).catch(() => undefined);
    };
    let ready = this.ready.get(channel);
    if (!ready) this.ready.set(channel, (ready = this.subscriber.subscribe(channel)));
    try {
      await ready;
    } catch (err) {
      this.ready.delete(channel); // the next subscriber tries again
      release();
      await events.return?.();
      throw err;
    }
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

  /**
   * Calls `onMessage` for every message on `channel` until `stop`: how a process keeps a cache
   * honest (revoked keys, clients, ended sessions). Pub/sub loses what is sent while disconnected,
   * so after a reconnect `onLost` runs (typically: forget everything).
   */
  async follow<T>(channel: string, onMessage: (message: T) => void, onLost: () => void, log: { error(obj: object, msg: string): void }): Promise<() => Promise<unknown>> {
    const messages = await this.subscribe<T | undefined>(channel, async () => {
      onLost();
      return undefined;
    });
    void (async () => {
      for await (const message of messages) if (message !== undefined) onMessage(message);
    })().catch((err: unknown) => log.error({ err, channel }, "pub/sub follower stopped"));
    return async () => messages.return?.();
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
