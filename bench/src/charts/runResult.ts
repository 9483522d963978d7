/**
 * The parts of a run's JSON (bench/results/*.json, written by cli.ts) that the charts read, and a
 * reader that accepts only files of that shape, so an older or foreign file is skipped, not drawn
 * wrong.
 */
import type { FaultReport } from "../fault/faultRun.js";

export interface ChartStep {
  readonly result: {
    readonly rate: number;
    readonly latency: { readonly p50Ms: number; readonly p99Ms: number };
  };
  readonly passed: boolean;
}

export interface ChartRun {
  readonly nodes: number;
  readonly steps: readonly ChartStep[];
  readonly etcdSteps: readonly ChartStep[] | null;
  readonly fault?: FaultReport | null;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null;

function isStep(value: unknown): value is ChartStep {
  if (!isObject(value) || !isObject(value.result)) return false;
  const { rate, latency } = value.result;
  return (
    typeof rate === "number" &&
    isObject(latency) &&
    typeof latency.p50Ms === "number" &&
    typeof latency.p99Ms === "number" &&
    typeof value.passed === "boolean"
  );
}

const isSteps = (value: unknown): value is ChartStep[] =>
  Array.isArray(value) && value.every(isStep);

/** The run if `value` has the fields the charts need, else null. */
export function asChartRun(value: unknown): ChartRun | null {
  if (!isObject(value) || typeof value.nodes !== "number" || !isSteps(value.steps)) return null;
  if (value.etcdSteps !== null && !isSteps(value.etcdSteps)) return null;
  return value as unknown as ChartRun;
}
