import { describe, expect, it } from "vitest";
import { usageBetween } from "./nodeUsage.js";
import { cpuSecondsOfStat, peakRssBytesOfStatus } from "./procStats.js";

describe("/proc parsing", () => {
  it("reads user plus system time, even with spaces in the command name", () => {
    const stat = "1234 (node (worker) x) S 1 2 3 4 5 6 7 8 9 10 250 50 0 0 20 0 9 0 100 200 300";
    expect(cpuSecondsOfStat(stat)).toBe(3);
  });

  it("reads the peak resident set", () => {
    expect(peakRssBytesOfStatus("Name:\tnode\nVmHWM:\t  204800 kB\nVmRSS:\t 1 kB\n")).toBe(
      200 * 1024 * 1024,
    );
    expect(() => peakRssBytesOfStatus("Name:\tnode\n")).toThrow(/VmHWM/);
  });

  it("turns two samples into CPU percent of one core over the window", () => {
    const usage = usageBetween(
      [{ cpuSeconds: 10, peakRssBytes: 0 }, null],
      [
        { cpuSeconds: 13, peakRssBytes: 64 * 1024 * 1024 },
        { cpuSeconds: 1, peakRssBytes: 0 },
      ],
      2,
    );
    expect(usage[0]).toEqual({ cpuPercent: 150, peakRssMiB: 64 });
    expect(Number.isNaN(usage[1]?.cpuPercent)).toBe(true);
  });
});
