import { apiHostOf, apiUrlOf } from "./apiTls.js";
import { CareLedgerNode, type StartOptions } from "./careLedgerNode.js";
import { loadHome } from "./config.js";
import { createLogger } from "./logger.js";

/**
 * Runs one node until SIGINT or SIGTERM (then stops it in order and returns) or until its
 * consensus halts (then stops it and exits with HALTED_EXIT_CODE).
 */
export async function startNodeProcess(homeDir: string, options: StartOptions = {}): Promise<void> {
  const home = await loadHome(homeDir);
  const log = createLogger(
    home.config.logLevel,
    `${apiHostOf(home.config)}:${home.config.apiPort}`,
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
