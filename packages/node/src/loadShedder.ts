import { CareLedgerError } from "@careledger/protocol";

/** Width of one bucket of a rate meter. */
const BUCKET_MS = 250;

/** Events counted over a sliding span, in buckets of 250 ms. */
export class RateMeter {
  private readonly counts: number[];
  private readonly starts: number[];

  constructor(
    private readonly spanMs: number,
    private readonly now: () => number = Date.now,
  ) {
    const buckets = Math.max(1, Math.ceil(spanMs / BUCKET_MS));
    this.counts = new Array<number>(buckets).fill(0);
    this.starts = new Array<number>(buckets).fill(-Infinity);
  }

  add(count: number): void {
    const start = Math.floor(this.now() / BUCKET_MS) * BUCKET_MS;
    const index = (start / BUCKET_MS) % this.counts.length;
    if (this.starts[index] !== start) {
      this.starts[index] = start;
      this.counts[index] = 0;
    }
    this.counts[index] = (this.counts[index] ?? 0) + count;
  }

  /** Events per second over the span that ends now (the current bucket counts in full). */
  perSecond(): number {
    const oldest = this.now() - this.spanMs;
    let sum = 0;
    this.counts.forEach((count, index) => {
      if ((this.starts[index] ?? -Infinity) > oldest) sum += count;
    });
    return (sum * 1_000) / this.spanMs;
  }
}

/**
 * Client transactions a node takes on beyond what it works off are answers it gives late or
 * never: under a 10x flood the pool filled with 50,000 transactions, about 50 s of commits, and
 * latency came back 74 s after the flood. So a client submission is refused at once with
 * MEMPOOL_FULL (503, Retry-After) when the pool already holds more than a few seconds of what
 * the chain commits. Transactions from peers are not shed here: their clients were answered.
 */
export const POOL_BACKLOG_MS = 2_000;
/** Pool size never shed below: a quiet chain commits little, and a first burst must get in. */
export const POOL_BACKLOG_FLOOR_TXS = 2_000;
/** Span over which the commit rate is measured. */
const COMMIT_RATE_SPAN_MS = 8_000;
/** What a client is told to wait before it retries, in seconds (the Retry-After header). */
export const SHED_RETRY_AFTER_S = 1;

export class LoadShedder {
  private readonly commits: RateMeter;

  constructor(now: () => number = Date.now) {
    // Over several seconds: commits come in blocks, a one-second view of them is jumpy.
    this.commits = new RateMeter(COMMIT_RATE_SPAN_MS, now);
  }

  noteCommitted(txs: number): void {
    this.commits.add(txs);
  }

  /** Throws MEMPOOL_FULL when the pool holds more than POOL_BACKLOG_MS of commits. */
  checkPool(poolTxs: number): void {
    const backlogMax = Math.max(
      POOL_BACKLOG_FLOOR_TXS,
      (this.commits.perSecond() * POOL_BACKLOG_MS) / 1_000,
    );
    if (poolTxs >= backlogMax) {
      throw new CareLedgerError("MEMPOOL_FULL", "the node is working off a backlog", {
        retryAfterS: SHED_RETRY_AFTER_S,
      });
    }
  }
}
