import {
  type Block,
  blockHash,
  bytesEqual,
  CareLedgerError,
  type CommitCertificate,
  encode,
} from "@careledger/protocol";
import type { CommittedHead } from "./execution/environment.js";
import { receiptsRootFast, txRootFast } from "./execution/roots.js";
import { sha256 } from "./smt/hashing.js";
import { type LeafNode, type NodeWrites, pathKey } from "./smt/node.js";
import {
  buildSubtree,
  type ExpectedSubtree,
  type SnapshotEntry,
  sortLeaves,
  verifyLeavesChunk,
  verifyNodeChunk,
} from "./stateSnapshotTree.js";
import { putBlock } from "./storage/blockStore.js";
import type { Database } from "./storage/database.js";
import { headKey, PREFIX, prefixRange, stateKey } from "./storage/layout.js";
import { putNodes } from "./storage/nodeStore.js";

type Batch = ReturnType<Database["batch"]>;

/**
 * Assembles a state fetched in chunks (state sync) into the ledger. Every chunk is verified
 * against the hash its path must have (from the certified header's stateRoot down through
 * verified nodes) before its values join the batch, and the whole tree is built again from all
 * the leaves at `finish`, which must reproduce the certified stateRoot before anything is
 * written. Values wait in LevelDB's native write batch (not the JS heap); the state, the tree,
 * the certified block, its certificate and the new head are then written in that one atomic
 * batch, so a crash leaves either the old database or the whole restored one.
 */
export class StateRestore {
  private readonly batch: Batch;
  private readonly leaves: LeafNode[] = [];
  private done = false;

  /** What the root must be: the certified header's stateRoot. */
  readonly root: ExpectedSubtree;

  constructor(
    private readonly db: Database,
    private readonly block: Block,
    private readonly certificate: CommitCertificate,
    private readonly encodedReceipts: readonly Uint8Array[],
    private readonly installed: (head: CommittedHead) => void,
  ) {
    const { header } = block;
    if (!bytesEqual(txRootFast(block.txs), header.txRoot)) {
      throw new CareLedgerError("SNAPSHOT_CHUNK_INVALID", "snapshot block's txRoot does not match");
    }
    if (!bytesEqual(receiptsRootFast(encodedReceipts), header.receiptsRoot)) {
      throw new CareLedgerError("SNAPSHOT_CHUNK_INVALID", "snapshot receipts do not match");
    }
    this.root = { path: pathKey(header.stateRoot, 0), kind: null, hash: header.stateRoot };
    this.batch = db.batch();
  }

  get height(): number {
    return this.block.header.height;
  }

  /** Keys restored so far. */
  get keys(): number {
    return this.leaves.length;
  }

  /** Verifies a leaves chunk and keeps its values; throws SNAPSHOT_CHUNK_INVALID. */
  addLeaves(expected: ExpectedSubtree, entries: readonly SnapshotEntry[]): void {
    this.leaves.push(...verifyLeavesChunk(expected, entries));
    for (const entry of entries) this.batch.put(stateKey(entry.key), entry.value);
  }

  /** Verifies a node chunk; returns what its children must hold. */
  addNode(expected: ExpectedSubtree, bytes: Uint8Array): ExpectedSubtree[] {
    return verifyNodeChunk(expected, bytes);
  }

  /**
   * Builds the tree from every leaf, checks it against the certified root, and writes state,
   * tree, block and head in one batch (replacing whatever state the database held).
   */
  async finish(): Promise<void> {
    if (this.done) throw new CareLedgerError("INTERNAL", "state restore already finished");
    this.done = true;
    const writes: NodeWrites = new Map();
    const sorted = sortLeaves(this.leaves);
    const root = buildSubtree(this.root.path, sorted, writes);
    const { header } = this.block;
    if (!bytesEqual(root.hash, header.stateRoot)) {
      await this.batch.close();
      throw new CareLedgerError("SNAPSHOT_CHUNK_INVALID", "assembled state misses the stateRoot");
    }
    await this.deleteOld(sorted, writes);
    putNodes(this.batch, writes);
    const hash = blockHash(header);
    putBlock(this.batch, this.block, hash, this.certificate, this.encodedReceipts);
    this.batch.put(headKey, encode({ height: header.height, hash }));
    await this.batch.write();
    this.installed({ header, hash, root });
  }

  /** Gives up: nothing was written. */
  async abort(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.batch.close();
  }

  /**
   * Deletes what the database held before (the genesis state: a restore starts only from
   * there) and the snapshot does not: its values by key hash, its tree nodes by path. Put
   * after the restored values in the batch, so only keys the snapshot lacks may be deleted.
   */
  private async deleteOld(sorted: readonly LeafNode[], writes: NodeWrites): Promise<void> {
    for await (const key of this.db.keys(prefixRange(Uint8Array.of(PREFIX.state)))) {
      if (!holds(sorted, sha256(key.subarray(1)))) this.batch.del(key);
    }
    for await (const key of this.db.keys(prefixRange(Uint8Array.of(PREFIX.stateNode)))) {
      if (!writes.has(String.fromCharCode(...key.subarray(1)))) this.batch.del(key);
    }
  }
}

/** Whether the sorted leaves hold `keyHash` (binary search). */
function holds(sorted: readonly LeafNode[], keyHash: Uint8Array): boolean {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const order = Buffer.compare((sorted[mid] as LeafNode).keyHash, keyHash);
    if (order === 0) return true;
    if (order < 0) lo = mid + 1;
    else hi = mid;
  }
  return false;
}
