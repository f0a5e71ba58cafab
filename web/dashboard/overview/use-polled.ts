// A figure with no subscription of its own (gateway health, webhook endpoints): read on arrival,
// then every `everyMs` while the page is visible (a hidden tab costs the server nothing), at once
// when it becomes visible again, and after the live socket reconnects (the network was away).
import { useEffect, useState } from "preact/hooks";
import { describeError } from "../api/errors.js";
import { api } from "../api/session.js";

export interface Polled<T> { data: T | undefined; error: string }

export function usePolled<T>(read: () => Promise<T>, everyMs: number): Polled<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState("");
  useEffect(() => {
    let alive = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // Only the latest read schedules the next: a read started meanwhile (visible again, reconnected) supersedes it.
    let latest = 0;
    const load = (): void => {
      clearTimeout(timer);
      const mine = ++latest;
      read().then((value) => alive && (setData(value), setError("")), (err: unknown) => alive && setError(describeError(err)))
        .finally(() => {
          if (alive && mine === latest && document.visibilityState === "visible") timer = setTimeout(load, everyMs);
        });
    };
    const onVisibility = (): void => {
      if (document.visibilityState === "visible") load();
      else clearTimeout(timer);
    };
    load();
    document.addEventListener("visibilitychange", onVisibility);
    const stopConnected = api.onConnected((reconnected) => reconnected && load());
    return () => {
      alive = false;
      clearTimeout(timer);
      document.removeEventListener("visibilitychange", onVisibility);
      stopConnected();
    };
  }, []);
  return { data, error };
}
