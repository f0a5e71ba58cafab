// A chart's text alternative: its figures as a table, one row per bucket that has any, one column
// per line, folded away under a summary (open it, or a screen reader's table navigation, to read).
import type { ComponentChildren } from "preact";

const hourly = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
const daily = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });

export const bucketLabel = (start: string, interval: "HOUR" | "DAY"): string => (interval === "HOUR" ? hourly : daily).format(new Date(start));

interface Props {
  label: string;
  starts: readonly string[];
  interval: "HOUR" | "DAY";
  columns: readonly string[];
  /** The cell of column `c` at bucket `i`, or null when that line has nothing there. */
  cell(c: number, i: number): ComponentChildren | null;
}

export function FiguresTable({ label, starts, interval, columns, cell }: Props) {
  const rows = starts.map((start, i) => ({ start, i })).filter(({ i }) => columns.some((_c, c) => cell(c, i) !== null));
  if (!rows.length) return null;
  return (
    <details class="figures">
      <summary>{label} as a table</summary>
      <div class="table-scroll" role="region" aria-label={`${label} table`} tabIndex={0}>
        <table>
          <thead><tr><th scope="col">{interval === "HOUR" ? "Hour" : "Day"}</th>{columns.map((c) => <th scope="col" key={c}>{c}</th>)}</tr></thead>
          <tbody>
            {rows.map(({ start, i }) => (
              <tr key={start}>
                <th scope="row"><time dateTime={start}>{bucketLabel(start, interval)}</time></th>
                {columns.map((c, ci) => <td class="num" key={c}>{cell(ci, i) ?? "—"}</td>)}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}
