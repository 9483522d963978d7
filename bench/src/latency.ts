import { build, type Histogram } from "hdr-histogram-js";

/** Highest latency the histogram records exactly; anything above is clamped to it. */
export const LATENCY_US_MAX = 600_000_000;
const SIGNIFICANT_DIGITS = 3;

export interface LatencySummary {
  readonly count: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/** Commit latencies in microseconds, in an HDR histogram (3 significant digits). */
export class LatencyRecorder {
  private readonly histogram: Histogram = build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: LATENCY_US_MAX,
    numberOfSignificantValueDigits: SIGNIFICANT_DIGITS,
  });

  recordMs(latencyMs: number): void {
    const us = Math.round(Math.max(0, latencyMs) * 1000);
    this.histogram.recordValue(Math.min(Math.max(us, 1), LATENCY_US_MAX));
  }

  summary(): LatencySummary {
    const ms = (us: number) => Math.round(us / 100) / 10;
    const h = this.histogram;
    if (h.totalCount === 0) return { count: 0, p50Ms: 0, p95Ms: 0, p99Ms: 0, maxMs: 0 };
    return {
      count: h.totalCount,
      p50Ms: ms(h.getValueAtPercentile(50)),
      p95Ms: ms(h.getValueAtPercentile(95)),
      p99Ms: ms(h.getValueAtPercentile(99)),
      maxMs: ms(h.maxValue),
    };
  }
}
