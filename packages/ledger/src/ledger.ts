import {
  type Block,
  blockHash,
  bytesEqual,
  CareLedgerError,
  type CommitCertificate,
  type ConsensusParams,
  chainIdOf,
  decode,
  encode,
  type Genesis,
  type Header,
  parseGenesis,
  type SignedTx,
  STATE_EMPTY_HASH,
  type ValidatorSet,
  type Verifier,
} from "@careledger/protocol";
import type {
  CommittedHead,
  ExecuteOptions,
  ExecutionEnvironment,
} from "./execution/environment.js";
import {
  type BuildRequest,
  type BuiltBlock,
  buildBlock,
  executeBlock,
} from "./execution/execute.js";
import type { ExecutionResult } from "./execution/result.js";
import { updateTree } from "./execution/run.js";
import { checkWithoutSignature } from "./execution/txChecks.js";
import { genesisHeader, genesisWrites } from "./genesisState.js";
import { hexOf } from "./hex.js";
import { senderRefusal } from "./modules/identity/state.js";
import type { LedgerModule } from "./modules/module.js";
import { BUILTIN_MODULES, type LedgerContract, ModuleRegistry } from "./modules/registry.js";
import { LedgerReads } from "./reads.js";
import { decodeNode, EMPTY_SUBTREE, pathKey, type TreeNode } from "./smt/node.js";
import { NodeCache } from "./smt/nodeCache.js";
import { encodeWrites } from "./state/blockState.js";
import { StateValueCache } from "./state/valueCache.js";
import { StateRestore } from "./stateSnapshotRestore.js";
import { StateSnapshots } from "./stateSnapshotServe.js";
import { committedIds, putBlock, readHeader } from "./storage/blockStore.js";
import { ConsensusLog } from "./storage/consensusLog.js";
import { type Database, openDatabase, plainBytes } from "./storage/database.js";
import { IndexStore } from "./storage/indexStore.js";
import { chainKey, formatKey, headKey, stateKey, stateNodeKey } from "./storage/layout.js";
import { putNodes } from "./storage/nodeStore.js";
import { RecentTxIds } from "./storage/recentTxIds.js";
import { checkStorageFormat, storageFormatBytes } from "./storage/storageFormat.js";

/** Tree nodes kept in memory: about 200 bytes each, so some 100 MB at this bound. */
export const NODE_CACHE_ENTRIES_MAX = 500_000;
/**
 * Committed state values kept in memory (state/valueCache.ts): a few hundred bytes each with
 * their keys, so some 20 to 40 MB at this bound.
 */
export const STATE_VALUE_CACHE_ENTRIES_MAX = 100_000;

export interface LedgerOptions {
  /** Checks transaction signatures; the node hands in its libsodium verifier. */
  readonly verifier: Verifier;
  readonly modules?: readonly LedgerModule[];
  /** The contract the modules implement (protocol's by default; tests extend it). */
  readonly contract?: LedgerContract;
  readonly nodeCacheEntriesMax?: number;
  /**
   * Told of a transaction handler's unexpected exception, for the node's log: the transaction
   * commits with EXECUTION_FAILED, and only this hook sees what went wrong. Also told (with the
   * index's name as `type`) when an index function throws: that transaction's entries are skipped.
   */
  readonly onHandlerError?: (txIdHex: string, type: string, error: unknown) => void;
  /**
   * Every this many heights, a snapshot of the committed state is kept for peers that state-sync
   * (stateSnapshotServe.ts); 0 keeps none. SNAPSHOT_INTERVAL_HEIGHTS by default.
   */
  readonly snapshotIntervalHeights?: number;
  /** Most keys in one snapshot chunk (SNAPSHOT_CHUNK_KEYS_MAX); tests cut small states finer. */
  readonly snapshotChunkKeysMax?: number;
}

/** Heights between the state snapshots a ledger keeps for state sync, by default. */
export const SNAPSHOT_INTERVAL_HEIGHTS = 100;

/** The committed head: the last block written, with its header. */
export interface HeadInfo {
  readonly height: number;
  readonly hash: Uint8Array;
  readonly stateRoot: Uint8Array;
  readonly time: number;
  readonly header: Header;
}

/**
 * A node's chain and world state in one LevelDB database: executes blocks on overlays, commits
 * them atomically, answers queries and proves state. The node drives it; it never calls out.
 */
export class Ledger {
  readonly consensusLog: ConsensusLog;
  readonly reads: LedgerReads;
  private committed: CommittedHead;
  private readonly cache: NodeCache;
  private readonly values: StateValueCache;
  private recentIds: RecentTxIds;
  /** The checkpoint snapshots served to peers that state-sync. */
  readonly snapshots: StateSnapshots;
  /** Counts commits, so a node read that a commit overtook is not cached. */
  private commits = 0;
  private committing = false;
  private readonly env: ExecutionEnvironment;

  private constructor(
    private readonly db: Database,
    readonly chainId: Uint8Array,
    readonly registry: ModuleRegistry,
    verifier: Verifier,
    head: CommittedHead,
    cacheEntriesMax: number,
    onHandlerError: LedgerOptions["onHandlerError"],
    private readonly indexes: IndexStore,
    snapshots: { intervalHeights: number; chunkKeysMax?: number },
  ) {
    this.snapshots = new StateSnapshots(db, snapshots.intervalHeights, snapshots.chunkKeysMax);
    this.committed = head;
    this.cache = new NodeCache(cacheEntriesMax);
    this.values = new StateValueCache(STATE_VALUE_CACHE_ENTRIES_MAX);
    this.recentIds = new RecentTxIds(head.header.height);
    this.consensusLog = new ConsensusLog(db);
    this.reads = new LedgerReads(
      db,
      registry,
      () => this.committed,
      (paths) => this.readNodes(paths),
      indexes,
      this.values,
    );
    const ledger = this;
    this.env = {
      chainId,
      registry,
      verifier,
      get head() {
        return ledger.committed;
      },
      readState: (keys) => this.reads.stateValues(keys),
      readNodes: (paths) => this.readNodes(paths),
      committedTxs: (txs, idsHex) => this.committedTxs(txs, idsHex),
      ...(onHandlerError === undefined ? {} : { handlerFailed: onHandlerError }),
    };
  }

  /** Opens (or creates, writing block 0 from `genesis`) the ledger in directory `dir`. */
  static async open(dir: string, genesis: Genesis, options: LedgerOptions): Promise<Ledger> {
    const parsed = parseGenesis(genesis);
    const chainId = chainIdOf(parsed);
    const registry = new ModuleRegistry(options.modules ?? BUILTIN_MODULES, options.contract);
    const db = await openDatabase(dir);
    try {
      const storedChain = await db.get(chainKey);
      if (storedChain !== undefined && !bytesEqual(storedChain, chainId)) {
        throw new CareLedgerError("GENESIS_INVALID", "the database belongs to another chain");
      }
      if (storedChain !== undefined) await checkStorageFormat(db, dir);
      const head =
        storedChain === undefined
          ? await writeGenesisBlock(db, parsed, chainId)
          : await loadHead(db);
      const cacheMax = options.nodeCacheEntriesMax ?? NODE_CACHE_ENTRIES_MAX;
      const indexes = new IndexStore(registry.modules, options.onHandlerError);
      await indexes.rebuildStale(db, head.header.height);
      return new Ledger(
        db,
        chainId,
        registry,
        options.verifier,
        head,
        cacheMax,
        options.onHandlerError,
        indexes,
        {
          intervalHeights: options.snapshotIntervalHeights ?? SNAPSHOT_INTERVAL_HEIGHTS,
          ...(options.snapshotChunkKeysMax === undefined
            ? {}
            : { chunkKeysMax: options.snapshotChunkKeysMax }),
        },
      );
    } catch (error) {
      await db.close();
      throw error;
    }
  }

  get head(): HeadInfo {
    const { header, hash, root } = this.committed;
    return { height: header.height, hash, stateRoot: root.hash, time: header.time, header };
  }

  /** Executes a received block on an overlay and checks its header; see execution/execute.ts. */
  executeBlock(block: Block, options: ExecuteOptions = {}): Promise<ExecutionResult> {
    return executeBlock(this.env, block, options);
  }

  /** Builds a block for the proposer from candidate transactions. */
  buildBlock(request: BuildRequest, options: ExecuteOptions = {}): Promise<BuiltBlock> {
    return buildBlock(this.env, request, options);
  }

  /**
   * Writes an executed block, its certificate, its transactions, receipts, state and tree
   * changes and the new head in one atomic batch. The block must be the head's child and the
   * result must be this block's.
   */
  async commit(block: Block, certificate: CommitCertificate | null, result: ExecutionResult) {
    const head = this.committed;
    if (
      block.header.height !== head.header.height + 1 ||
      !bytesEqual(block.header.prevHash, head.hash)
    ) {
      throw new CareLedgerError(
        "BLOCK_INVALID",
        `block ${block.header.height} is not the head's child`,
      );
    }
    if (!bytesEqual(blockHash(block.header), result.hash)) {
      throw new CareLedgerError("BLOCK_INVALID", "the execution result is for another block");
    }
    if (this.committing) throw new CareLedgerError("INTERNAL", "commits must not overlap");
    this.committing = true;
    try {
      await this.writeBlock(block, certificate, result);
    } finally {
      this.committing = false;
    }
  }

  private async writeBlock(
    block: Block,
    certificate: CommitCertificate | null,
    result: ExecutionResult,
  ): Promise<void> {
    const batch = this.db.batch();
    putBlock(batch, block, result.hash, certificate, result.encodedReceipts);
    this.indexes.putBlock(batch, block, result.receipts);
    for (const [key, value] of result.writeSet) {
      if (value === null) batch.del(stateKey(key));
      else batch.put(stateKey(key), value);
    }
    putNodes(batch, result.nodeWrites);
    batch.put(headKey, encodeHead(block.header.height, result.hash));
    await batch.write();
    // Before any other commit can start (commits never overlap): the snapshot is this height's.
    this.snapshots.committed(block.header.height);
    this.commits += 1;
    this.values.committed(result.writeSet);
    for (const [path, node] of result.nodeWrites) {
      if (node === null) this.cache.delete(path);
      else this.cache.set(path, node);
    }
    this.committed = { header: block.header, hash: result.hash, root: result.root };
    this.recentIds.add(block.header.height, result.txIds);
  }

  /**
   * What the mempool checks at admission besides size, signature, its own duplicates and the
   * sender (`checkSender`): the chain, the expiry window as of the next height, a known type, a
   * payload of its schema, and that no committed block holds it. Throws the failing rule (TX_EXPIRED, TX_DUPLICATE, ...).
   */
  async checkAdmission(signed: SignedTx): Promise<void> {
    checkWithoutSignature(this.env, signed, this.committed.header.height + 1);
    const [committed] = await this.committedTxs([signed], [hexOf(signed.id)]);
    if (committed) throw new CareLedgerError("TX_DUPLICATE", "transaction already committed");
  }

  /**
   * The sender rule at admission, on the committed state: SENDER_UNKNOWN for a key that is
   * neither a registered identity, an organization admin nor a member organization's node key,
   * IDENTITY_REVOKED for a revoked one.
   * A block holding such a transaction is invalid, so admitting it would only fill the pool.
   */
  async checkSender(signed: SignedTx): Promise<void> {
    const committed = {
      get: async (key: string) => (await this.reads.stateValues([key]))[0] ?? null,
    };
    const refusal = await senderRefusal(committed, hexOf(signed.tx.from));
    if (refusal !== null) throw new CareLedgerError(refusal.code, refusal.reason);
  }

  /** The validator set and parameters in force at the head, and the set of the next height. */
  async consensusConfig(): Promise<{
    validators: ValidatorSet;
    nextValidators: ValidatorSet;
    params: ConsensusParams;
  }> {
    return this.reads.consensusConfig(this.committed.header.height);
  }

  /**
   * Starts restoring the state of a certified block fetched from peers (state sync): only into a
   * ledger that holds nothing but genesis. The block's txRoot and receiptsRoot are checked here,
   * its certificate by the caller; see stateSnapshotRestore.ts for the chunks.
   */
  beginStateRestore(
    block: Block,
    certificate: CommitCertificate,
    encodedReceipts: readonly Uint8Array[],
  ): StateRestore {
    if (this.committed.header.height !== 0 || block.header.height === 0) {
      throw new CareLedgerError("INTERNAL", "state sync restores only into a fresh ledger");
    }
    return new StateRestore(this.db, block, certificate, encodedReceipts, (head) => {
      this.commits += 1;
      this.cache.clear();
      this.values.replaced();
      this.committed = head;
      this.recentIds = new RecentTxIds(head.header.height);
    });
  }

  async close(): Promise<void> {
    this.snapshots.close();
    await this.db.close();
  }

  private async committedTxs(txs: readonly SignedTx[], idsHex: readonly string[]) {
    const known = txs.map((signed, index) =>
      this.recentIds.lookup(idsHex[index] as string, signed.tx.expires),
    );
    const unknown = txs.filter((_, index) => known[index] === undefined).map((s) => s.id);
    const fromDisk = await committedIds(this.db, unknown);
    let next = 0;
    return known.map((answer) => answer ?? (fromDisk[next++] as boolean));
  }

  private async readNodes(paths: readonly string[]): Promise<Array<TreeNode | null>> {
    const out: Array<TreeNode | null | undefined> = paths.map((path) => this.cache.get(path));
    const missing = paths.filter((_, index) => out[index] === undefined);
    if (missing.length === 0) return out as Array<TreeNode | null>;
    // A commit landing while the read is under way may replace these nodes in the cache; a read
    // that started before it must not put its older copies back.
    const generation = this.commits;
    const stored = await this.db.getMany(missing.map(stateNodeKey));
    const cacheable = generation === this.commits;
    let next = 0;
    return out.map((node) => {
      if (node !== undefined) return node;
      const path = missing[next] as string;
      const bytes = stored[next++];
      if (bytes === undefined) return null;
      const decoded = decodeNode(plainBytes(bytes));
      if (cacheable) this.cache.set(path, decoded);
      return decoded;
    });
  }
}

function encodeHead(height: number, hash: Uint8Array): Uint8Array {
  return encode({ height, hash });
}

async function loadHead(db: Database): Promise<CommittedHead> {
  const stored = await db.get(headKey);
  if (stored === undefined) throw new CareLedgerError("INTERNAL", "database has no head");
  const { height, hash } = decode(stored) as { height: number; hash: Uint8Array };
  const header = await readHeader(db, height);
  if (header === null) throw new CareLedgerError("INTERNAL", `head block ${height} is missing`);
  if (bytesEqual(header.stateRoot, STATE_EMPTY_HASH)) return { header, hash, root: EMPTY_SUBTREE };
  const rootBytes = await db.get(stateNodeKey(pathKey(header.stateRoot, 0)));
  if (rootBytes === undefined) throw new CareLedgerError("INTERNAL", "state root node is missing");
  return { header, hash, root: { kind: decodeNode(rootBytes).kind, hash: header.stateRoot } };
}

/** Writes block 0 and the genesis state into an empty database, synced: the chain's anchor. */
async function writeGenesisBlock(
  db: Database,
  genesis: Genesis,
  chainId: Uint8Array,
): Promise<CommittedHead> {
  const noNodes = async () => {
    throw new CareLedgerError("INTERNAL", "an empty tree has no nodes to read");
  };
  const writes = encodeWrites(genesisWrites(genesis));
  const result = await updateTree(noNodes, EMPTY_SUBTREE, writes, []);
  const header = genesisHeader(genesis, chainId, result.root.hash);
  const hash = blockHash(header);
  const batch = db.batch();
  putBlock(batch, { header, txs: [] }, hash, null, []);
  for (const [key, value] of result.writeSet) if (value !== null) batch.put(stateKey(key), value);
  putNodes(batch, result.nodeWrites);
  batch.put(headKey, encodeHead(0, hash));
  batch.put(chainKey, chainId);
  batch.put(formatKey, storageFormatBytes());
  await batch.write({ sync: true });
  return { header, hash, root: result.root };
}
