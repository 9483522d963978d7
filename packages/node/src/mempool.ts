import {
  bytesEqual,
  CareLedgerError,
  decodeTx,
  type SignedTx,
  TX_BYTES_MAX,
  TX_TTL_MAX,
  toHex,
  type Verifier,
  verifyTx,
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
}

interface Entry {
  readonly signed: SignedTx;
  readonly admittedAtMs: number;
  /** When the request timeout last started for it: admission, or the last timeout it caused. */
  waitingSinceMs: number;
  /** Height of the in-flight proposal that holds it, if any. */
  proposedAt: number | null;
}

/**
 * Transactions admitted and not yet committed. Admission checks size, encoding, chain, expiry,
 * duplicates, payload and signature, in order of cost; when full it refuses with `MEMPOOL_FULL`
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
    // Checked again: another admission of the same id may have finished while we waited.
    this.checkRoom(id, bytes.byteLength);
    if (!this.verifiedInBlocks.has(id) && !verifyTx(tx, this.verifier)) {
      throw new CareLedgerError("TX_BAD_SIGNATURE");
    }
    const now = this.now();
    const entry: Entry = { signed, admittedAtMs: now, waitingSinceMs: now, proposedAt: null };
    this.entries.set(id, entry);
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
   * commit at `height`; they are marked as proposed at that height.
   */
  takeForProposal(height: number, count: number): SignedTx[] {
    const batch: SignedTx[] = [];
    for (const [id, entry] of this.unproposed) {
      if (batch.length >= count) break;
      if (entry.signed.tx.expires < height) continue;
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

  /** Transactions a proposer found it could not include (duplicate or expired): they leave. */
  discard(idsHex: readonly string[]): void {
    for (const id of idsHex) this.remove(id);
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
   * Whether some transaction has waited longer than `timeoutMs` without committing (a primary
   * that stalls or censors). Their clocks restart, so one stuck transaction asks for one view
   * change per timeout, not one per check.
   */
  takeLate(timeoutMs: number): boolean {
    const now = this.now();
    let late = false;
    for (const entry of this.entries.values()) {
      if (now - entry.waitingSinceMs <= timeoutMs) continue;
      entry.waitingSinceMs = now;
      late = true;
    }
    return late;
  }

  /** When an admitted transaction entered the pool, for commit latency; null if unknown. */
  admittedAt(idHex: string): number | null {
    return this.entries.get(idHex)?.admittedAtMs ?? null;
  }

  /** A block committed: its transactions leave, and so does whatever has expired. */
  onCommitted(height: number, idsHex: readonly string[]): void {
    for (const id of idsHex) this.remove(id);
    for (const [expires, ids] of this.byExpiry) {
      if (expires > height) continue;
      for (const id of ids) this.remove(id);
    }
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
  }
}
