import { test } from "vitest";
import { expectSeedsPass, SUITE_FILES, SUITE_SEEDS } from "./seeds.helper.js";

test(`seeds, share 8 of ${SUITE_FILES} (${SUITE_SEEDS} in all), keep every invariant`, () => {
  expectSeedsPass(7);
}, 120_000);
