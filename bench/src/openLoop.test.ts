import { describe, expect, it } from "vitest";
import { batchesOf, countFor, dueCount, scheduledAtMs } from "./openLoop.js";

describe("open-loop schedule", () => {
  const schedule = { startMs: 1_000, rate: 200, count: 1_000 };

  it("spaces transactions evenly at the offered rate", () => {
    expect(scheduledAtMs(schedule, 0)).toBe(1_000);
    expect(scheduledAtMs(schedule, 1)).toBe(1_005);
    expect(scheduledAtMs(schedule, 200)).toBe(2_000);
  });

  it("counts as due every transaction whose time has come, whatever was sent before", () => {
    expect(dueCount(schedule, 999)).toBe(0);
    expect(dueCount(schedule, 1_000)).toBe(1);
    expect(dueCount(schedule, 1_004.9)).toBe(1);
    expect(dueCount(schedule, 1_005)).toBe(2);
    // A sender that stalled for a second owes the whole second at once: nothing is skipped.
    expect(dueCount(schedule, 2_000)).toBe(201);
  });

  it("never counts more than the schedule holds", () => {
    expect(dueCount(schedule, 1_000_000)).toBe(1_000);
  });

  it("agrees with scheduledAtMs: transaction i is due exactly from its scheduled time", () => {
    for (const i of [0, 1, 17, 599, 999]) {
      const at = scheduledAtMs(schedule, i);
      expect(dueCount(schedule, at)).toBeGreaterThan(i);
      expect(dueCount(schedule, at - 0.01)).toBeLessThanOrEqual(i);
    }
  });

  it("sizes a step from rate and seconds", () => {
    expect(countFor(1_500, 20)).toBe(30_000);
    expect(countFor(1, 0.1)).toBe(1);
  });

  it("splits a range into consecutive batches of at most batchMax", () => {
    expect(batchesOf(10, 25, 6)).toEqual([
      [10, 16],
      [16, 22],
      [22, 25],
    ]);
    expect(batchesOf(5, 5, 6)).toEqual([]);
    expect(() => batchesOf(0, 1, 0)).toThrow(RangeError);
  });
});
