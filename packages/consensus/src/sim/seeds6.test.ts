import { test } from "vitest";
import { expectSeedsPass, SUITE_FILES, SUITE_SEEDS } from "./seeds.helper.js";

test(`seeds, share 7 of ${SUITE_FILES} (${SUITE_SEEDS} in all), keep every invariant`, () => {
  expectSeedsPass(6);
}, 120_000);
