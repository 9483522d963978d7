import { describe, expect, it } from "vitest";
import { StepTracker } from "./stepTracker.js";

// Transaction i is scheduled at 10 * i ms; the window is [100, 200).
const tracker = (size: number) =>
  new StepTracker(
    (i) => 10 * i,
    size,
    { startMs: 100, endMs: 200 },
    Array.from({ length: size }, (_, i) => `id${i}`),
  );

describe("StepTracker", () => {
  it("counts as lost what was admitted and never committed, not what was refused", () => {
    const t = tracker(4);
    t.admit(0);
    t.admit(1);
    t.admit(2);
    t.refuse("MEMPOOL_FULL");
    t.commit(0, 50, true, undefined);
    const outcome = t.outcome();
    expect(outcome.lost).toBe(2);
    expect(outcome.refused).toEqual({ MEMPOOL_FULL: 1 });
    expect(t.pending()).toBe(2);
  });

  it("measures latency from the scheduled time, only for transactions scheduled in the window", () => {
    const t = tracker(30);
    for (let i = 0; i < 30; i++) {
      t.admit(i);
      // Each commits 250 ms after its scheduled time, whenever it was actually sent.
      t.commit(i, 10 * i + 250, true, undefined);
    }
    const outcome = t.outcome();
    expect(outcome.latency.count).toBe(10);
    expect(outcome.latency.p50Ms).toBeCloseTo(250, 0);
  });

  it("counts throughput and blocks by commit time inside the window", () => {
    const t = tracker(30);
    for (let i = 0; i < 30; i++) t.commit(i, 10 * i, i % 2 === 0, "UNAUTHORIZED");
    t.block(99);
    t.block(150);
    t.block(199);
    const outcome = t.outcome();
    // 10 commits in a 0.1 s window.
    expect(outcome.tps).toBe(100);
    expect(outcome.blocksPerS).toBe(20);
    expect(outcome.failedReceipts).toEqual({ UNAUTHORIZED: 15 });
  });

  it("counts a commit once even if the event is seen twice (stream resumed)", () => {
    const t = tracker(2);
    t.admit(0);
    t.commit(0, 120, true, undefined);
    t.commit(0, 180, true, undefined);
    expect(t.progress().committed).toBe(1);
    expect(t.indexOf("id1")).toBe(1);
    expect(t.indexOf("unknown")).toBeUndefined();
  });
});
