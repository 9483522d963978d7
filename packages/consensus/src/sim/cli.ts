import { faultyMax } from "@careledger/protocol";
import { runSeeds } from "./runner.js";
import { type SimOptions, simulate } from "./simulation.js";

/**
 * Usage: `pnpm sim --seeds N [--from S]` or `pnpm sim --seed S` (replays one with its trace).
 * `--planted-bug` makes replicas commit on f + 1 votes, to watch the checks fail.
 * Every honest validator must vote again after stabilisation; `--no-require-votes` drops that
 * check (`--require-votes`, its default, is still accepted).
 */
function main(argv: readonly string[]): number {
  const option = (name: string): number | undefined => {
    const index = argv.indexOf(name);
    if (index < 0) return undefined;
    const value = Number(argv[index + 1]);
    if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${name} needs a whole number`);
    return value;
  };
  const options: SimOptions = {
    ...(argv.includes("--planted-bug") && {
      quorum: (validatorCount: number) => faultyMax(validatorCount) + 1,
    }),
    ...(argv.includes("--no-require-votes") && { requireVotes: false }),
  };
  const single = option("--seed");
  if (single !== undefined) {
    const result = simulate(single, { ...options, trace: true });
    if (!result.ok) for (const line of result.trace) console.log(line);
    console.log(
      `seed ${single}: ${result.ok ? "ok" : "FAILED"}, ${result.heights} heights, ` +
        `${result.virtualMs} virtual ms, ${result.events} events`,
    );
    for (const violation of result.violations) console.log(`  ${violation}`);
    return result.ok ? 0 : 1;
  }
  const count = option("--seeds") ?? 100;
  const from = option("--from") ?? 1;
  const summary = runSeeds(from, count, (line) => console.log(line), options);
  console.log(
    `seeds ${from}..${from + count - 1}: ${summary.failures.length} failed, ` +
      `${summary.heights} heights committed, ${summary.wallMs} ms wall`,
  );
  for (const seed of summary.failures.slice(0, 20))
    console.log(`  replay: pnpm sim --seed ${seed}`);
  return summary.failures.length === 0 ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
