import { faultyMax } from "@careledger/protocol";
import { describe, expect, test } from "vitest";
import { FAULT_KINDS, scenarioOf } from "./scenario.js";
import { SUITE_SEEDS } from "./seeds.helper.js";
import { simulate } from "./simulation.js";

describe("simulator", () => {
  test("the suite's seeds cover every fault kind, n from 4 to 7, and at most f Byzantine", () => {
    const kinds = new Set<string>();
    const sizes = new Set<number>();
    for (let seed = 1; seed <= SUITE_SEEDS; seed++) {
      const scenario = scenarioOf(seed);
      for (const kind of scenario.kinds) kinds.add(kind);
      sizes.add(scenario.initialValidators.length);
      const smallest = Math.min(
        scenario.initialValidators.length,
        ...scenario.validatorChanges.map((change) => change.validators.length),
      );
      expect(scenario.faulty.size).toBeLessThanOrEqual(faultyMax(smallest));
    }
    expect([...kinds].sort()).toEqual([...FAULT_KINDS].sort());
    expect([...sizes].sort()).toEqual([4, 5, 6, 7]);
  });

  test("a seed replays exactly", () => {
    const first = simulate(17, { trace: true });
    const second = simulate(17, { trace: true });
    expect(second.events).toBe(first.events);
    expect(second.heights).toBe(first.heights);
    expect(second.trace).toEqual(first.trace);
  });

  test("with real Ed25519 signatures (noble) a few seeds keep every invariant", () => {
    for (const seed of [8, 40]) {
      const result = simulate(seed, { crypto: "ed25519" });
      expect(result.violations, `seed ${seed}`).toEqual([]);
      expect(result.heights).toBeGreaterThan(0);
    }
  }, 60_000);

  test("validator-set changes are decided and applied in some seeds", () => {
    const seeds: number[] = [];
    for (let seed = 1; seeds.length < 10; seed++) {
      if (scenarioOf(seed).kinds.has("validatorChange")) seeds.push(seed);
    }
    let decided = 0;
    for (const seed of seeds) decided += simulate(seed).validatorChanges;
    expect(decided).toBeGreaterThan(0);
  });

  test("a slow commit's validator-set change reaches the replica before any other event", () => {
    // On the branch that added `slowCommit` (before the view-change and wipe kinds reshuffled
    // which scenario a seed draws), 50 of its first 400 seeds failed, certificates counted in the
    // old set, when the change was handed to the replica after the commit's delay. Here: the
    // first seeds that force a slow commit and also change the validator set.
    const seeds: number[] = [];
    for (let seed = 1; seeds.length < 8; seed++) {
      const { kinds } = scenarioOf(seed);
      if (kinds.has("slowCommit") && kinds.has("validatorChange")) seeds.push(seed);
    }
    for (const seed of seeds) expect(simulate(seed).violations, `seed ${seed}`).toEqual([]);
  });

  test("a planted bug (commit on f + 1 votes) is caught as an agreement violation", () => {
    const plantedQuorum = (validatorCount: number) => faultyMax(validatorCount) + 1;
    let agreementSeed: number | undefined;
    for (let seed = 1; seed <= 300 && agreementSeed === undefined; seed++) {
      const result = simulate(seed, { quorum: plantedQuorum, keepGoing: true });
      if (result.violations.some((violation) => violation.includes("AGREEMENT"))) {
        agreementSeed = seed;
      }
    }
    expect(agreementSeed).toBeDefined();
  }, 60_000);
});
