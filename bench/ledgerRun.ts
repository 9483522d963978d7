/**
 * The ledger each `pnpm bench:ledger` run drives: opened on a temporary directory, with a
 * signer that numbers its nonces and blocks built and committed directly (signature checks
 * excluded, as in every run: the benchmarks measure execution and commit).
 */
import { Ledger } from "../packages/ledger/src/index.js";
import { fakeCertificate, type TestChain } from "../packages/ledger/src/testing/fixtures.js";
import { nodeVerifier } from "../packages/ledger/src/testing/nodeCrypto.js";
import { tempDir } from "../packages/ledger/src/testing/tempDir.js";
import {
  type Canonical,
  type Receipt,
  type SignedTx,
  type Signer,
  signTx,
  TX_TTL_MAX,
} from "../packages/protocol/src/index.js";

export interface LedgerRun {
  readonly ledger: Ledger;
  /** Deletes the ledger's directory (after `ledger.close()`). */
  readonly remove: () => void;
  sign(type: string, payload: Canonical, by: Signer): SignedTx;
  /** Builds and commits one block of `txs`; every one must be valid. */
  runBlock(txs: SignedTx[]): Promise<readonly Receipt[]>;
  /** Runs `txs` in blocks of `blockTxs`, failing at the first failed receipt (setup). */
  runAll(txs: SignedTx[], blockTxs: number): Promise<void>;
  /** Milliseconds spent building (executing) blocks since it was last set to 0. */
  executeMs: number;
}

export async function openLedgerRun(name: string, chain: TestChain): Promise<LedgerRun> {
  const { dir, remove } = tempDir(name);
  const ledger = await Ledger.open(dir, chain.genesis, { verifier: nodeVerifier() });
  let nonce = 0;
  const run: LedgerRun = {
    ledger,
    remove,
    executeMs: 0,
    sign(type, payload, by) {
      const bytes = new Uint8Array(8);
      new DataView(bytes.buffer).setUint32(4, ++nonce);
      const expires = ledger.head.height + TX_TTL_MAX;
      return signTx({ v: 1, chain: ledger.chainId, type, nonce: bytes, expires, payload }, by);
    },
    async runBlock(txs) {
      const started = performance.now();
      const height = ledger.head.height + 1;
      const built = await ledger.buildBlock(
        {
          height,
          view: 0,
          proposer: chain.orgs[0]?.node.publicKey as Uint8Array,
          time: ledger.head.time + 1000,
          txs,
        },
        { isVerified: () => true },
      );
      if (built.block.txs.length !== txs.length) {
        throw new Error("the benchmark built an invalid tx");
      }
      run.executeMs += performance.now() - started;
      await ledger.commit(built.block, fakeCertificate(height, built.result.hash), built.result);
      return built.result.receipts;
    },
    async runAll(txs, blockTxs) {
      for (let start = 0; start < txs.length; start += blockTxs) {
        for (const receipt of await run.runBlock(txs.slice(start, start + blockTxs))) {
          if (receipt.status === "failed") throw new Error(`setup failed: ${receipt.code}`);
        }
      }
    },
  };
  return run;
}
