// A trailing throttle over an async stream: items arriving while a send is not yet allowed are
// merged into one pending change, and that change is produced and sent as soon as the interval
// since the last send has passed. At most one value per interval, and the last change is never
// lost: it is always followed by a send that reflects it.

export interface ThrottleOptions<S, A, T> {
  intervalMs: number;
  /** Folds an arriving item into what is pending (undefined: nothing pending yet). */
  merge: (pending: A | undefined, item: S) => A;
  /** Turns what was pending into the value to send; undefined sends nothing. */
  produce: (pending: A) => Promise<T | undefined>;
  /** A value to send at once, before any item (counts as a send for the interval). */
  first?: () => Promise<T>;
}

export function throttle<S, A, T>(source: AsyncIterator<S>, opts: ThrottleOptions<S, A, T>): AsyncIterableIterator<T> {
  let pending: A | undefined;
  /** The source ended: what is pending is still sent. */
  let finished = false;
  /** The consumer left: nothing more is sent. */
  let closed = false;
  let lastSent = -Infinity;
  let wake: (() => void) | undefined;
  let sleeping: { timer: NodeJS.Timeout; done: () => void } | undefined;
  const signal = (): void => {
    wake?.();
    wake = undefined;
  };
  const stop = (): void => {
    closed = true;
    if (sleeping) {
      clearTimeout(sleeping.timer);
      sleeping.done();
    }
    signal();
  };
  // Reads the source continuously, also while a send waits for its interval.
  void (async () => {
    try {
      for (;;) {
        const result = await source.next();
        if (result.done) break;
        pending = opts.merge(pending, result.value);
        signal();
      }
    } catch {
      // a failed source ends the stream
    }
    finished = true;
    signal();
  })();
  const sleep = (ms: number): Promise<void> =>
    new Promise((done) => {
      sleeping = { timer: setTimeout(done, ms), done };
    });
  let first = opts.first;
  const iterator: AsyncIterableIterator<T> = {
    [Symbol.asyncIterator]: () => iterator,
    next: async () => {
      if (first) {
        const produceFirst = first;
        first = undefined;
        lastSent = Date.now();
        return { done: false, value: await produceFirst() };
      }
      for (;;) {
        while (pending === undefined && !finished && !closed) await new Promise<void>((resolve) => (wake = resolve));
        if (closed || pending === undefined) return { done: true, value: undefined };
        const wait = lastSent + opts.intervalMs - Date.now();
        if (wait > 0) await sleep(wait); // more items merge into `pending` meanwhile
        if (closed) return { done: true, value: undefined };
        const taken = pending;
        pending = undefined;
        lastSent = Date.now();
        const value = await opts.produce(taken);
        if (value !== undefined) return { done: false, value };
      }
    },
    return: async () => {
      stop();
      await source.return?.();
      return { done: true, value: undefined };
    },
  };
  return iterator;
}
