import { type SimOptions, simulate } from "./simulation.js";

/** Seeds between two progress lines of a long run. */
const PROGRESS_EVERY = 1000;
/** Failures whose trace is printed (each is replayed with tracing on); the rest list seeds. */
const TRACED_FAILURES_MAX = 3;
/** Trace lines printed per failure (`pnpm sim --seed S` prints more). */
const TRACE_TAIL_LINES = 40;

export interface RunSummary {
  readonly failures: number[];
  readonly heights: number;
  readonly wallMs: number;
}

/** Runs seeds `from .. from + count - 1` and reports each failure with its first violation. */
export function runSeeds(
  from: number,
  count: number,
  print: (line: string) => void,
  options: SimOptions = {},
): RunSummary {
  const started = performance.now();
  const failures: number[] = [];
  let heights = 0;
  for (let seed = from; seed < from + count; seed++) {
    const result = simulate(seed, options);
    heights += result.heights;
    if (!result.ok) {
      failures.push(seed);
      print(`seed ${seed} FAILED: ${result.violations[0] ?? ""}`);
      if (failures.length <= TRACED_FAILURES_MAX) {
        const traced = simulate(seed, { ...options, trace: true });
        for (const line of traced.trace.slice(-TRACE_TAIL_LINES)) print(`  ${line}`);
      }
    }
    if ((seed - from + 1) % PROGRESS_EVERY === 0) {
      const wallMs = Math.round(performance.now() - started);
      print(
        `${seed - from + 1} seeds, ${failures.length} failed, ${heights} heights, ${wallMs} ms`,
      );
    }
  }
  return { failures, heights, wallMs: Math.round(performance.now() - started) };
}
