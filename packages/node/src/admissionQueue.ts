import { CareLedgerError, type SignedTx } from "@careledger/protocol";
import { RateMeter, SHED_RETRY_AFTER_S } from "./loadShedder.js";

/** Transactions admitted in one turn of the event loop; about 6 ms of decoding and verifying. */
export const ADMISSION_SLICE_TXS = 64;
/** Transactions waiting for admission; past this a client or peer is told MEMPOOL_FULL. */
export const ADMISSION_WAITING_MAX = 20_000;
/** Bytes of transactions waiting for admission; past this, MEMPOOL_FULL as well. */
export const ADMISSION_WAITING_BYTES_MAX = 32 * 1024 * 1024;

/**
 * A client's transaction is refused (MEMPOOL_FULL) once more wait than this queue admitted in
 * the last second, but never below this many: a client whose transaction would wait longer is
 * better told to retry than kept waiting past its own timeout (a 10x flood left most requests
 * unanswered after 35 s). Gossip waits within the hard bounds only: its clients were answered.
 */
export const ADMISSION_CLIENT_BACKLOG_FLOOR_TXS = 1_024;
/** The span over which the admission rate is measured: the backlog allowed is one such span. */
const ADMISSION_RATE_SPAN_MS = 1_000;

export interface AdmissionLimits {
  readonly sliceTxs: number;
  readonly waitingMax: number;
  readonly waitingBytesMax: number;
  readonly clientBacklogFloorTxs: number;
}

export const DEFAULT_ADMISSION_LIMITS: AdmissionLimits = {
  sliceTxs: ADMISSION_SLICE_TXS,
  waitingMax: ADMISSION_WAITING_MAX,
  waitingBytesMax: ADMISSION_WAITING_BYTES_MAX,
  clientBacklogFloorTxs: ADMISSION_CLIENT_BACKLOG_FLOOR_TXS,
};

interface Waiting {
  readonly bytes: Uint8Array;
  readonly fromClient: boolean;
  readonly done: (signed: SignedTx) => void;
  readonly fail: (error: unknown) => void;
}

/**
 * Admits transactions a slice at a time, one slice per turn of the event loop. A gossip message
 * or an HTTP batch carries up to 512 transactions; admitted all at once they held the event loop
 * for up to a few hundred milliseconds (measured under `pnpm bench`: event-loop delay p99 200-500
 * ms at 1,000 tx/s), and consensus messages waited behind them. Between slices the replica's
 * votes, timers and commits run. What waits is bounded in count and in bytes, so a flood of
 * large transactions from a peer cannot pin memory before the mempool's own bounds apply.
 */
export class AdmissionQueue {
  private readonly waiting: Waiting[] = [];
  private waitingBytes = 0;
  private scheduled = false;
  private readonly admitted: RateMeter;

  constructor(
    private readonly admitOne: (bytes: Uint8Array, fromClient: boolean) => Promise<SignedTx>,
    private readonly limits: AdmissionLimits = DEFAULT_ADMISSION_LIMITS,
    now: () => number = Date.now,
  ) {
    this.admitted = new RateMeter(ADMISSION_RATE_SPAN_MS, now);
  }

  get length(): number {
    return this.waiting.length;
  }

  admit(bytes: Uint8Array, fromClient: boolean): Promise<SignedTx> {
    if (
      this.waiting.length >= this.limits.waitingMax ||
      this.waitingBytes + bytes.byteLength > this.limits.waitingBytesMax
    ) {
      return Promise.reject(new CareLedgerError("MEMPOOL_FULL", "admission queue is full"));
    }
    if (fromClient && this.waiting.length >= this.clientBacklogMax()) {
      return Promise.reject(
        new CareLedgerError("MEMPOOL_FULL", "more wait for admission than a second admits", {
          retryAfterS: SHED_RETRY_AFTER_S,
        }),
      );
    }
    this.waitingBytes += bytes.byteLength;
    return new Promise((done, fail) => {
      this.waiting.push({ bytes, fromClient, done, fail });
      this.schedule();
    });
  }

  private clientBacklogMax(): number {
    return Math.max(this.limits.clientBacklogFloorTxs, this.admitted.perSecond());
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // Every item's outcome goes to its own caller, so runSlice itself never rejects.
    setImmediate(() => this.runSlice().catch(() => undefined));
  }

  private async runSlice(): Promise<void> {
    const slice = this.waiting.splice(0, this.limits.sliceTxs);
    for (const item of slice) this.waitingBytes -= item.bytes.byteLength;
    this.admitted.add(slice.length);
    // Through a promise, so that even a synchronous throw reaches its caller and the queue runs on.
    await Promise.all(
      slice.map((item) =>
        Promise.resolve()
          .then(() => this.admitOne(item.bytes, item.fromClient))
          .then(item.done, item.fail),
      ),
    );
    this.scheduled = false;
    if (this.waiting.length > 0) this.schedule();
  }
}
