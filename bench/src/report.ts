import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { StepCost } from "./cost.js";
import type { StepResult } from "./messages.js";
import type { NodeUsage } from "./nodeUsage.js";
import type { CategoryTime, HotFunction } from "./profile.js";

export interface MeasuredStep {
  readonly result: StepResult;
  readonly passed: boolean;
  readonly nodes: readonly NodeUsage[];
  readonly loadgenCpuPercent: number;
  readonly loadAverage: number;
  /** CPU and disk writes of the system under test per committed transaction (cost.ts). */
  readonly cost?: StepCost;
}

/** Renders rows as a Markdown table with right-aligned numbers. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((row) => (row[i] ?? "").length)),
  );
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, i) => cell.padStart(widths[i] ?? 0)).join(" | ")} |`;
  const rule = `|${widths.map((w) => `${"-".repeat(w + 1)}:`).join("|")}|`;
  return [line(header), rule, ...rows.map(line)].join("\n");
}

const sum = (record: Record<string, number>) => Object.values(record).reduce((a, b) => a + b, 0);

export function stepsTable(steps: readonly MeasuredStep[]): string {
  const rows = steps.map(({ result: r, passed, nodes, loadAverage }) => [
    `${r.rate}`,
    `${r.tps}`,
    `${r.latency.p50Ms}`,
    `${r.latency.p95Ms}`,
    `${r.latency.p99Ms}`,
    `${r.latency.maxMs}`,
    `${r.blocksPerS}`,
    `${r.lost}`,
    `${sum(r.refused)}`,
    nodes.map((n) => n.cpuPercent).join("/"),
    `${Math.max(...nodes.map((n) => n.peakRssMiB))}`,
    loadAverage.toFixed(1),
    passed ? "yes" : "no",
  ]);
  return table(
    [
      "offered/s",
      "tps",
      "p50 ms",
      "p95 ms",
      "p99 ms",
      "max ms",
      "blocks/s",
      "lost",
      "refused",
      "CPU % per node",
      "peak RSS MiB",
      "load 1m",
      "holds",
    ],
    rows,
  );
}

export function breakdownTable(categories: readonly CategoryTime[]): string {
  const rows = categories
    .filter((c) => c.category !== "idle" && c.ms > 0)
    .sort((a, b) => b.ms - a.ms)
    .map((c) => [c.category, `${Math.round(c.ms)}`, `${(c.busyShare * 100).toFixed(1)}%`]);
  return table(["category", "self ms", "share of busy"], rows);
}

export function hotTable(functions: readonly HotFunction[]): string {
  return table(
    ["function", "where", "category", "self ms"],
    functions.map((f) => [f.name, f.where, f.category, `${Math.round(f.ms)}`]),
  );
}

/** Writes the run's JSON to bench/results/<date>.json and returns the path. */
export async function writeResults(resultsDir: string, value: unknown): Promise<string> {
  await mkdir(resultsDir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const path = join(resultsDir, `${stamp}.json`);
  await writeFile(path, `${JSON.stringify(value, null, 2)}\n`);
  return path;
}
