// The hook behind the live panels (review queue, open alerts): a read, a subscription merged into it
// (live-set.ts), and a fresh read after every connection of the socket: at once after a reconnect
// (what happened while it was down), and 1.5 s after any connection, when the server surely has
// the subscription in place (the payments list does the same: use-live-payments.ts says why).
import { useLayoutEffect, useRef, useState } from "preact/hooks";
import { describeError } from "../api/errors.js";
import { api } from "../api/session.js";
import { afterRead, applyLive, type Newer } from "./live-set.js";

const SETTLE_MS = 1500;

export interface LiveSet<T> {
  items: ReadonlyMap<string, T>;
  loaded: boolean;
  error: string;
  /** Applies an object the page itself got back (a mutation's answer) as if it had been pushed. */
  apply(item: T): void;
}

interface Source<T> {
  read(): Promise<T[]>;
  /** Starts the subscription; returns its unsubscribe. */
  subscribe(push: (item: T) => void, fail: (err: unknown) => void): () => void;
  newer: Newer<T>;
}

export function useLiveSet<T extends { id: string }>(source: Source<T>): LiveSet<T> {
  const [items, setItems] = useState<ReadonlyMap<string, T>>(new Map());
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState("");
  // Pushes since the latest read was sent, to lay over its answer.
  const pushedSince = useRef<T[]>([]);
  const push = (item: T): void => {
    pushedSince.current.push(item);
    setItems((known) => applyLive(known, [item], source.newer));
  };

  useLayoutEffect(() => {
    let alive = true;
    const read = (): void => {
      pushedSince.current = [];
      source.read().then((answer) => {
        if (!alive) return;
        setItems(afterRead(answer, pushedSince.current, source.newer));
        setLoaded(true);
        setError("");
      }, (err: unknown) => alive && setError(describeError(err)));
    };
    read();
    const stop = source.subscribe((item) => alive && push(item), (err) => alive && setError(describeError(err)));
    let settle: ReturnType<typeof setTimeout> | undefined;
    const stopConnected = api.onConnected((reconnected) => {
      if (reconnected) read();
      clearTimeout(settle);
      settle = setTimeout(read, SETTLE_MS);
    });
    return () => {
      alive = false;
      clearTimeout(settle);
      stop();
      stopConnected();
    };
  }, []);

  return { items, loaded, error, apply: push };
}
