// A settings list: read once on arrival and again after each change (reload). Lists are read
// 100 at a time, newest first; a merchant with more is told that only those are shown.
import { useEffect, useState } from "preact/hooks";
import { describeError } from "../api/errors.js";

export const PAGE = 100;

export interface List<T> { data: T | undefined; error: string; reload(): void }

export function useList<T>(load: () => Promise<T>): List<T> {
  const [data, setData] = useState<T | undefined>();
  const [error, setError] = useState("");
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let alive = true;
    load().then((d) => { if (alive) { setData(d); setError(""); } }, (err: unknown) => alive && setError(describeError(err)));
    return () => void (alive = false);
  }, [version]);
  return { data, error, reload: () => setVersion((v) => v + 1) };
}
