import {
  type Canonical,
  CareLedgerError,
  type CheckedOutput,
  checkReceiptEvent,
  checkReceiptResult,
  ERROR_CODES,
  encodeOkReceipt,
  encodeReceipt,
  RECEIPT_EVENTS_MAX,
  type Receipt,
  type ReceiptEvent,
  receiptReason,
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
import { adminIndexKey, identityKey } from "../modules/identity/state.js";
import type { TxContext } from "../modules/module.js";
import { ScopedState } from "../modules/namespace.js";
import { keyHashOf, sha256 } from "../smt/hashing.js";
import { loadPaths } from "../smt/load.js";
import type { NodeWrites, Subtree, TreeNode } from "../smt/node.js";
import { applyUpdates, compareKeyHashes, type LeafUpdate } from "../smt/update.js";
import {
  BlockState,
  type EncodedWrites,
  StateReadError,
  type StateWrites,
} from "../state/blockState.js";
import type { CommittedHead, ExecuteOptions, ExecutionEnvironment } from "./environment.js";
import { authorizeSender, senderRuleReads } from "./senderRules.js";
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
 * A block's state before its transactions run: the keys they will read fetched in one batch, and
 * the consensus changes due at this height applied, with the config they leave in force.
 */
export interface OpenedBlock {
  readonly state: BlockState;
  readonly config: ConsensusConfig;
  readonly scheduledBefore: number;
}

export async function openBlock(
  env: ExecutionEnvironment,
  txs: readonly CheckedTx[],
  height: number,
  options: ExecuteOptions,
): Promise<OpenedBlock> {
  const parents = options.parents ?? [];
  const state = new BlockState(
    parents.map((parent) => parent.stateWrites),
    env.readState,
  );
  await state.prefetch(readsOf(env, txs));
  await prefetchDependent(env, state, txs);
  const config = await beginBlock(state, height);
  const scheduledBefore = (await readScheduled(state)).length;
  return { state, config, scheduledBefore };
}

/**
 * Runs checked transactions in order on an opened block's overlay, then rehashes the state tree
 * over the keys they wrote. Reads the database, never writes it.
 */
export async function runBlock(
  env: ExecutionEnvironment,
  opened: OpenedBlock,
  txs: readonly CheckedTx[],
  height: number,
  time: number,
  options: ExecuteOptions,
): Promise<BlockOutcome> {
  const { state, config, scheduledBefore } = opened;
  const parents = options.parents ?? [];
  const receipts: Receipt[] = [];
  const encodedReceipts: Uint8Array[] = [];
  for (const checked of txs) {
    const ran = await runTransaction(env, state, checked, height, time);
    receipts.push(ran.receipt);
    encodedReceipts.push(ran.bytes);
  }
  const scheduled = await readScheduled(state);
  const current = await readConsensus(state);
  const nextConfig = configAt(current, scheduled, height + 1);
  const root = parentOf(env, options).root;
  const tree = await updateTree((paths) => env.readNodes(paths), root, state.encoded, parents);
  return {
    receipts,
    encodedReceipts,
    stateWrites: state.writes,
    writeSet: tree.writeSet,
    nodeWrites: tree.nodeWrites,
    root: tree.root,
    config,
    nextConfig,
    scheduled: scheduled.slice(scheduledBefore),
  };
}

/**
 * The keys the block's transactions will read. Each transaction's are computed under its own
 * guard: a handler's `reads` that throws (or a rule meeting a payload it cannot read) must not
 * stop the block on every validator. That transaction is just not prefetched; it then runs, and
 * succeeds or fails with a receipt, on its own.
 */
function readsOf(env: ExecutionEnvironment, txs: readonly CheckedTx[]): Set<string> {
  const keys = new Set<string>(CONSENSUS_KEYS);
  for (const checked of txs) {
    const { signed, sender, handler, payload } = checked;
    keys.add(identityKey(sender));
    // Not the node index (identity/node/<hex>): the sender check reads it only for a key that
    // is neither registered nor an admin (a node, or a stranger), rare enough to read on demand.
    keys.add(adminIndexKey(sender));
    try {
      const ruleReads = senderRuleReads(handler.contract, payload);
      const handlerReads = handler.reads?.(payload, signed.tx, sender) ?? [];
      for (const key of ruleReads) keys.add(key);
      for (const key of handlerReads) keys.add(key);
    } catch (error) {
      env.handlerFailed?.(checked.idHex, signed.tx.type, error);
    }
  }
  return keys;
}

/** Rounds of dependent reads (`readsAfter`) before a block runs: a record, its lists, their consents. */
export const DEPENDENT_READ_ROUNDS = 3;

/**
 * The keys the block's transactions read that depend on values fetched before, round by round,
 * each round one batch. A `readsAfter` that throws only loses its prefetch, as `reads` does.
 */
async function prefetchDependent(
  env: ExecutionEnvironment,
  state: BlockState,
  txs: readonly CheckedTx[],
): Promise<void> {
  let dependent = txs.filter((checked) => checked.handler.readsAfter !== undefined);
  if (dependent.length === 0) return;
  let missed = false;
  const known = (key: string) => {
    const value = state.peek(key);
    if (value === undefined) missed = true;
    return value;
  };
  for (let round = 0; round < DEPENDENT_READ_ROUNDS && dependent.length > 0; round++) {
    const keys = new Set<string>();
    // Not asked again: those whose readsAfter threw (told once), and those to which every key
    // they looked at was known: values in memory never change within a block, so the next
    // round would give them the same keys, all fetched by then. (A prefetch only saves waiting
    // for the disk: a key it misses is read when the transaction asks, with the same value.)
    const settled = new Set<CheckedTx>();
    for (const checked of dependent) {
      missed = false;
      try {
        const more = checked.handler.readsAfter?.(checked.payload, checked.sender, known) ?? [];
        for (const key of more) if (state.peek(key) === undefined) keys.add(key);
        if (!missed) settled.add(checked);
      } catch (error) {
        env.handlerFailed?.(checked.idHex, checked.signed.tx.type, error);
        settled.add(checked);
      }
    }
    if (settled.size > 0) dependent = dependent.filter((checked) => !settled.has(checked));
    if (keys.size === 0) return;
    await state.prefetch(keys);
  }
}

/** A transaction's receipt and its canonical bytes, for receiptsRoot and the block store. */
interface RanTransaction {
  readonly receipt: Receipt;
  readonly bytes: Uint8Array;
}

/**
 * Runs one transaction. Its receipt is encoded here, inside the guard: a receipt that would not
 * encode fails its own transaction (RESULT_INVALID) instead of the block on every validator.
 */
async function runTransaction(
  env: ExecutionEnvironment,
  block: BlockState,
  checked: CheckedTx,
  height: number,
  time: number,
): Promise<RanTransaction> {
  const state = block.forTransaction();
  const { handler, payload, sender } = checked;
  const outputs = new ReceiptOutputs();
  let ran: RanTransaction;
  try {
    const authorizedBy = await authorizeSender(state, handler.contract, payload, sender);
    const ctx: TxContext = {
      tx: checked.signed.tx,
      id: checked.signed.id,
      idHex: checked.idHex,
      sender,
      height,
      time,
      state: new ScopedState(state, env.registry.txScope(handler.contract.type)),
      authorizedBy,
      emit(event) {
        outputs.emit(event);
      },
      result(value) {
        outputs.setResult(value);
      },
    };
    await handler.execute(ctx, payload);
    ran = outputs.receipt(checked.signed.id);
  } catch (error) {
    // The disk failed, not the transaction: no receipt this node alone would give.
    if (error instanceof StateReadError) throw error;
    const failed: Receipt = {
      tx: checked.signed.id,
      status: "failed",
      ...failureOf(env, checked, error),
    };
    // A failed receipt always encodes: a code, and a reason receiptReason made well formed.
    return { receipt: failed, bytes: encodeReceipt(failed) };
  }
  state.commit();
  return ran;
}

/**
 * What a handler adds to its receipt, checked as it is added (RESULT_INVALID), and kept with its
 * canonical bytes so the receipt's encoding reuses them (encodeOkReceipt). Most transactions add
 * nothing, so the event lists are made on the first event only.
 */
class ReceiptOutputs {
  private value: CheckedOutput<Canonical> | undefined;
  private events: ReceiptEvent[] | undefined;
  private eventBytes: Uint8Array[] | undefined;

  emit(event: ReceiptEvent): void {
    if (this.events === undefined || this.eventBytes === undefined) {
      this.events = [];
      this.eventBytes = [];
    }
    if (this.events.length >= RECEIPT_EVENTS_MAX) {
      throw new CareLedgerError("RESULT_INVALID", `more than ${RECEIPT_EVENTS_MAX} events`);
    }
    // The checked copy, not the handler's object, which it could still change.
    const checked = checkReceiptEvent(event);
    this.events.push(checked.value);
    this.eventBytes.push(checked.bytes);
  }

  setResult(value: Canonical): void {
    if (this.value !== undefined) throw new CareLedgerError("RESULT_INVALID", "result set twice");
    this.value = checkReceiptResult(value);
  }

  /**
   * The ok receipt and its bytes; without a result or events it encodes exactly as before they
   * existed. Every part was encoded when it was checked, so this cannot fail.
   */
  receipt(tx: Uint8Array): RanTransaction {
    const { value, events, eventBytes } = this;
    const bytes = encodeOkReceipt(tx, value?.bytes, eventBytes);
    if (value === undefined && events === undefined)
      return { receipt: { tx, status: "ok" }, bytes };
    const receipt: Receipt = {
      tx,
      status: "ok",
      ...(value === undefined ? {} : { result: value.value }),
      ...(events === undefined ? {} : { events }),
    };
    return { receipt, bytes };
  }
}

/**
 * The code and reason of a failed transaction. A business rule names itself; anything else is a
 * handler's bug, and one such transaction must not stop the chain: it fails with EXECUTION_FAILED
 * and a fixed reason, because an exception's own text (a TypeError's message, a stack) may differ
 * between Node versions and the receipt goes into receiptsRoot, which every validator must agree on.
 */
function failureOf(
  env: ExecutionEnvironment,
  checked: CheckedTx,
  error: unknown,
): { code: Exclude<Receipt, { status: "ok" }>["code"]; reason: string } {
  if (error instanceof CareLedgerError && error.code !== "INTERNAL") {
    return { code: error.code, reason: receiptReason(error.message) };
  }
  env.handlerFailed?.(checked.idHex, checked.signed.tx.type, error);
  return { code: "EXECUTION_FAILED", reason: ERROR_CODES.EXECUTION_FAILED.message };
}

/** Rehashes the tree over a block's encoded writes, on top of in-flight parents. */
export async function updateTree(
  readCommitted: ExecutionEnvironment["readNodes"],
  root: Subtree,
  writeSet: EncodedWrites,
  parents: NonNullable<ExecuteOptions["parents"]>,
) {
  const updates: LeafUpdate[] = [];
  for (const [key, bytes] of writeSet) {
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
