/**
 * The per-second timeline of a fault run: committed tx/s against the offered rate above, p50 and
 * p99 commit latency below, with the kill, the view changes, the restart and the rejoin marked.
 */
import type { TopLevelSpec } from "vega-lite";
import type { FaultReport } from "../fault/faultRun.js";

const WIDTH = 620;
const EVENT_COLORS = {
  kill: "#d62728",
  "view-change": "#ff7f0e",
  restart: "#2ca02c",
  rejoined: "#1f77b4",
} as const;
/** Pixel rows of the event labels, so that a kill and the view change after it do not overlap. */
const LABEL_ROW_PX = { kill: 4, "view-change": 16, restart: 4, rejoined: 16 } as const;

export function eventLabel(event: FaultReport["events"][number]): string {
  return event.kind === "view-change"
    ? `view change: node-${event.node} primary`
    : `${event.kind} node-${event.node}`;
}

/**
 * Events inside the window (the watches go on through the drain). Every event is a rule; only
 * the first of each kind is labelled, since an overloaded cluster may change views many times.
 */
function eventLayers(report: FaultReport, withLabels: boolean) {
  const windowS = report.timeline.seconds.length;
  const inWindow = report.events.filter((event) => event.atS >= 0 && event.atS <= windowS);
  const values = inWindow.map((event, i) => ({
    atS: event.atS,
    kind: event.kind,
    label:
      inWindow.findIndex((other) => other.kind === event.kind) === i
        ? `${eventLabel(event)} (${event.atS.toFixed(1)} s)`
        : "",
    row: LABEL_ROW_PX[event.kind],
  }));
  const color = {
    field: "kind",
    type: "nominal" as const,
    title: "event",
    scale: { domain: Object.keys(EVENT_COLORS), range: Object.values(EVENT_COLORS) },
  };
  return {
    data: { values },
    layer: [
      {
        mark: { type: "rule" as const, strokeWidth: 1.5, strokeDash: [4, 2] },
        encoding: { x: { field: "atS", type: "quantitative" as const }, color },
      },
      ...(withLabels
        ? [
            {
              mark: { type: "text" as const, align: "left" as const, dx: 3, fontSize: 10 },
              encoding: {
                x: { field: "atS", type: "quantitative" as const },
                y: { field: "row", type: "quantitative" as const, scale: null },
                text: { field: "label" },
                color: { ...color, legend: null },
              },
            },
          ]
        : []),
    ],
  };
}

function outcomeLine({ timeline }: FaultReport): string {
  const { counts, recoveryS } = timeline;
  const recovery =
    recoveryS === null
      ? "never back to 90% of the offered rate"
      : `back to 90% of the offered rate after ${recoveryS} s`;
  return `${recovery}; ${counts.lost} lost, ${counts.notAccepted} not accepted of ${counts.offered} offered`;
}

export function timelineSpec(report: FaultReport, subtitle: readonly string[]): TopLevelSpec {
  const windowS = report.timeline.seconds.length;
  const x = {
    field: "t",
    type: "quantitative" as const,
    title: "seconds into the measured window",
    scale: { domain: [0, windowS] },
  };
  // Each row is plotted at the middle of its second.
  const rows = report.timeline.seconds.map((row) => ({ ...row, t: row.second + 0.5 }));
  // A second with no commit has no latency: null breaks the line there.
  const latencies = rows.flatMap((row) =>
    (["p50", "p99"] as const).map((percentile) => ({
      t: row.t,
      percentile,
      ms: row[`${percentile}Ms`],
    })),
  );
  return {
    title: {
      text: `Fault run: ${report.kind} at ${report.plannedAtS} s${report.restartAfterS === null ? "" : `, restart after ${report.restartAfterS} s`}, ${report.rate} tx/s offered`,
      subtitle: [...subtitle, outcomeLine(report)],
      anchor: "start",
    },
    vconcat: [
      {
        width: WIDTH,
        height: 200,
        layer: [
          {
            data: { values: [{ rate: report.rate, label: `offered ${report.rate} tx/s` }] },
            mark: { type: "rule", color: "#999", strokeDash: [6, 3] },
            encoding: { y: { field: "rate", type: "quantitative" } },
          },
          {
            data: { values: rows },
            mark: { type: "line", point: true, color: "#333" },
            encoding: {
              x,
              y: { field: "committed", type: "quantitative", title: "committed tx/s" },
              tooltip: [{ field: "second" }, { field: "committed" }, { field: "offered" }],
            },
          },
          eventLayers(report, true),
        ],
      },
      {
        width: WIDTH,
        height: 200,
        layer: [
          {
            data: { values: latencies },
            mark: { type: "line", point: true, invalid: "break-paths-filter-domains" },
            encoding: {
              x,
              y: {
                field: "ms",
                type: "quantitative",
                title: "commit latency (ms, log scale)",
                scale: { type: "log" },
              },
              color: {
                field: "percentile",
                type: "nominal",
                title: "latency by scheduled second",
                scale: { domain: ["p50", "p99"], range: ["#9467bd", "#8c564b"] },
                legend: { labelLimit: 300, titleLimit: 300 },
              },
            },
          },
          eventLayers(report, false),
        ],
        // Percentiles and events each keep their own colours.
        resolve: { scale: { color: "independent" } },
      },
    ],
  };
}
