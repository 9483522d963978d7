import type { ProcessSample } from "./procStats.js";

export interface NodeUsage {
  /** CPU used in the window, in percent of one core. */
  readonly cpuPercent: number;
  /** Peak resident memory since the process started, MiB. */
  readonly peakRssMiB: number;
}

/** CPU share of each process between two samples taken `windowS` seconds apart. */
export function usageBetween(
  before: ReadonlyArray<ProcessSample | null>,
  after: ReadonlyArray<ProcessSample | null>,
  windowS: number,
): NodeUsage[] {
  return after.map((end, i) => {
    const start = before[i];
    if (end === null || start === null || start === undefined || windowS <= 0) {
      return { cpuPercent: Number.NaN, peakRssMiB: Number.NaN };
    }
    return {
      cpuPercent: Math.round(((end.cpuSeconds - start.cpuSeconds) / windowS) * 100),
      peakRssMiB: Math.round(end.peakRssBytes / 1024 / 1024),
    };
  });
}
