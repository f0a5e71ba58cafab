// A table that scrolls sideways inside its own box on a narrow screen, never the page. The box is
// a focusable, labelled region, so a keyboard can scroll it too (axe: scrollable-region-focusable).
import type { ComponentChildren } from "preact";

/** `head`: the column headings; a heading may be an element (e.g. a visually hidden "Actions"). */
export function ScrollTable({ label, head, class: className, children }: { label: string; head: ComponentChildren[]; class?: string; children: ComponentChildren }) {
  return (
    <div class="table-scroll" role="region" aria-label={`${label} table`} tabIndex={0}>
      <table class={className}>
        <thead><tr>{head.map((h, i) => <th scope="col" key={i}>{h}</th>)}</tr></thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

/** The heading of a column of row buttons: read out, not shown. */
export const ACTIONS = <span class="visually-hidden">Actions</span>;
