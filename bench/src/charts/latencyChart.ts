/**
 * Commit latency (p50 and p99) against offered rate, one line per system (each N, etcd) and
 * percentile, from the steps of the rate search. A step that did not hold is a cross.
 */
import type { TopLevelSpec } from "vega-lite";
import { P99_LIMIT_MS } from "../search.js";
import type { ChartStep } from "./runResult.js";

export interface LatencySeries {
  /** Legend label, e.g. "CareLedger N = 4 (this run)". */
  readonly system: string;
  readonly steps: readonly ChartStep[];
}

interface Point {
  readonly system: string;
  readonly percentile: "p50" | "p99";
  readonly rate: number;
  readonly ms: number;
  readonly holds: string;
}

/** Latencies are drawn on a log scale, which cannot show 0 (a step with no commit). */
const LATENCY_FLOOR_MS = 1;

export function latencyPoints(series: readonly LatencySeries[]): Point[] {
  return series.flatMap(({ system, steps }) =>
    steps.flatMap((step) =>
      (["p50", "p99"] as const).map((percentile) => ({
        system,
        percentile,
        rate: step.result.rate,
        ms: Math.max(LATENCY_FLOOR_MS, step.result.latency[`${percentile}Ms`]),
        holds: step.passed ? "holds" : "does not hold",
      })),
    ),
  );
}

export function latencySpec(
  series: readonly LatencySeries[],
  subtitle: readonly string[],
): TopLevelSpec {
  return {
    title: {
      text: "Commit latency against offered rate",
      subtitle: [...subtitle],
      anchor: "start",
    },
    width: 560,
    height: 320,
    layer: [
      {
        data: { values: latencyPoints(series) },
        mark: { type: "line", point: { filled: true, size: 50 } },
        encoding: {
          x: { field: "rate", type: "quantitative", title: "offered rate (tx/s)" },
          y: {
            field: "ms",
            type: "quantitative",
            title: "commit latency (ms, log scale)",
            scale: { type: "log" },
          },
          color: {
            field: "system",
            type: "nominal",
            title: "system",
            legend: { labelLimit: 400, orient: "bottom", direction: "vertical" },
          },
          strokeDash: {
            field: "percentile",
            type: "nominal",
            title: "percentile",
            scale: {
              domain: ["p50", "p99"],
              range: [
                [1, 0],
                [6, 3],
              ],
            },
            // Merged with the points' legend it would show dots: the subtitle says which is which.
            legend: null,
          },
          shape: {
            field: "holds",
            type: "nominal",
            title: "step",
            scale: { domain: ["holds", "does not hold"], range: ["circle", "cross"] },
            legend: { orient: "bottom" },
          },
          detail: { field: "percentile" },
          tooltip: [
            { field: "system" },
            { field: "percentile" },
            { field: "rate" },
            { field: "ms" },
            { field: "holds" },
          ],
        },
      },
      {
        data: { values: [{ ms: P99_LIMIT_MS, label: "p99 limit of a step that holds (1 s)" }] },
        layer: [
          {
            mark: { type: "rule", color: "#888", strokeDash: [2, 2] },
            encoding: { y: { field: "ms", type: "quantitative" } },
          },
          {
            mark: { type: "text", align: "left", dx: 4, dy: -6, color: "#666", x: 0 },
            encoding: { y: { field: "ms", type: "quantitative" }, text: { field: "label" } },
          },
        ],
      },
    ],
  };
}
