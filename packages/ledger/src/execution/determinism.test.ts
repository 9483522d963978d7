import { bytesEqual, toHex } from "@careledger/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { Ledger } from "../ledger.js";
import { fakeCertificate, testChain } from "../testing/fixtures.js";
import { nodeVerifier } from "../testing/nodeCrypto.js";
import { commitRandomBlock, randomTxs } from "../testing/randomBlocks.js";
import { tempDir } from "../testing/tempDir.js";
import type { ExecutionResult } from "./result.js";

const SEED = Number(process.env.LEDGER_TEST_SEED ?? 20261121);
const BLOCKS = 12;
const BLOCK_TXS = 60;
const chain = testChain(4, 5, 2);
const opened: Array<{ ledger: Ledger; remove: () => void }> = [];

async function open(label: string): Promise<Ledger> {
  const { dir, remove } = tempDir(label);
  const ledger = await Ledger.open(dir, chain.genesis, { verifier: nodeVerifier() });
  opened.push({ ledger, remove });
  return ledger;
}

afterEach(async () => {
  for (const { ledger, remove } of opened.splice(0)) {
    await ledger.close();
    remove();
  }
});

describe(`determinism (seed ${SEED}, LEDGER_TEST_SEED replays)`, () => {
  it("two databases through the same random blocks agree byte for byte at every height", async () => {
    const [first, second, validator] = [await open("a"), await open("b"), await open("v")];
    for (let i = 0; i < BLOCKS; i++) {
      await commitRandomBlock(first, chain, SEED, BLOCK_TXS);
      await commitRandomBlock(second, chain, SEED, BLOCK_TXS);
      const stored = await first.reads.block(first.head.height);
      if (!stored) throw new Error("block missing");
      const result = await validator.executeBlock(stored.block);
      await validator.commit(stored.block, stored.certificate, result);
      for (const other of [second, validator]) {
        expect(toHex(other.head.hash)).toBe(toHex(first.head.hash));
        expect(toHex(other.head.stateRoot)).toBe(toHex(first.head.stateRoot));
      }
    }
    const failed = (await first.reads.receipts(3))?.filter((r) => r.status === "failed");
    expect(failed?.length).toBeGreaterThan(0);
  });

  it("pipelined blocks executed on in-flight parents equal blocks executed one by one", async () => {
    const [proposer, validator, sequential] = [await open("p"), await open("q"), await open("s")];
    const results: ExecutionResult[] = [];
    const blocks = [];
    for (let height = 1; height <= 4; height++) {
      const txs = randomTxs(chain, proposer.chainId, SEED, height, BLOCK_TXS);
      const request = {
        height,
        view: 0,
        proposer: chain.orgs[0]?.node.publicKey as Uint8Array,
        time: chain.genesis.genesisTime + height * 1000,
        txs,
      };
      const built = await proposer.buildBlock(request, { parents: [...results] });
      const checked = await validator.executeBlock(built.block, { parents: [...results] });
      expect(bytesEqual(checked.root.hash, built.result.root.hash)).toBe(true);
      results.push(built.result);
      blocks.push(built.block);
      const alone = await sequential.buildBlock(request);
      expect(toHex(alone.result.hash)).toBe(toHex(built.result.hash));
      await sequential.commit(
        alone.block,
        fakeCertificate(height, alone.result.hash),
        alone.result,
      );
    }
    for (const [index, block] of blocks.entries()) {
      const result = results[index] as ExecutionResult;
      await proposer.commit(block, fakeCertificate(block.header.height, result.hash), result);
    }
    expect(toHex(proposer.head.stateRoot)).toBe(toHex(sequential.head.stateRoot));
    const proof = await proposer.reads.proveState("identity/orgs");
    const reference = await sequential.reads.proveState("identity/orgs");
    expect(proof.proof).toEqual(reference.proof);
  });
});
