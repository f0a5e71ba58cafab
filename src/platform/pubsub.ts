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
  private readonly channels = new Map<string, Set<Subscription>>();
  /** The Redis SUBSCRIBE of each channel: every subscriber awaits it, not only the first. */
  private readonly ready = new Map<string, Promise<unknown>>();
  private lost = false;

  constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    private readonly log?: { warn(obj: object, msg: string): void },
  ) {
    subscriber.on("message", (channel: string, message: string) => {
      const parsed = JSON.parse(message) as unknown;
      for (const sub of this.channels.get(channel) ?? []) sub.push(parsed);
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
        sub.resync().then(
          (missed) => missed.forEach((m) => sub.push(m)),
          (err: unknown) => this.log?.warn({ err }, "subscription resync failed; its next event fills the gap"),
        );
      }
    }
  }

  async subscribe<T>(channel: string, resync?: Resync<T>): Promise<AsyncIterableIterator<T>> {
    let subs = this.channels.get(channel);
    if (!subs) this.channels.set(channel, (subs = new Set()));
    const release = (): void => {
      if (!subs.delete(sub) || subs.size > 0) return;
      this.channels.delete(channel);
      this.ready.delete(channel);
      void this.subscriber.unsubscribe(channel).catch(() => undefined);
    };
    const queue = boundedQueue<T>(release);
    const sub: Subscription = { push: (m) => queue.push(m as T), resync };
    subs.add(sub);
    let ready = this.ready.get(channel);
    if (!ready) this.ready.set(channel, (ready = this.subscriber.subscribe(channel)));
    try {
      await ready;
    } catch (err) {
      this.ready.delete(channel); // the next subscriber tries again
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
