import { expect } from "vitest";
import { runSeeds } from "./runner.js";

/** Seeds the regular suite runs, split over files so that vitest spreads them over workers. */
export const SUITE_SEEDS = 1000;
export const SUITE_FILES = 8;

/** Runs one share of the suite's seeds and fails with each failing seed's replay command. */
export function expectSeedsPass(share: number): void {
  const count = SUITE_SEEDS / SUITE_FILES;
  const lines: string[] = [];
  const summary = runSeeds(1 + share * count, count, (line) => lines.push(line));
  expect(summary.failures, `${lines.join("\n")}\nreplay with pnpm sim --seed <seed>`).toEqual([]);
  expect(summary.heights).toBeGreaterThan(count * 5);
}
