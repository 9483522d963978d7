import {
  type Canonical,
  CareLedgerError,
  encode,
  RECEIPT_REASON_CHARS_MAX,
  type Receipt,
} from "@careledger/protocol";
import {
  beginBlock,
  CONSENSUS_KEYS,
  type ConsensusConfig,
  configAt,
  readConsensus,
  readScheduled,
  type ScheduledChange,
} from "../modules/governance/consensusState.js";
import { identityKey, rejectRevokedSender } from "../modules/identity/state.js";
import type { TxContext } from "../modules/module.js";
import { keyHashOf, sha256 } from "../smt/hashing.js";
import { loadPaths } from "../smt/load.js";
import type { NodeWrites, Subtree, TreeNode } from "../smt/node.js";
import { applyUpdates, compareKeyHashes, type LeafUpdate } from "../smt/update.js";
import { BlockState, type StateWrites } from "../state/blockState.js";
import type { CommittedHead, ExecuteOptions, ExecutionEnvironment } from "./environment.js";
import { encodeReceipts } from "./roots.js";
import type { CheckedTx } from "./txChecks.js";

/** What running a block's transactions produced, before it is bound to a header. */
export interface BlockOutcome {
  readonly receipts: Receipt[];
  readonly encodedReceipts: Uint8Array[];
  readonly stateWrites: StateWrites;
  readonly writeSet: Map<string, Uint8Array | null>;
  readonly nodeWrites: NodeWrites;
  readonly root: Subtree;
  readonly config: ConsensusConfig;
  readonly nextConfig: ConsensusConfig;
  readonly scheduled: ScheduledChange[];
}

/** The block a new one builds on: the last in-flight parent, else the committed head. */
export function parentOf(env: ExecutionEnvironment, options: ExecuteOptions): CommittedHead {
  const last = options.parents?.at(-1);
  return last ? { header: last.header, hash: last.hash, root: last.root } : env.head;
}

/**
 * Runs checked transactions in order on an overlay, then rehashes the state tree over the keys
 * they wrote. Reads the database, never writes it.
 */
export async function runBlock(
  env: ExecutionEnvironment,
  txs: readonly CheckedTx[],
  height: number,
  time: number,
  options: ExecuteOptions,
): Promise<BlockOutcome> {
  const parents = options.parents ?? [];
  const state = new BlockState(
    parents.map((parent) => parent.stateWrites),
    env.readState,
  );
  await state.prefetch(readsOf(txs));
  const config = await beginBlock(state, height);
  const scheduledBefore = (await readScheduled(state)).length;
  const receipts: Receipt[] = [];
  for (const checked of txs) receipts.push(await runTransaction(state, checked, height, time));
  const scheduled = await readScheduled(state);
  const current = await readConsensus(state);
  const nextConfig = configAt(current, scheduled, height + 1);
  const root = parentOf(env, options).root;
  const tree = await updateTree((paths) => env.readNodes(paths), root, state.writes, parents);
  return {
    receipts,
    encodedReceipts: encodeReceipts(receipts),
    stateWrites: state.writes,
    writeSet: tree.writeSet,
    nodeWrites: tree.nodeWrites,
    root: tree.root,
    config,
    nextConfig,
    scheduled: scheduled.slice(scheduledBefore),
  };
}

function readsOf(txs: readonly CheckedTx[]): Set<string> {
  const keys = new Set<string>(CONSENSUS_KEYS);
  for (const { signed, sender, handler, payload } of txs) {
    keys.add(identityKey(sender));
    for (const key of handler.reads?.(payload, signed.tx, sender) ?? []) keys.add(key);
  }
  return keys;
}

async function runTransaction(
  block: BlockState,
  checked: CheckedTx,
  height: number,
  time: number,
): Promise<Receipt> {
  const state = block.forTransaction();
  const ctx: TxContext = {
    tx: checked.signed.tx,
    id: checked.signed.id,
    idHex: checked.idHex,
    sender: checked.sender,
    height,
    time,
    state,
  };
  try {
    await rejectRevokedSender(state, checked.sender, height);
    await checked.handler.execute(ctx, checked.payload);
  } catch (error) {
    // Business rules fail with a registry code; anything else is a bug and stops the block.
    if (!(error instanceof CareLedgerError) || error.code === "INTERNAL") throw error;
    const reason = error.message.slice(0, RECEIPT_REASON_CHARS_MAX);
    return { tx: checked.signed.id, status: "failed", code: error.code, reason };
  }
  state.commit();
  return { tx: checked.signed.id, status: "ok" };
}

/** Encodes a block's writes and rehashes the tree over them, on top of in-flight parents. */
export async function updateTree(
  readCommitted: ExecutionEnvironment["readNodes"],
  root: Subtree,
  writes: StateWrites,
  parents: NonNullable<ExecuteOptions["parents"]>,
) {
  const writeSet = new Map<string, Uint8Array | null>();
  const updates: LeafUpdate[] = [];
  for (const [key, value] of writes) {
    const bytes = value === null ? null : encode(value as Canonical);
    writeSet.set(key, bytes);
    updates.push({ keyHash: keyHashOf(key), valueHash: bytes === null ? null : sha256(bytes) });
  }
  updates.sort(compareKeyHashes);
  const read = async (paths: readonly string[]) => {
    const found: Array<TreeNode | null | undefined> = paths.map((path) => {
      for (let i = parents.length - 1; i >= 0; i--) {
        const node = parents[i]?.nodeWrites.get(path);
        if (node !== undefined) return node;
      }
      return undefined;
    });
    const missing = paths.filter((_, index) => found[index] === undefined);
    const fromDisk = missing.length > 0 ? await readCommitted(missing) : [];
    let next = 0;
    return found.map((node) => (node === undefined ? (fromDisk[next++] ?? null) : node));
  };
  const loaded = await loadPaths(root.kind, updates, read);
  const nodeWrites: NodeWrites = new Map();
  const newRoot = applyUpdates(root, updates, (path) => loaded.get(path), nodeWrites);
  return { writeSet, nodeWrites, root: newRoot };
}
