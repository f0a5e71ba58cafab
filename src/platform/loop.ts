// A periodic job in the worker, one run at a time: the next run is scheduled when the previous one
// has finished (never two overlapping), and `stop` waits for the run in progress. A failed run is
// logged by the caller's `run` and simply tried again at the next tick.
export function every(ms: number, run: () => Promise<unknown>): { stop(): Promise<void> } {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const tick = (): void => {
    running = run().finally(() => {
      if (stopped) return;
      timer = setTimeout(tick, ms);
      timer.unref();
    });
  };
  timer = setTimeout(tick, ms);
  timer.unref();
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running.catch(() => undefined);
    },
  };
}
