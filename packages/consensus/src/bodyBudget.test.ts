import {
  type Block,
  blockHash,
  encodeBlock,
  encodeHeader,
  type Header,
  signTx,
  VALIDATORS_MAX,
} from "@careledger/protocol";
import { describe, expect, test } from "vitest";
import {
  BLOCK_FRAME_BYTES_MAX,
  BODY_BYTES_BUDGET,
  BODY_FRAME_BYTES,
  bodyBytes,
  HEADER_BYTES_MAX,
  TX_FRAME_BYTES,
  VIEW_CHANGE_PROOFS_BYTES_MAX,
} from "./bodyBudget.js";
import { TEST_PARAMS, TestCluster } from "./cluster.helper.js";
import { encodeMessage, MESSAGE_BYTES_MAX, PREPARED_ENTRIES_MAX } from "./codec.js";
import { signMessage } from "./messages.js";
import { Replica } from "./replica.js";
import { SimApp } from "./sim/app.js";
import type { Effect, ReplicaConfig, ViewChangeMessage } from "./types.js";

const BIG = Number.MAX_SAFE_INTEGER;
const full = (byte: number, length = 32) => new Uint8Array(length).fill(byte);
const largestHeader: Header = {
  v: 1,
  chain: full(1),
  height: BIG,
  prevHash: full(2),
  time: BIG,
  proposer: full(3),
  view: BIG,
  txRoot: full(4),
  stateRoot: full(5),
  receiptsRoot: full(6),
  validatorsHash: full(7),
  nextValidatorsHash: full(8),
};
function built(block: Block | undefined): Block {
  if (block === undefined) throw new Error("no block");
  return block;
}
const votes = Array.from({ length: VALIDATORS_MAX }, (_, validator) => ({
  validator,
  sig: full(9, 64),
}));

describe("the view-change byte bounds fit together", () => {
  test("the largest view change without bodies stays within its proofs bound", () => {
    const change: ViewChangeMessage = {
      kind: "viewchange",
      from: full(3),
      sig: full(9, 64),
      view: BIG,
      committedHeight: BIG,
      committedHash: full(2),
      certificate: { height: BIG, view: BIG, blockHash: full(2), votes },
      prepared: Array.from({ length: PREPARED_ENTRIES_MAX }, () => ({
        height: BIG,
        view: BIG,
        hash: full(4),
        header: largestHeader,
        votes,
      })),
      blocks: [],
    };
    expect(encodeMessage(change).byteLength).toBeLessThanOrEqual(VIEW_CHANGE_PROOFS_BYTES_MAX);
    expect(BODY_BYTES_BUDGET + VIEW_CHANGE_PROOFS_BYTES_MAX).toBe(MESSAGE_BYTES_MAX);
  });

  test("a block is its transactions' bytes plus at most the frame", () => {
    expect(encodeHeader(largestHeader).byteLength).toBeLessThanOrEqual(HEADER_BYTES_MAX);
    const signer = new TestCluster(4).signers[0];
    if (signer === undefined) throw new Error("no signer");
    const txs = [1, 1000, 60_000].map((size, nonce) =>
      signTx(
        {
          v: 1,
          chain: full(1),
          type: "sim.note",
          nonce: full(nonce, 8),
          expires: BIG,
          payload: "x".repeat(size),
        },
        signer,
      ),
    );
    const empty: Block = { header: largestHeader, txs: [] };
    expect(encodeBlock(empty).byteLength).toBeLessThanOrEqual(BLOCK_FRAME_BYTES_MAX);
    const block: Block = { header: largestHeader, txs };
    const txBytes = txs.reduce((sum, signed) => sum + signed.bytes.byteLength + TX_FRAME_BYTES, 0);
    expect(encodeBlock(block).byteLength).toBeLessThanOrEqual(BLOCK_FRAME_BYTES_MAX + txBytes);
    expect(bodyBytes(block)).toBe(encodeBlock(block).byteLength + BODY_FRAME_BYTES);
  });
});

describe("a replica holds its in-flight bodies to the budget", () => {
  const cluster = new TestCluster(4);
  const primary = cluster.signers[0];
  const app = new SimApp(cluster.chainId, cluster.genesisHash);
  if (primary === undefined) throw new Error("no primary");
  // Two fresh blocks of view 0's primary at heights 1 and 2.
  const first = built(app.fresh(cluster.genesisHash, 0, primary.publicKey, 10));
  app.execute(first, 10, TEST_PARAMS.clockSkewMaxMs);
  const second = built(app.fresh(blockHash(first.header), 0, primary.publicKey, 11));
  const preprepare = (block: Block) =>
    signMessage(cluster.chainId, primary, {
      kind: "preprepare",
      height: block.header.height,
      view: 0,
      hash: blockHash(block.header),
      block,
    });

  /** A backup with this budget, handed the pre-prepares of heights 1 and 2. */
  function backup(budget: number): { replica: Replica; effects: Effect[] } {
    const config = { ...(cluster.configs[1] as ReplicaConfig), bodyBytesBudget: budget };
    const replica = Replica.create(config, {
      height: 0,
      hash: cluster.genesisHash,
      certificate: null,
    });
    replica.handle({ type: "start", now: 1 });
    const effects = [first, second].flatMap((block, index) =>
      replica.handle({ type: "message", message: preprepare(block), now: 2 + index }),
    );
    return { replica, effects };
  }
  const executed = (effects: readonly Effect[]) =>
    effects.flatMap((effect) => (effect.type === "execute" ? [effect.block.header.height] : []));

  test("the budget exactly met: both pre-prepares are taken", () => {
    const { replica, effects } = backup(bodyBytes(first) + bodyBytes(second));
    expect(replica.dropped.get("preprepare-bytes")).toBeUndefined();
    // Height 1 is executed at once; height 2 waits for its parent's verdict, but it was taken.
    expect(executed(effects)).toEqual([1]);
    const later = replica.handle({
      type: "verdict",
      hash: blockHash(first.header),
      valid: true,
      now: 9,
    });
    expect(executed(later)).toEqual([2]);
  });

  test("one byte over: the second is refused", () => {
    const { replica, effects } = backup(bodyBytes(first) + bodyBytes(second) - 1);
    expect(replica.dropped.get("preprepare-bytes")).toBe(1);
    expect(executed(effects)).toEqual([1]);
    const later = replica.handle({
      type: "verdict",
      hash: blockHash(first.header),
      valid: true,
      now: 9,
    });
    expect(executed(later)).toEqual([]);
  });

  test("the primary asks for a block within what the budget leaves, and refuses one above it", () => {
    const budget = bodyBytes(first) + BLOCK_FRAME_BYTES_MAX + 2 * BODY_FRAME_BYTES + 100;
    const config = { ...(cluster.configs[0] as ReplicaConfig), bodyBytesBudget: budget };
    const replica = Replica.create(config, {
      height: 0,
      hash: cluster.genesisHash,
      certificate: null,
    });
    replica.handle({ type: "start", now: 1 });
    const ask = replica
      .handle({ type: "txsPending", pending: true, now: 2 })
      .find((effect) => effect.type === "requestProposal");
    expect(ask?.type === "requestProposal" && ask.bytesMax).toBe(budget - BODY_FRAME_BYTES);
    // Transactions still wait: with the block taken, it asks for the next within what is left.
    const next = replica
      .handle({ type: "proposal", block: first, now: 3 })
      .find((effect) => effect.type === "requestProposal");
    const room = budget - bodyBytes(first) - BODY_FRAME_BYTES;
    expect(next?.type === "requestProposal" && next.bytesMax).toBe(room);
    // An application that ignores the cap: the primary does not pre-prepare its block.
    const big = signTx(
      {
        v: 1,
        chain: cluster.chainId,
        type: "sim.note",
        nonce: full(1, 8),
        expires: 100,
        payload: "x".repeat(room),
      },
      primary,
    );
    const builder = new SimApp(cluster.chainId, cluster.genesisHash);
    builder.execute(first, 10, TEST_PARAMS.clockSkewMaxMs);
    const over = builder.build(
      2,
      0,
      blockHash(first.header),
      primary.publicKey,
      20,
      1000,
      [big],
      BIG,
    );
    if (over === undefined || over.txs.length !== 1) throw new Error("no block");
    const effects = replica.handle({ type: "proposal", block: over, now: 5 });
    expect(replica.dropped.get("proposal-bytes")).toBe(1);
    expect(effects.some((effect) => effect.type === "broadcast")).toBe(false);
  });
});
