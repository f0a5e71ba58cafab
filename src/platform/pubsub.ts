// Redis pub/sub for live updates. Unlike a fire-and-forget event target, `publish` resolves only
// once Redis has the message (the outbox relay deletes a row only then), and `subscribe` resolves
// only once Redis has confirmed the subscription (so nothing published afterwards is missed).
// Pub/sub drops what is published while a subscriber is disconnected: after a reconnect each
// subscription may `resync` (re-read the state it follows) to close that gap.
import type { Redis } from "ioredis";
import { AppError, ErrorCode } from "./errors.js";
import { RETRY_AFTER_MS } from "./unavailable.js";

/**
 * Messages one subscription may have waiting for its consumer (a client that reads slower than
 * events come): past it the subscription ends with SERVICE_UNAVAILABLE (retryable; a new
 * subscription resyncs) rather than growing the heap without end.
 */
export const MAX_QUEUED_MESSAGES = 1000;

/** What a subscription re-reads after a Redis reconnect: the messages it may have missed, oldest first. */
export type Resync<T> = () => Promise<readonly T[]>;

interface Subscription {
  push(message: unknown): void;
  resync: Resync<unknown> | undefined;
}

/** A subscription to the messages of one key only (one payment of a merchant's channel). */
export interface KeyFilter<T> {
  key: string;
  /** The key of a message of the channel; the same function for every keyed subscriber of a channel. */
  of: (message: T) => string;
}

/** The subscribers of one Redis channel: those taking every message, and those taking one key's, indexed. */
interface Channel {
  all: Set<Subscription>;
  byKey: Map<string, Set<Subscription>>;
  keyOf: ((message: unknown) => string) | undefined;
  size: number;
}

/** A queue with one consumer: `push` never blocks, `next` waits; bounded by MAX_QUEUED_MESSAGES. */
function boundedQueue<T>(release: () => void): { push(message: T): void; iterator: AsyncIterableIterator<T> } {
  const queued: T[] = [];
  let waiting: ((result: IteratorResult<T>) => void) | undefined;
  let overflowed = false;
  let done = false;
  const finish = (): IteratorResult<T> => {
    done = true;
    queued.length = 0;
    release();
    return { done: true, value: undefined };
  };
  // A hand-written iterator rather than an async generator: a generator's return() waits behind
  // a pending next(), so an idle subscription would never unsubscribe when the client leaves.
  const iterator: AsyncIterableIterator<T> = {
    [Symbol.asyncIterator]: () => iterator,
    next: () => {
      if (done) return Promise.resolve({ done: true, value: undefined });
      if (overflowed) {
        finish();
        return Promise.reject(new AppError(ErrorCode.SERVICE_UNAVAILABLE, "This subscription fell too far behind its events; subscribe again", { retryable: true, retryAfterMs: RETRY_AFTER_MS }));
      }
      if (queued.length > 0) return Promise.resolve({ done: false, value: queued.shift() as T });
      return new Promise<IteratorResult<T>>((resolve) => (waiting = resolve));
    },
    return: async () => {
      const result = finish();
      waiting?.(result);
      waiting = undefined;
      return result;
    },
  };
  return {
    iterator,
    push: (message) => {
      if (done || overflowed) return;
      if (waiting) {
        const resolve = waiting;
        waiting = undefined;
        return resolve({ done: false, value: message });
      }
      queued.push(message);
      // Only reached with no consumer waiting (it would have taken the message): the next next() fails.
      if (queued.length > MAX_QUEUED_MESSAGES) {
        overflowed = true;
        queued.length = 0;
      }
    },
  };
}

export class PubSubHub {
  private readonly channels = new Map<string, Channel>();
  /** The Redis SUBSCRIBE of each channel: every subscriber awaits it, not only the first. */
  private readonly ready = new Map<string, Promise<unknown>>();
  private lost = false;

  constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    private readonly log?: { warn(obj: object, msg: string): void },
  ) {
    subscriber.on("message", (name: string, message: string) => {
      const channel = this.channels.get(name);
      if (!channel) return;
      const parsed = JSON.parse(message) as unknown;
      for (const sub of channel.all) sub.push(parsed);
      if (channel.keyOf) for (const sub of channel.byKey.get(channel.keyOf(parsed)) ?? []) sub.push(parsed);
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
    for (const channel of this.channels.values()) {
      for (const sub of [...channel.all, ...[...channel.byKey.values()].flatMap((subs) => [...subs])]) {
        if (!sub.resync) continue;
        sub.resync().then(
          (missed) => missed.forEach((m) => sub.push(m)),
          (err: unknown) => this.log?.warn({ err }, "subscription resync failed; its next event fills the gap"),
        );
      }
    }
  }

  /**
   * Subscribes to `channel`; with `only`, to the messages of one key of it. One Redis subscription
   * per channel and process, whatever the number of subscribers: a merchant's payments share one
   * channel (one PUBLISH per change), and a subscriber of one payment is handed that payment's
   * messages only (an index by key, not a filter run per subscriber).
   */
  async subscribe<T>(name: string, resync?: Resync<T>, only?: KeyFilter<T>): Promise<AsyncIterableIterator<T>> {
    let channel = this.channels.get(name);
    if (!channel) this.channels.set(name, (channel = { all: new Set(), byKey: new Map(), keyOf: undefined, size: 0 }));
    const entry = channel;
    let subs = entry.all;
    if (only) {
      entry.keyOf ??= only.of as (message: unknown) => string;
      subs = entry.byKey.get(only.key) ?? new Set();
      entry.byKey.set(only.key, subs);
    }
    const release = (): void => {
      if (!subs.delete(sub)) return;
      if (only && subs.size === 0) entry.byKey.delete(only.key);
      if (--entry.size > 0) return;
      this.channels.delete(name);
      this.ready.delete(name);
      void this.subscriber.unsubscribe(name).catch(() => undefined);
    };
    const queue = boundedQueue<T>(release);
    const sub: Subscription = { push: (m) => queue.push(m as T), resync };
    subs.add(sub);
    entry.size += 1;
    let ready = this.ready.get(name);
    if (!ready) this.ready.set(name, (ready = this.subscriber.subscribe(name)));
    try {
      await ready;
    } catch (err) {
      this.ready.delete(name); // the next subscriber tries again
      await queue.iterator.return?.();
      throw err;
    }
    return queue.iterator;
  }

  /**
   * Calls `onMessage` for every message on `channel` until `stop`: how a process keeps a cache
   * honest (revoked keys, clients, ended sessions). Pub/sub loses what is sent while disconnected,
   * so after a reconnect `onLost` runs (typically: forget everything).
   */
  async follow<T>(channel: string, onMessage: (message: T) => void, onLost: () => void, log: { error(obj: object, msg: string): void }): Promise<() => Promise<unknown>> {
    const messages = await this.subscribe<T>(channel, async () => {
      onLost();
      return [];
    });
    void (async () => {
      for await (const message of messages) onMessage(message);
    })().catch((err: unknown) => log.error({ err, channel }, "pub/sub follower stopped"));
    return async () => messages.return?.();
  }
}

/**
 * `first`, then whatever `source` yields: a subscription that starts with the current state. Hand
 * written for the reason boundedQueue is: return() must end `source` at once, even while a next()
 * waits on it.
 */
export function startingWith<T>(first: readonly T[], source: AsyncIterableIterator<T>): AsyncIterableIterator<T> {
  const queued = [...first];
  const iterator: AsyncIterableIterator<T> = {
    [Symbol.asyncIterator]: () => iterator,
    next: () => (queued.length ? Promise.resolve({ done: false, value: queued.shift() as T }) : source.next()),
    return: async () => {
      queued.length = 0;
      await source.return?.();
      return { done: true, value: undefined };
    },
  };
  return iterator;
}
