import { describe, expect, test } from "vitest";
import { TEST_PARAMS } from "./cluster.helper.js";
import { activationHeight, ValidatorSchedule } from "./validatorSet.js";

const key = (index: number) => new Uint8Array(32).fill(index);
const set = (count: number) => Array.from({ length: count }, (_, index) => key(index + 1));

describe("validator schedule", () => {
  test("a change decided at d governs from the first checkpoint at or after d + window, plus one", () => {
    const params = { ...TEST_PARAMS, window: 3, checkpointInterval: 5 };
    expect(activationHeight(1, params)).toBe(6);
    expect(activationHeight(2, params)).toBe(6);
    expect(activationHeight(3, params)).toBe(11);
  });

  test("heights keep the set they were proposed under; a set below 4 is refused", () => {
    const params = { ...TEST_PARAMS, window: 2, checkpointInterval: 2 };
    const schedule = new ValidatorSchedule(set(4));
    expect(schedule.schedule(3, set(3), params)).toBe(false);
    expect(schedule.schedule(3, set(6), params)).toBe(true);
    expect(schedule.setAt(6).length).toBe(4);
    expect(schedule.setAt(7).length).toBe(6);
    expect(schedule.lastHeightOfEpoch(1)).toBe(6);
    expect(schedule.indexOf(7, key(6))).toBe(5);
    expect(schedule.indexOf(6, key(6))).toBe(-1);
  });
});
