import { test } from "vitest";
import { expectSeedsPass, SUITE_FILES, SUITE_SEEDS } from "./seeds.helper.js";

test(`seeds, share 6 of ${SUITE_FILES} (${SUITE_SEEDS} in all), keep every invariant`, () => {
  expectSeedsPass(5);
}, 120_000);
