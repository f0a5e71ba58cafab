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
    useEffect(() => {
      if (loaded) return;
      pending ??= load();
      pending.then(
        (component) => {
          loaded = component;
          setReady(true);
        },
        () => {
          pending = undefined; // the next visit tries again
          setFailed(true);
        },
      );
    }, []);
    if (loaded) {
      const View = loaded;
      return <View {...props} />;
    }
    return (
      <main id="main">
        <p role={failed ? "alert" : "status"}>{failed ? "This page could not be loaded. Check the connection and reload." : "Loading…"}</p>
      </main>
    );
  };
}
