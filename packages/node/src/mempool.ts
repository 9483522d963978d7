import {
  bytesEqual,
  CareLedgerError,
  decodeTx,
  type SignedTx,
  TX_BYTES_MAX,
  TX_TTL_MAX,
  toHex,
  type Verifier,
  verifySignedTx,
} from "@careledger/protocol";

export interface MempoolLimits {
  /** Most transactions held at once. */
  readonly txsMax: number;
  /** Most encoded bytes held at once. */
  readonly bytesMax: number;
}

export const DEFAULT_MEMPOOL_LIMITS: MempoolLimits = { txsMax: 50_000, bytesMax: 64 * 1024 * 1024 };
/** Ids of transactions whose signatures a valid proposal proved, kept for admission. */
export const VERIFIED_IN_BLOCKS_MAX = 50_000;
/** Marks of when later transactions overtook earlier ones, kept at once (see `overtaken`). */
export const OVERTAKEN_MARKS_MAX = 1_024;

/** How large one batch of `takeForRegossip` may be: the gossip frame's bounds. */
export interface RegossipBatchLimits {
  readonly count: number;
  readonly bytesMax: number;
  /** Bytes a transaction costs in a batch beyond its own. */
  readonly itemOverheadBytes: number;
}

/** What the mempool asks of the chain; the node wires it to the ledger. */
export interface MempoolChain {
  readonly chainId: Uint8Array;
  /** The height the next block will have. */
  nextHeight(): number;
  /**
   * True while the node is behind its peers (block sync): its height would refuse transactions
   * made for the network's height (TX_EXPIRY_TOO_FAR) and its committed ids are not all there.
   */
  catchingUp(): boolean;
  isCommitted(signed: SignedTx): Promise<boolean>;
  /** Throws a CareLedgerError (TX_UNKNOWN_TYPE, TX_PAYLOAD_INVALID) for a payload no module takes. */
  checkPayload(signed: SignedTx): void;
  /**
   * Throws SENDER_UNKNOWN (or IDENTITY_REVOKED) for a sender that is neither a registered,
   * unrevoked identity, an organization admin nor a member's node key: a block holding its
   * transaction is invalid.
   */
  checkSender(signed: SignedTx): Promise<void>;
}

interface Entry {
  readonly signed: SignedTx;
  readonly admittedAtMs: number;
  /** Admission order: entries with a lower number were admitted before. */
  readonly seq: number;
  /** When this node last sent it to its peers (or got it from one): admission, or a re-gossip. */
  gossipedAtMs: number;
  /** Height of the in-flight proposal that holds it, if any. */
  proposedAt: number | null;
}

/**
 * Transactions admitted and not yet committed. Admission checks size, encoding, chain, expiry,
 * duplicates, payload, sender and signature, in order of cost; when full it refuses with `MEMPOOL_FULL`
 * and never grows. An admitted transaction leaves only by committing or expiring: nothing
 * admitted is silently evicted.
 */
export class Mempool {
  private readonly entries = new Map<string, Entry>();
  /**
   * The entries in no in-flight proposal, oldest first, so taking a proposal and asking whether
   * anything waits cost what they return, not the size of the pool.
   */
  private readonly unproposed = new Map<string, Entry>();
  private bytes = 0;
  /**
   * Transactions verified while executing a proposal that reached this node before their gossip
   * did (under load, admission lags behind consensus): their signatures are not checked again
   * when the gossip arrives. 13% of a validator's verifications were of this kind under `pnpm
   * bench` at 1,200 tx/s. Oldest first, bounded.
   */
  private readonly verifiedInBlocks = new Set<string>();
  /**
   * Ids by expiry height, so a commit removes what expired without scanning the whole pool: the
   * scan was 1.1% of the primary's busy time at 1,200 tx/s, and grew with the backlog exactly
   * when the node was overloaded.
   */
  private readonly byExpiry = new Map<number, Set<string>>();
  private seq = 0;
  /**
   * The request timer (PBFT's): it runs for one waiting transaction, `timed`, the oldest when it
   * started. It stops when that one leaves (committed or expired) and starts again for the then
   * oldest, and a timeout restarts it for the same one. So a backlog longer than the timeout under
   * an honest primary, which commits the oldest first, never fires it, and a primary that keeps
   * committing others' transactions but censors one is still suspected within one timeout of
   * that one becoming the oldest. (Restarting on any commit hid such a censor for good.)
   */
  private timed: string | null = null;
  private requestTimerStartMs: number | null = null;
  /** When a commit last carried transactions, or the pool last went from empty to not. */
  private progressAtMs = 0;
  /**
   * `{seq, atMs}`: at `atMs` a block committed a transaction admitted here after every entry with
   * a lower `seq`. An entry still waiting long after it was overtaken most likely never reached
   * the primary (its gossip was lost): it is gossiped again. Ascending in both fields, bounded.
   */
  private readonly overtaken: { seq: number; atMs: number }[] = [];
  /** Entries below this `seq` were overtaken at least one re-gossip age ago. */
  private overtakenLongAgoSeq = 0;

  constructor(
    private readonly chain: MempoolChain,
    private readonly verifier: Verifier,
    private readonly limits: MempoolLimits = DEFAULT_MEMPOOL_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get byteSize(): number {
    return this.bytes;
  }

  /** Admits one encoded transaction, or throws a CareLedgerError saying why not. */
  async admit(bytes: Uint8Array): Promise<SignedTx> {
    if (bytes.byteLength > TX_BYTES_MAX) {
      throw new CareLedgerError("TX_TOO_LARGE", `${bytes.byteLength} bytes`, {
        bytesMax: TX_BYTES_MAX,
      });
    }
    if (this.chain.catchingUp()) {
      throw new CareLedgerError("NOT_READY", "node is catching up with its peers, retry later");
    }
    const signed = decodeTx(bytes);
    const { tx } = signed;
    if (!bytesEqual(tx.chain, this.chain.chainId)) throw new CareLedgerError("TX_WRONG_CHAIN");
    const next = this.chain.nextHeight();
    if (tx.expires < next) {
      throw new CareLedgerError("TX_EXPIRED", `expired at ${tx.expires}, next height ${next}`);
    }
    if (tx.expires > next + TX_TTL_MAX) {
      throw new CareLedgerError(
        "TX_EXPIRY_TOO_FAR",
        `expires ${tx.expires}, at most ${next + TX_TTL_MAX}`,
      );
    }
    const id = toHex(signed.id);
    this.checkRoom(id, bytes.byteLength);
    this.chain.checkPayload(signed);
    if (await this.chain.isCommitted(signed)) throw new CareLedgerError("TX_DUPLICATE");
    await this.chain.checkSender(signed);
    // Checked again: another admission of the same id may have finished while we waited.
    this.checkRoom(id, bytes.byteLength);
    if (!this.verifiedInBlocks.has(id) && !verifySignedTx(signed, this.verifier)) {
      throw new CareLedgerError("TX_BAD_SIGNATURE");
    }
    const now = this.now();
    this.seq += 1;
    const entry: Entry = {
      signed,
      admittedAtMs: now,
      seq: this.seq,
      gossipedAtMs: now,
      proposedAt: null,
    };
    this.entries.set(id, entry);
    if (this.timed === null) {
      this.progressAtMs = now;
      this.timed = id;
      this.requestTimerStartMs = now;
    }
    this.unproposed.set(id, entry);
    const expiring = this.byExpiry.get(tx.expires);
    if (expiring === undefined) this.byExpiry.set(tx.expires, new Set([id]));
    else expiring.add(id);
    this.bytes += signed.bytes.byteLength;
    return signed;
  }

  private checkRoom(id: string, byteLength: number): void {
    if (this.entries.has(id)) throw new CareLedgerError("TX_DUPLICATE");
    if (this.entries.size >= this.limits.txsMax || this.bytes + byteLength > this.limits.bytesMax) {
      throw new CareLedgerError("MEMPOOL_FULL");
    }
  }

  has(idHex: string): boolean {
    return this.entries.has(idHex);
  }

  /** The admitted transaction with this id, so a proposal holding it need not decode it again. */
  get(id: Uint8Array): SignedTx | undefined {
    return this.entries.get(toHex(id))?.signed;
  }

  /** A proposal executed as valid: every signature in it was checked, by id. */
  noteVerified(idsHex: Iterable<string>): void {
    for (const id of idsHex) this.verifiedInBlocks.add(id);
    for (const id of this.verifiedInBlocks) {
      if (this.verifiedInBlocks.size <= VERIFIED_IN_BLOCKS_MAX) break;
      this.verifiedInBlocks.delete(id);
    }
  }

  /** Transactions whose signature was checked at admission: a block need not check them again. */
  isVerified(idHex: string): boolean {
    return this.entries.has(idHex);
  }

  /**
   * Up to `count` transactions, oldest first, that are in no in-flight proposal and can still
   * commit at `height`, whose bytes (each with `txFrameBytes`) stay within `bytesMax`; they are
   * marked as proposed at that height. The first that does not fit ends the batch, so the oldest
   * waiting one is never passed over for smaller, younger ones.
   */
  takeForProposal(
    height: number,
    count: number,
    bytesMax = Number.POSITIVE_INFINITY,
    txFrameBytes = 0,
  ): SignedTx[] {
    const batch: SignedTx[] = [];
    let bytes = 0;
    for (const [id, entry] of this.unproposed) {
      if (batch.length >= count) break;
      if (entry.signed.tx.expires < height) continue;
      bytes += entry.signed.bytes.byteLength + txFrameBytes;
      if (bytes > bytesMax) break;
      entry.proposedAt = height;
      this.unproposed.delete(id);
      batch.push(entry.signed);
    }
    return batch;
  }

  /** A proposal at `height` was abandoned (view change): its transactions may be proposed again. */
  releaseProposal(height: number): void {
    let released = false;
    for (const entry of this.entries.values()) {
      if (entry.proposedAt === null || entry.proposedAt < height) continue;
      entry.proposedAt = null;
      released = true;
    }
    if (!released) return;
    // Rebuilt in admission order, so the oldest waiting transactions are proposed first again.
    this.unproposed.clear();
    for (const [id, entry] of this.entries)
      if (entry.proposedAt === null) this.unproposed.set(id, entry);
  }

  /**
   * Transactions a proposal left out only because the block was full (`blockTxsMax`): they wait
   * for the next proposal again, behind those already waiting.
   */
  unpropose(idsHex: readonly string[]): void {
    for (const id of idsHex) {
      const entry = this.entries.get(id);
      if (entry === undefined || entry.proposedAt === null) continue;
      entry.proposedAt = null;
      this.unproposed.set(id, entry);
    }
  }

  /**
   * Transactions a proposal left out. One that an in-flight block below it holds
   * (`heldAt` gives that block's height) stays, counted as proposed there, so it is proposed
   * again if that block is abandoned; the others (committed or expired) leave. Dropping the
   * first kind too lost it for good when a view change re-proposed the block that held it and
   * a later view abandoned that block.
   */
  leftOut(idsHex: readonly string[], heldAt: (idHex: string) => number | null): void {
    for (const id of idsHex) {
      const height = heldAt(id);
      const entry = this.entries.get(id);
      if (height === null || entry === undefined) {
        this.remove(id);
        continue;
      }
      entry.proposedAt = height;
      this.unproposed.delete(id);
    }
  }

  /** Whether some transaction waits for a proposal. */
  hasUnproposed(): boolean {
    return this.unproposed.size > 0;
  }

  /** How many transactions wait for a proposal. */
  get unproposedCount(): number {
    return this.unproposed.size;
  }

  /**
   * Whether the request timer ran past `timeoutMs`: the transaction it runs for waited that long
   * since it became the oldest (a primary that stalls or censors it). The timer restarts, so a
   * stall asks for one view change per timeout, not one per check.
   */
  takeLate(timeoutMs: number): boolean {
    const now = this.now();
    if (this.requestTimerStartMs === null || now - this.requestTimerStartMs <= timeoutMs) {
      return false;
    }
    this.requestTimerStartMs = now;
    return true;
  }

  /**
   * Up to `count` transactions to gossip again, oldest first, none sent within `ageMs`: all that
   * wait while nothing committed for `ageMs` (the primary may lack them), else those that later
   * transactions overtook at least `ageMs` ago (a lost gossip batch stranded them here). Gossip
   * is otherwise sent once; the node calls this at half the request timeout, so a stranded
   * transaction reaches the primary before this node suspects it.
   */
  takeForRegossip(ageMs: number, batch: RegossipBatchLimits): Uint8Array[] {
    const now = this.now();
    const cutoff = now - ageMs;
    for (let mark = this.overtaken[0]; mark !== undefined && mark.atMs <= cutoff; ) {
      this.overtakenLongAgoSeq = mark.seq;
      this.overtaken.shift();
      mark = this.overtaken[0];
    }
    const stalled = this.entries.size > 0 && this.progressAtMs <= cutoff;
    const taken: Uint8Array[] = [];
    let bytes = 0;
    // Entries iterate in admission order, so the overtaken ones come first.
    for (const entry of this.entries.values()) {
      if (taken.length >= batch.count || (!stalled && entry.seq >= this.overtakenLongAgoSeq)) break;
      if (entry.gossipedAtMs > cutoff) continue;
      // The batch must fit one gossip frame: one that did not was never sent, and the same
      // oldest entries were picked (and dropped) again at every check.
      const itemBytes = entry.signed.bytes.byteLength + batch.itemOverheadBytes;
      if (bytes + itemBytes > batch.bytesMax) break;
      bytes += itemBytes;
      entry.gossipedAtMs = now;
      taken.push(entry.signed.bytes);
    }
    return taken;
  }

  /** When an admitted transaction entered the pool, for commit latency; null if unknown. */
  admittedAt(idHex: string): number | null {
    return this.entries.get(idHex)?.admittedAtMs ?? null;
  }

  /**
   * A block committed: its transactions leave, and so does whatever has expired (the request
   * timer moves on when the one it runs for leaves, in `remove`).
   */
  onCommitted(height: number, idsHex: readonly string[]): void {
    let newest = 0;
    for (const id of idsHex) newest = Math.max(newest, this.entries.get(id)?.seq ?? 0);
    for (const id of idsHex) this.remove(id);
    for (const [expires, ids] of this.byExpiry) {
      if (expires > height) continue;
      for (const id of ids) this.remove(id);
    }
    const now = this.now();
    this.markOvertaken(newest, now);
    if (idsHex.length > 0) this.progressAtMs = now;
  }

  private markOvertaken(seq: number, atMs: number): void {
    const last = this.overtaken.at(-1);
    if (seq <= Math.max(last?.seq ?? 0, this.overtakenLongAgoSeq)) return;
    // Past the bound the newest mark moves up: a later time, so never an early re-gossip.
    if (last !== undefined && this.overtaken.length >= OVERTAKEN_MARKS_MAX) {
      last.seq = seq;
      last.atMs = atMs;
      return;
    }
    this.overtaken.push({ seq, atMs });
  }

  private remove(id: string): void {
    const entry = this.entries.get(id);
    if (entry === undefined) return;
    this.entries.delete(id);
    this.unproposed.delete(id);
    const { expires } = entry.signed.tx;
    const expiring = this.byExpiry.get(expires);
    expiring?.delete(id);
    if (expiring?.size === 0) this.byExpiry.delete(expires);
    this.bytes -= entry.signed.bytes.byteLength;
    if (id === this.timed) this.retime();
  }

  /** The request timer starts again for the oldest waiting transaction, or stops. */
  private retime(): void {
    const oldest = this.entries.keys().next();
    this.timed = oldest.done === true ? null : oldest.value;
    this.requestTimerStartMs = this.timed === null ? null : this.now();
  }
}
