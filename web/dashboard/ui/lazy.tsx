// A view whose code is fetched when it is first shown: the payments list (where most visits land
// and the first row is timed) does not wait for the Overview's charts (uPlot), Settings or a
// payment's page. Vite puts each `import()` in a hashed chunk of its own, served like the main
// script (same origin, so the CSP's script-src 'self' covers it).
import type { ComponentType, JSX } from "preact";
import { useEffect, useState } from "preact/hooks";

export function lazyView<P extends object>(load: () => Promise<ComponentType<P>>): ComponentType<P> {
  let loaded: ComponentType<P> | undefined;
  let pending: Promise<ComponentType<P>> | undefined;
  return function LazyView(props: P): JSX.Element {
    const [, setReady] = useState(false);
    const [failed, setFailed] = useState(false);
    const [attempt, setAttempt] = useState(0);
    useEffect(() => {
      // Loaded between this instance's render and its effect (another instance's load finished):
      // render it now, or this one would show "Loading…" for good.
      if (loaded) return void setReady(true);
      pending ??= load();
      pending.then(
        (component) => {
          loaded = component;
          setReady(true);
        },
        () => {
          pending = undefined; // a retry fetches again
          setFailed(true);
        },
      );
    }, [attempt]);
    if (loaded) {
      const View = loaded;
      return <View {...props} />;
    }
    if (failed) {
      return (
        <main id="main">
          <p role="alert">This page could not be loaded. Check the connection, then try again.</p>
          <button type="button" onClick={() => { setFailed(false); setAttempt((n) => n + 1); }}>Try again</button>
        </main>
      );
    }
    return <main id="main"><p role="status">Loading…</p></main>;
  };
}
