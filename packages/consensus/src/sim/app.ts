import {
  type Block,
  bytesEqual,
  type CommitCertificate,
  fromHex,
  type Header,
  type SignedTx,
  toHex,
  txRootOf,
} from "@careledger/protocol";
import { hashOfHeader } from "../blockHashCache.js";
import { BLOCK_FRAME_BYTES_MAX, TX_FRAME_BYTES } from "../bodyBudget.js";
import { sha256Fast } from "./fastCrypto.js";

/** Most transactions the simulated primary puts in one block. */
export const SIM_BLOCK_TXS_MAX = 8;
/** The transaction type that carries a validator-set change (payload: hex keys). */
export const VALIDATOR_TX_TYPE = "validators.set";

interface Executed {
  readonly height: number;
  readonly hash: Uint8Array;
  readonly time: number;
  readonly stateRoot: Uint8Array;
  readonly parent: string;
  readonly txIds: readonly string[];
}

const ZERO = new Uint8Array(32);

/**
 * A deterministic in-memory application: the state root is a hash chain over the ids of the
 * transactions executed. It builds proposals, refuses blocks whose state root it does not
 * reproduce (or whose time, tx root, duplicates or expiry are wrong) and commits in order.
 */
export class SimApp {
  readonly chainId: Uint8Array;
  readonly genesisHash: Uint8Array;
  /** Committed blocks by height (index 0 unused) with their certificates. */
  readonly chain: { block: Block; hash: Uint8Array; certificate: CommitCertificate }[] = [];
  readonly committedTxs = new Set<string>();
  /** Validator-set changes committed, in height order. */
  readonly validatorChanges: { decidedAt: number; validators: Uint8Array[] }[] = [];
  private readonly executed = new Map<string, Executed>();
  private tip: Executed;

  constructor(chainId: Uint8Array, genesisHash: Uint8Array) {
    this.chainId = chainId;
    this.genesisHash = genesisHash;
    this.tip = {
      height: 0,
      hash: genesisHash,
      time: 0,
      stateRoot: sha256Fast([chainId]),
      parent: "",
      txIds: [],
    };
    this.executed.set(toHex(genesisHash), this.tip);
  }

  get height(): number {
    return this.tip.height;
  }

  get tipHash(): Uint8Array {
    return this.tip.hash;
  }

  /** A crash loses what was executed but not committed. */
  forgetVolatile(): void {
    this.executed.clear();
    this.executed.set(toHex(this.tip.hash), this.tip);
  }

  build(
    height: number,
    view: number,
    prevHash: Uint8Array,
    proposer: Uint8Array,
    now: number,
    clockSkewMaxMs: number,
    mempool: readonly SignedTx[],
    bytesMax: number,
  ): Block | undefined {
    const parent = this.executed.get(toHex(prevHash));
    if (parent === undefined || parent.height !== height - 1) return undefined;
    const taken = this.ancestorTxs(parent);
    // As the node's mempool: oldest first, within the replica's byte cap (header aside).
    let room = bytesMax - BLOCK_FRAME_BYTES_MAX;
    const txs: SignedTx[] = [];
    for (const signed of mempool) {
      if (txs.length >= SIM_BLOCK_TXS_MAX) break;
      if (signed.tx.expires < height || taken.has(toHex(signed.id))) continue;
      room -= signed.bytes.byteLength + TX_FRAME_BYTES;
      if (room < 0) break;
      txs.push(signed);
    }
    // As the node's driver: the clock, or just after a parent ahead of it, never a time this
    // replica's own verdict would refuse.
    const time = Math.max(now, parent.time + 1);
    if (time - now > clockSkewMaxMs) return undefined;
    return this.assemble(parent, view, proposer, time, txs);
  }

  /** A block with the same parent but other contents: what an equivocating primary sends. */
  alternative(block: Block): Block | undefined {
    const parent = this.executed.get(toHex(block.header.prevHash));
    if (parent === undefined) return undefined;
    const { view, proposer, time } = block.header;
    return this.assemble(parent, view, proposer, time + 1, []);
  }

  /** A block of `proposer` in `view` on top of the executed `prevHash`: a fresh proposal. */
  fresh(prevHash: Uint8Array, view: number, proposer: Uint8Array, time: number): Block | undefined {
    const parent = this.executed.get(toHex(prevHash));
    if (parent === undefined) return undefined;
    return this.assemble(parent, view, proposer, Math.max(time, parent.time + 1), []);
  }

  private assemble(
    parent: Executed,
    view: number,
    proposer: Uint8Array,
    time: number,
    txs: readonly SignedTx[],
  ): Block {
    const txRoot = txRootOf(txs);
    const header: Header = {
      v: 1,
      chain: this.chainId,
      height: parent.height + 1,
      prevHash: parent.hash,
      time,
      proposer,
      view,
      txRoot,
      stateRoot: sha256Fast([parent.stateRoot, txRoot]),
      receiptsRoot: ZERO,
      validatorsHash: ZERO,
      nextValidatorsHash: ZERO,
    };
    const block = { header, txs };
    this.remember(block, parent);
    return block;
  }

  private remember(block: Block, parent: Executed): Executed {
    const hash = hashOfHeader(block.header);
    const entry: Executed = {
      height: block.header.height,
      hash,
      time: block.header.time,
      stateRoot: block.header.stateRoot,
      parent: toHex(parent.hash),
      txIds: block.txs.map((signed) => toHex(signed.id)),
    };
    this.executed.set(toHex(hash), entry);
    return entry;
  }

  /** Ids in the uncommitted ancestors of `entry` and everything committed. */
  private ancestorTxs(entry: Executed): Set<string> {
    const ids = new Set(this.committedTxs);
    let cursor: Executed | undefined = entry;
    while (cursor !== undefined && cursor.height > this.tip.height) {
      for (const id of cursor.txIds) ids.add(id);
      cursor = this.executed.get(cursor.parent);
    }
    return ids;
  }

  hashOf(block: Block): { blockHash: Uint8Array } {
    return { blockHash: hashOfHeader(block.header) };
  }

  /**
   * Validates and executes a proposal on top of its (executed) parent, as the node's ledger does
   * with the replica's clock: a time more than `clockSkewMaxMs` ahead of `now` is refused.
   */
  execute(block: Block, now: number, clockSkewMaxMs: number): boolean {
    const header = block.header;
    const parent = this.executed.get(toHex(header.prevHash));
    if (parent === undefined || parent.height !== header.height - 1) return false;
    if (header.time <= parent.time || header.time - now > clockSkewMaxMs) return false;
    if (!bytesEqual(header.txRoot, txRootOf(block.txs))) return false;
    if (!bytesEqual(header.stateRoot, sha256Fast([parent.stateRoot, header.txRoot]))) return false;
    const taken = this.ancestorTxs(parent);
    for (const signed of block.txs) {
      const id = toHex(signed.id);
      if (taken.has(id) || signed.tx.expires < header.height) return false;
      taken.add(id);
    }
    this.remember(block, parent);
    return true;
  }

  /** Commits the next block; returns a reason if it does not extend the chain. */
  commit(block: Block, certificate: CommitCertificate): string | undefined {
    const hash = hashOfHeader(block.header);
    if (block.header.height !== this.tip.height + 1) return "height does not follow the tip";
    if (!bytesEqual(block.header.prevHash, this.tip.hash)) return "prevHash does not link";
    if (
      !bytesEqual(block.header.stateRoot, sha256Fast([this.tip.stateRoot, block.header.txRoot]))
    ) {
      return "state root does not reproduce";
    }
    const entry = this.remember(block, this.tip);
    for (const id of entry.txIds) this.committedTxs.add(id);
    const change = block.txs.findLast((signed) => signed.tx.type === VALIDATOR_TX_TYPE);
    if (change !== undefined) {
      const keys = (change.tx.payload as string[]).map((hex) => fromHex(hex, 32));
      this.validatorChanges.push({ decidedAt: block.header.height, validators: keys });
    }
    this.chain[block.header.height] = { block, hash, certificate };
    this.tip = entry;
    for (const [key, value] of this.executed) {
      if (value.height <= this.tip.height && key !== toHex(hash)) this.executed.delete(key);
    }
    return undefined;
  }
}
