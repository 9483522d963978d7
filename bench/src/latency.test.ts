import { describe, expect, it } from "vitest";
import { LatencyRecorder } from "./latency.js";

describe("LatencyRecorder", () => {
  it("summarises an empty histogram as zeros", () => {
    expect(new LatencyRecorder().summary()).toEqual({
      count: 0,
      p50Ms: 0,
      p95Ms: 0,
      p99Ms: 0,
      maxMs: 0,
    });
  });

  it("reports percentiles within the histogram's 3 significant digits", () => {
    const recorder = new LatencyRecorder();
    for (let ms = 1; ms <= 1_000; ms++) recorder.recordMs(ms);
    const summary = recorder.summary();
    expect(summary.count).toBe(1_000);
    expect(summary.p50Ms).toBeCloseTo(500, -0.5);
    expect(summary.p95Ms).toBeCloseTo(950, -0.5);
    expect(summary.p99Ms).toBeCloseTo(990, -0.5);
    expect(summary.maxMs).toBeCloseTo(1_000, -0.5);
  });

  it("keeps a single slow outlier visible at the max and out of the median", () => {
    const recorder = new LatencyRecorder();
    for (let i = 0; i < 999; i++) recorder.recordMs(20);
    recorder.recordMs(7_500);
    const summary = recorder.summary();
    expect(summary.p50Ms).toBeCloseTo(20, 0);
    expect(summary.maxMs).toBeGreaterThan(7_490);
  });

  it("clamps negative latencies (clock jitter) to the smallest value instead of failing", () => {
    const recorder = new LatencyRecorder();
    recorder.recordMs(-3);
    expect(recorder.summary().count).toBe(1);
    expect(recorder.summary().maxMs).toBe(0);
  });
});
