// The hook behind the live panels (review queue, open alerts): a read, a subscription merged into it
// (live-set.ts), and a fresh read after every connection of the socket (api/gap-fill.ts says when).
// Only what `keep` admits stays (a held payment, a firing alert): the merchant-wide subscription
// brings every payment, and a page open all day must not hold them all. What leaves the set (a
// payment decided, an alert resolved) is remembered, so a late, older copy cannot bring it back.
import { useLayoutEffect, useRef, useState } from "preact/hooks";
import { describeError } from "../api/errors.js";
import { fillAfterConnections } from "../api/gap-fill.js";
import { afterRead, pushLive, type Newer } from "./live-set.js";

export interface LiveSet<T> {
  items: ReadonlyMap<string, T>;
  /** The last read found more than it returned (the panel shows a part: it says so). */
  more: boolean;
  loaded: boolean;
  error: string;
  /** Applies an object the page itself got back (a mutation's answer) as if it had been pushed. */
  apply(item: T): void;
}

export interface Source<T> {
  read(): Promise<{ items: T[]; more: boolean }>;
  /** Starts the subscription; returns its unsubscribe. */
  subscribe(push: (item: T) => void, fail: (err: unknown) => void): () => void;
  newer: Newer<T>;
  keep(item: T): boolean;
}

function pruned<T>(items: ReadonlyMap<string, T>, keep: (item: T) => boolean): ReadonlyMap<string, T> {
  return [...items.values()].every(keep) ? items : new Map([...items].filter(([, item]) => keep(item)));
}

export function useLiveSet<T extends { id: string }>(source: Source<T>): LiveSet<T> {
  const [items, setItems] = useState<ReadonlyMap<string, T>>(new Map());
  const [more, setMore] = useState(false);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState("");
  // For each read in flight, what was pushed since it was sent, to lay over its answer.
  const reads = useRef(new Set<T[]>());
  // The last copy of each object that left the set while this page was open.
  const gone = useRef(new Map<string, T>());
  const push = (item: T): void => {
    for (const since of reads.current) since.push(item);
    setItems((known) => pushLive(known, gone.current, item, source.newer, source.keep));
  };

  useLayoutEffect(() => {
    let alive = true;
    const read = (): void => {
      const since: T[] = [];
      reads.current.add(since);
      source.read().then((answer) => {
        if (!alive) return;
        setItems(pruned(afterRead(answer.items, since, source.newer), source.keep));
        setMore(answer.more);
        setLoaded(true);
        setError("");
      }, (err: unknown) => alive && setError(describeError(err))).finally(() => reads.current.delete(since));
    };
    read();
    const stop = source.subscribe((item) => alive && push(item), (err) => alive && setError(describeError(err)));
    const stopFill = fillAfterConnections(read);
    return () => {
      alive = false;
      stop();
      stopFill();
    };
  }, []);

  return { items, more, loaded, error, apply: push };
}
