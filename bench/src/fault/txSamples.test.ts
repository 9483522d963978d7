import { describe, expect, it } from "vitest";
import { StepTracker } from "../stepTracker.js";
import { samplesOf } from "./txSamples.js";

describe("samplesOf", () => {
  it("gives every transaction's times from the window's start, and whether it was accepted", () => {
    const window = { startMs: 1_000, endMs: 3_000 };
    const scheduledAt = (i: number) => 500 + 250 * i;
    const tracker = new StepTracker(scheduledAt, 4, window, ["a", "b", "c", "d"]);
    tracker.admit(0);
    tracker.admit(1);
    tracker.commit(0, 900.04, true, undefined);
    tracker.commit(2, 1_800, true, undefined);
    const samples = samplesOf(tracker, scheduledAt, window);
    expect(samples.scheduledMs).toEqual([-500, -250, 0, 250]);
    expect(samples.committedMs).toEqual([-100, null, 800, null]);
    expect(samples.accepted).toEqual([1, 1, 0, 0]);
    expect(samples.windowMs).toBe(2_000);
    expect(samples.windowStartEpochMs).toBeCloseTo(performance.timeOrigin + 1_000, 3);
  });
});
