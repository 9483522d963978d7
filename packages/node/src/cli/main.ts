import { setMaxListeners } from "node:events";
import { Command, InvalidArgumentError } from "commander";
import { loadHome } from "../config.js";
import { createKeyEncryptionKey } from "../keyEncryptionKey.js";
import { startNodeProcess } from "../nodeProcess.js";
import { seedDemo } from "./demo/seed.js";
import {
  type DevnetOptions,
  nodeHomeOf,
  orgAdminKeyFile,
  writeDevnetLayout,
} from "./devnetLayout.js";
import { initHome } from "./init.js";
import { superviseNodes } from "./supervisor.js";

const NODES_MIN = 4;
const NODES_MAX = 32;
const DEMO_REQUESTS_AT_ONCE_MAX = 64;

function integer(min: number, max: number) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
      throw new InvalidArgumentError(`expected an integer from ${min} to ${max}`);
    }
    return parsed;
  };
}

const program = new Command("careledger").description("CareLedger consortium node");

program
  .command("start")
  .description("run one node from its home directory")
  .requiredOption("--home <dir>", "node home (config.json, genesis.json, node.key, data/)")
  .option(
    "--unsafe-reset-votes",
    "the consensus log is empty because this key never voted: vote at once (never after a lost or restored data directory)",
  )
  .option(
    "--state-sync",
    "on a data directory that holds only genesis, fetch a peer's certified state snapshot instead of replaying every block",
  )
  .action(async (options: { home: string; unsafeResetVotes?: boolean; stateSync?: boolean }) => {
    await startNodeProcess(options.home, {
      unsafeResetVotes: options.unsafeResetVotes === true,
      ...(options.stateSync === true ? { stateSync: true } : {}),
    });
  });

program
  .command("init")
  .description("create a node home: a new node key and a config; add genesis.json before starting")
  .requiredOption("--home <dir>", "directory to create")
  .option("--p2p-port <port>", "p2p port", integer(1, 65_535), 26_656)
  .option("--api-port <port>", "HTTP API port", integer(1, 65_535), 8_080)
  .action(async (options: { home: string; p2pPort: number; apiPort: number }) => {
    const nodeKey = await initHome(options.home, options.p2pPort, options.apiPort);
    process.stdout.write(`created ${options.home}\nnode key: ${nodeKey}\n`);
  });

program
  .command("kek")
  .description(
    "create the key-encryption key (kek.key, mode 0600) of an existing home; never replaces one",
  )
  .requiredOption("--home <dir>", "node home")
  .action(async (options: { home: string }) => {
    await createKeyEncryptionKey(options.home);
    process.stdout.write(`created ${options.home}/kek.key\n`);
  });

program
  .command("devnet")
  .description("write (or reuse) a local consortium under DIR and run its nodes")
  .option("--nodes <n>", "validators", integer(NODES_MIN, NODES_MAX), 4)
  .option("--dir <dir>", "where node homes live", ".devnet")
  .option(
    "--api-port <port>",
    "API port of node 0; node i listens on port + i",
    integer(1, 65_000),
    8_080,
  )
  .option(
    "--p2p-port <port>",
    "p2p port of node 0; node i listens on port + i",
    integer(1, 65_000),
    26_656,
  )
  .option("--no-start", "only write the node homes and the genesis")
  .option("--no-demo", "start an empty chain: no demo consortium story seeded on a fresh one")
  .action(async (options: DevnetOptions & { start: boolean; demo: boolean }) => {
    const genesis = await writeDevnetLayout({ ...options, consortium: true });
    const homes = genesis.validators.map((_, i) => nodeHomeOf(options.dir, i));
    // The ports a reused layout was written with, whatever this run's options say.
    const configs = await Promise.all(homes.map(async (home) => (await loadHome(home)).config));
    const urls = configs.map((config) => `http://${config.host}:${config.apiPort}`);
    for (const [i, home] of homes.entries()) {
      process.stdout.write(
        `node-${i}: home ${home}, api ${urls[i]}, p2p ${configs[i]?.host}:${configs[i]?.p2pPort}\n`,
      );
    }
    for (const org of genesis.organizations.filter((each) => each.nodeKeys.length === 0)) {
      process.stdout.write(
        `${org.id} (${org.kind}, no node): admin key ${orgAdminKeyFile(options.dir, org.id)}\n`,
      );
    }
    if (!options.start) return;
    const stopped = new AbortController();
    // Every request of the seed listens to it, a dozen at once when a story runs in parallel.
    setMaxListeners(DEMO_REQUESTS_AT_ONCE_MAX, stopped.signal);
    // The entry script itself, so children run the same code the same way.
    const supervised = superviseNodes(homes, process.argv.slice(1, 2), () => stopped.abort());
    if (options.demo) {
      const log = (line: string) => process.stdout.write(`${line}\n`);
      seedDemo({ dir: options.dir, genesis, urls, signal: stopped.signal, log }).catch(
        (error: unknown) => {
          // The nodes keep running: the chain is fine, only its story is incomplete.
          if (!stopped.signal.aborted) log(`[demo] seeding failed: ${String(error)}`);
        },
      );
    }
    await supervised;
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
