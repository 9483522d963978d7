import { CareLedgerNode, type StartOptions } from "./careLedgerNode.js";
import { loadHome } from "./config.js";
import { createLogger } from "./logger.js";

/** Runs one node until SIGINT or SIGTERM, then stops it in order and exits. */
export async function startNodeProcess(homeDir: string, options: StartOptions = {}): Promise<void> {
  const home = await loadHome(homeDir);
  const log = createLogger(home.config.logLevel, `${home.config.host}:${home.config.apiPort}`);
  const node = await CareLedgerNode.start(home, log, options);
  log.info(
    {
      api: `http://${home.config.host}:${home.config.apiPort}`,
      p2p: home.config.p2pPort,
      nodeKey: node.nodeKey,
    },
    "listening",
  );
  await new Promise<void>((done) => {
    process.once("SIGINT", done);
    process.once("SIGTERM", done);
  });
  await node.stop();
  log.flush();
}
