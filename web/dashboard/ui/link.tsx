import type { ComponentChildren } from "preact";
import { onLinkClick } from "./router.js";

interface Props { href: string; children: ComponentChildren; class?: string; "aria-current"?: "page" }

/** An ordinary link (it opens in a new tab as any link does) that navigates in place when clicked. */
export function Link({ href, children, ...rest }: Props) {
  return <a href={href} onClick={onLinkClick} {...rest}>{children}</a>;
}
