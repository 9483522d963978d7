/** Results shaped as a run writes them, for the chart tests (figures from RESULTS.md's tables). */
import type { FaultReport } from "../fault/faultRun.js";
import { faultTimeline } from "../fault/timeline.js";
import type { ChartRun, ChartStep } from "./runResult.js";

const step = (rate: number, p50Ms: number, p99Ms: number, passed: boolean): ChartStep => ({
  result: { rate, latency: { p50Ms, p99Ms } },
  passed,
});

export const searchRun: ChartRun = {
  nodes: 4,
  steps: [
    step(500, 101.5, 251.6, true),
    step(750, 130.2, 452.9, true),
    step(1150, 600.6, 1623, false),
    step(950, 305.9, 866.8, true),
  ],
  etcdSteps: [
    step(500, 12.1, 40.3, true),
    step(750, 15.8, 61.2, true),
    step(1150, 22.4, 90.5, true),
  ],
  fault: null,
};

export const sevenNodeRun: ChartRun = {
  nodes: 7,
  steps: [step(500, 649.2, 2156.5, false), step(350, 319, 917, true)],
  etcdSteps: null,
  fault: null,
};

/** 20 s at 100 tx/s; node-0 (the primary) killed at 6 s, nothing commits until 9 s. */
export function faultReport(): FaultReport {
  const scheduledMs: number[] = [];
  const committedMs: Array<number | null> = [];
  const accepted: number[] = [];
  for (let i = 0; i < 2_000; i++) {
    const at = i * 10;
    scheduledMs.push(at);
    accepted.push(1);
    committedMs.push(at >= 6_000 && at < 9_000 ? 9_200 : at + 80);
  }
  const samples = { windowStartEpochMs: 0, windowMs: 20_000, scheduledMs, committedMs, accepted };
  const events = [
    { kind: "kill" as const, node: 0, atS: 6, detail: "(primary of view 0, SIGKILL)" },
    { kind: "view-change" as const, node: 1, atS: 9.1, detail: "(view 1, primary node-1)" },
    { kind: "restart" as const, node: 0, atS: 12, detail: "(same home, same command)" },
    { kind: "rejoined" as const, node: 0, atS: 14.5, detail: "(at height 90)" },
  ];
  return {
    kind: "kill-primary",
    plannedAtS: 6,
    restartAfterS: 6,
    rate: 100,
    events,
    timeline: faultTimeline(samples, 100, events),
  };
}
