// What every view does on arrival: its title (the tab's too), and after an in-app navigation the
// focus on that title, so a screen reader announces the new view and Tab starts from its top.
import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";

let navigated = false;
addEventListener("popstate", () => (navigated = true));
/** Called by navigate(): the next view to mount takes focus. */
export const markNavigation = (): void => void (navigated = true);

export function PageHeading({ title, children }: { title: string; children?: ComponentChildren }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · paygraph`;
    if (navigated) heading.current?.focus();
  }, [title]);
  return <h1 ref={heading} tabIndex={-1}>{children ?? title}</h1>;
}
