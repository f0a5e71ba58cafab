// One uPlot line chart. The canvas says nothing to a screen reader, so it is hidden from one
// (aria-hidden) and each chart comes with its figures as a table (figures-table.tsx). uPlot styles
// its elements through the CSSOM (element.style), which the page's CSP allows, and its stylesheet
// is built into the Overview chunk's own (overview.css, fetched with the chunk). The chart follows
// its box's width.
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";

export interface Line { label: string; values: (number | null)[] }

interface Props {
  /** Bucket starts, in seconds (uPlot's time unit). */
  times: number[];
  lines: Line[];
  /** Tick labels of the y axis. */
  format(value: number): string;
  /** A fixed y range (a share: 0 to 100), else uPlot's from the data. */
  range?: [number, number];
  /** Daily buckets: ticks on whole days (the buckets start at local midnight), never at 8 am. */
  daily?: boolean;
}

// Six colours apart from each other and at least 3:1 against white; the legend names each line.
const COLOURS = ["#1f4fd1", "#b00020", "#0b6b2f", "#7a4a00", "#6a2c91", "#00707a"];
const HEIGHT = 220;
const DAY_S = 86_400;

export function Chart({ times, lines, format, range, daily }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  useEffect(() => {
    const el = box.current!;
    const options: uPlot.Options = {
      width: el.clientWidth || 300,
      height: HEIGHT,
      series: [{}, ...lines.map((line, i) => ({ label: line.label, stroke: COLOURS[i % COLOURS.length], width: 2, spanGaps: false, points: { size: 5 } }))],
      scales: range ? { y: { range } } : {},
      axes: [daily ? { incrs: [DAY_S, 2 * DAY_S, 3 * DAY_S, 7 * DAY_S, 14 * DAY_S] } : {}, { values: (_u, ticks) => ticks.map(format), size: 70 }],
      cursor: { drag: { x: false, y: false } },
      // The legend names the lines; the figures under the cursor would be noise beside the table.
      legend: { live: false },
    };
    plot.current = new uPlot(options, [times, ...lines.map((l) => l.values)], el);
    const resize = new ResizeObserver(() => plot.current?.setSize({ width: el.clientWidth, height: HEIGHT }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
    // A new set of lines (names, count) builds a new chart; new figures only redraw it (below).
  }, [lines.map((l) => l.label).join("\n"), range?.join(), daily]);

  useEffect(() => {
    plot.current?.setData([times, ...lines.map((l) => l.values)]);
  }, [times, lines]);

  return <div class="chart" ref={box} aria-hidden="true" />;
}
