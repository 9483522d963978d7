/**
 * The child process of the crash test: commits the seeded random chain forever, printing each
 * height once its commit has resolved, until the test kills it. Before each block it writes a
 * consensus log record (synced), as the node does before it votes.
 * Arguments: <database directory> <seed> <transactions per block>.
 */
import { Ledger } from "../ledger.js";
import { CRASH_TEST_CHAIN } from "./fixtures.js";
import { nodeVerifier } from "./nodeCrypto.js";
import { commitRandomBlock } from "./randomBlocks.js";

async function main(): Promise<void> {
  const [dir, seed, txCount] = process.argv.slice(2);
  if (dir === undefined || seed === undefined || txCount === undefined) {
    throw new Error("usage: crashWorker <dir> <seed> <txs per block>");
  }
  const ledger = await Ledger.open(dir, CRASH_TEST_CHAIN.genesis, { verifier: nodeVerifier() });
  process.stdout.write(`open ${ledger.head.height}\n`);
  for (;;) {
    const next = ledger.head.height + 1;
    await ledger.consensusLog.put(
      `vote/${String(next).padStart(8, "0")}`,
      Uint8Array.of(next & 0xff),
    );
    await commitRandomBlock(ledger, CRASH_TEST_CHAIN, Number(seed), Number(txCount));
    process.stdout.write(`committed ${ledger.head.height}\n`);
  }
}

await main();
