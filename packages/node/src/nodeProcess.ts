import { chainIdOf, toHex } from "@careledger/protocol";
import { apiHostOf, apiUrlOf } from "./apiTls.js";
import { CareLedgerNode, type StartOptions } from "./careLedgerNode.js";
import { loadHome } from "./config.js";
import { createLogger } from "./logger.js";

export interface ProcessOptions extends StartOptions {
  /** The passphrase of the home's encrypted key files (null: plain keys only). */
  readonly passphrase?: string | null;
  /** Admitted after genesis: skip the check that genesis lists this home's member. */
  readonly joining?: boolean;
}

/**
 * Runs one node until SIGINT or SIGTERM (then stops it in order and returns) or until its
 * consensus halts (then stops it and exits with HALTED_EXIT_CODE). Logs the chain id before
 * anything else starts, for the operator to compare with the other members'.
 */
export async function startNodeProcess(
  homeDir: string,
  options: ProcessOptions = {},
): Promise<void> {
  // The logger's level is in the config: warnings about plain keys wait until it is read.
  const warnings: string[] = [];
  const home = await loadHome(homeDir, {
    custody: { passphrase: options.passphrase ?? null, warn: (line) => warnings.push(line) },
    joining: options.joining === true,
  });
  const log = createLogger(
    home.config.logLevel,
    `${apiHostOf(home.config)}:${home.config.apiPort}`,
  );
  for (const line of warnings) log.warn(line);
  log.info(
    {
      chainId: toHex(chainIdOf(home.genesis)),
      announce: home.announce,
      peers: home.config.peers.length,
    },
    "genesis",
  );
  const node = await CareLedgerNode.start(home, log, options);
  log.info(
    {
      api: apiUrlOf(home.config),
      p2p: home.config.p2pPort,
      nodeKey: node.nodeKey,
    },
    "listening",
  );
  const halted = await new Promise<boolean>((done) => {
    process.once("SIGINT", () => done(false));
    process.once("SIGTERM", () => done(false));
    node.onHalted(() => done(true));
  });
  // A halted node stops as it would on a signal, then exits non-zero so its supervisor restarts
  // it: a restart replays the consensus log and catches up, where staying up would be a zombie.
  await node.stop();
  log.flush();
  if (halted) process.exit(HALTED_EXIT_CODE);
}

/** Exit status of a node whose consensus halted on an unexpected error. */
export const HALTED_EXIT_CODE = 70;
