// A small history router: every view is a URL (a payment, a filtered list) that can be shared,
// reloaded and walked with Back/Forward. Paths are under /dashboard (the server answers every
// /dashboard/* with this app).
import { useEffect, useState } from "preact/hooks";
import { BASE } from "./base.js";
import { markNavigation } from "./page.js";

export { BASE };
const listeners = new Set<() => void>();
const notify = (): void => listeners.forEach((listener) => listener());
addEventListener("popstate", notify);

export interface Route {
  /** The path below /dashboard, without a trailing slash: "" or "/payments/pay_…". */
  path: string;
  query: URLSearchParams;
}

export const currentRoute = (): Route => ({
  path: location.pathname.slice(BASE.length).replace(/\/+$/, ""),
  query: new URLSearchParams(location.search),
});

/** Where the person is, to come back to after signing in again. */
export const here = (): string => location.pathname + location.search;

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === here()) return;
  history[options.replace ? "replaceState" : "pushState"](null, "", to);
  scrollTo(0, 0);
  markNavigation();
  notify();
}

export function useRoute(): Route {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const update = (): void => setRoute(currentRoute());
    listeners.add(update);
    return () => void listeners.delete(update);
  }, []);
  return route;
}

/** `next` from a sign-in URL, only when it stays inside the dashboard (never an open redirect). */
export function safeNext(value: string | null): string {
  return value && value.startsWith(`${BASE}/`) && !value.startsWith("//") && !value.includes("\\") ? value : `${BASE}/overview`;
}

/** A same-page navigation for a plain click; modified clicks (new tab, …) stay the browser's. */
export function onLinkClick(event: MouseEvent): void {
  const anchor = (event.currentTarget as HTMLAnchorElement | null);
  if (!anchor || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  navigate(anchor.getAttribute("href") ?? BASE);
}
