import type { BenchOptions } from "./args.js";
import type { Loadgen } from "./loadgenClient.js";
import type { StepPlan, ToLoadgen } from "./messages.js";
import { type NodeUsage, usageBetween } from "./nodeUsage.js";
import { loadAverage1m, type ProcessSample, sampleProcess } from "./procStats.js";
import type { MeasuredStep } from "./report.js";
import { FULL_SEARCH, QUICK_SEARCH, RateSearch, stepPasses } from "./search.js";

const WARMUP_MS = 5_000;
const QUICK_WARMUP_MS = 1_000;
const DRAIN_MS = 20_000;
const QUICK_DRAIN_MS = 2_000;

export function stepPlan(options: BenchOptions, rate: number): StepPlan {
  return {
    rate,
    warmupMs: options.quick ? QUICK_WARMUP_MS : WARMUP_MS,
    windowMs: options.durationS * 1000,
    drainMs: options.quick ? QUICK_DRAIN_MS : DRAIN_MS,
  };
}

/** Samples a set of processes at the window's edges (the load generator says when). */
export class WindowSampler {
  private before: Array<ProcessSample | null> = [];
  private after: Array<ProcessSample | null> = [];
  private startedMs = 0;
  private endedMs = 0;
  private pending: Promise<void> = Promise.resolve();

  constructor(private pids: () => number[]) {}

  watch(pids: () => number[]): void {
    this.pids = pids;
  }

  edge(edge: "start" | "end"): void {
    const now = performance.now();
    this.pending = Promise.all(this.pids().map((pid) => sampleProcess(pid))).then((samples) => {
      if (edge === "start") {
        this.before = samples;
        this.startedMs = now;
      } else {
        this.after = samples;
        this.endedMs = now;
      }
    });
  }

  async usage(): Promise<NodeUsage[]> {
    await this.pending;
    return usageBetween(this.before, this.after, (this.endedMs - this.startedMs) / 1000);
  }
}

export type StepRequest = (plan: StepPlan) => Exclude<ToLoadgen, { kind: "init" }>;

/** One step, measured: the load generator's figures plus CPU and memory of every process. */
export async function measuredStep(
  loadgen: Loadgen,
  sampler: WindowSampler,
  request: ToLoadgen & { kind: "step" | "etcdStep" },
): Promise<MeasuredStep> {
  const result = await loadgen.step(request);
  const usage = await sampler.usage();
  const loadgenUsage = usage.pop();
  const passed = stepPasses({
    rate: result.rate,
    tps: result.tps,
    p99Ms: result.latency.p99Ms,
    lost: result.lost,
    refused: Object.values(result.refused).reduce((a, b) => a + b, 0),
  });
  return {
    result,
    passed,
    nodes: usage,
    loadgenCpuPercent: loadgenUsage?.cpuPercent ?? Number.NaN,
    loadAverage: await loadAverage1m(),
  };
}

/** Runs the fixed rate, or the search, and returns every step in order. */
export async function runSteps(
  options: BenchOptions,
  run: (rate: number) => Promise<MeasuredStep>,
  log: (line: string) => void,
): Promise<MeasuredStep[]> {
  if (options.rate !== null) return [await run(options.rate)];
  const search = new RateSearch(options.quick ? QUICK_SEARCH : FULL_SEARCH);
  const steps: MeasuredStep[] = [];
  for (let rate = search.next(); rate !== null; rate = search.next()) {
    const startedMs = performance.now();
    const step = await run(rate);
    const r = step.result;
    log(
      `offered ${rate}/s: ${r.tps} tx/s, p99 ${r.latency.p99Ms} ms, lost ${r.lost}, ${step.passed ? "holds" : "does not hold"} (${((performance.now() - startedMs) / 1000).toFixed(0)} s)`,
    );
    steps.push(step);
    search.record(rate, step.passed);
  }
  return steps;
}

/** The step to headline: the highest rate that held, else the one that committed most. */
export function headline(steps: readonly MeasuredStep[]): MeasuredStep | undefined {
  const held = steps.filter((s) => s.passed).sort((a, b) => b.result.rate - a.result.rate);
  return held[0] ?? [...steps].sort((a, b) => b.result.tps - a.result.tps)[0];
}
