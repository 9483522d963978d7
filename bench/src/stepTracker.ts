import { LatencyRecorder, type LatencySummary } from "./latency.js";

export interface StepWindow {
  /** Start of the measured window (after warm-up), ms on the load generator's clock. */
  readonly startMs: number;
  readonly endMs: number;
}

export interface StepOutcome {
  readonly offered: number;
  readonly admitted: number;
  /** Refused at submission, by error code (not lost: the client was told). */
  readonly refused: Record<string, number>;
  readonly committed: number;
  /** Admitted and never committed by the end of the drain period. */
  readonly lost: number;
  /** Committed with a failed receipt, by code (business-rule failures, still committed). */
  readonly failedReceipts: Record<string, number>;
  /** Transactions committed inside the window, per second of window. */
  readonly tps: number;
  readonly blocksPerS: number;
  /** Latency from scheduled send to observed commit, of transactions scheduled in the window. */
  readonly latency: LatencySummary;
}

const count = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);

/** Everything one load step observed, per transaction index of the schedule. */
export class StepTracker {
  private readonly committedAt: Float64Array;
  private readonly admittedFlags: Uint8Array;
  private readonly refusedCodes = new Map<string, number>();
  private readonly failedCodes = new Map<string, number>();
  private readonly index = new Map<string, number>();
  private admittedCount = 0;
  private committedCount = 0;
  private refusedCount = 0;
  private blocksInWindow = 0;

  constructor(
    private readonly scheduledAt: (index: number) => number,
    readonly size: number,
    private readonly window: StepWindow,
    ids: readonly string[] = [],
  ) {
    this.committedAt = new Float64Array(size).fill(Number.NaN);
    this.admittedFlags = new Uint8Array(size);
    for (const [i, id] of ids.entries()) this.index.set(id, i);
  }

  indexOf(idHex: string): number | undefined {
    return this.index.get(idHex);
  }

  /** When transaction i's commit was seen (ms, performance.now()), or null. */
  committedAtMs(i: number): number | null {
    const at = this.committedAt[i] as number;
    return Number.isNaN(at) ? null : at;
  }

  isAdmitted(i: number): boolean {
    return this.admittedFlags[i] === 1;
  }

  admit(i: number): void {
    if (this.admittedFlags[i] === 1) return;
    this.admittedFlags[i] = 1;
    this.admittedCount += 1;
  }

  refuse(code: string): void {
    this.refusedCount += 1;
    count(this.refusedCodes, code);
  }

  commit(i: number, nowMs: number, ok: boolean, code: string | undefined): void {
    if (!Number.isNaN(this.committedAt[i] as number)) return;
    this.committedAt[i] = nowMs;
    this.committedCount += 1;
    if (!ok) count(this.failedCodes, code ?? "UNKNOWN");
  }

  block(nowMs: number): void {
    if (nowMs >= this.window.startMs && nowMs < this.window.endMs) this.blocksInWindow += 1;
  }

  /** Admitted and not committed yet. */
  pending(): number {
    let pending = 0;
    for (let i = 0; i < this.size; i++) {
      if (this.admittedFlags[i] === 1 && Number.isNaN(this.committedAt[i] as number)) pending++;
    }
    return pending;
  }

  progress(): { admitted: number; committed: number; refused: number } {
    return {
      admitted: this.admittedCount,
      committed: this.committedCount,
      refused: this.refusedCount,
    };
  }

  outcome(): StepOutcome {
    const recorder = new LatencyRecorder();
    const { startMs, endMs } = this.window;
    let inWindow = 0;
    for (let i = 0; i < this.size; i++) {
      const committedAt = this.committedAt[i] as number;
      if (Number.isNaN(committedAt)) continue;
      if (committedAt >= startMs && committedAt < endMs) inWindow += 1;
      const scheduled = this.scheduledAt(i);
      if (scheduled >= startMs && scheduled < endMs) recorder.recordMs(committedAt - scheduled);
    }
    const windowS = (endMs - startMs) / 1000;
    return {
      offered: this.size,
      admitted: this.admittedCount,
      refused: Object.fromEntries(this.refusedCodes),
      committed: this.committedCount,
      lost: this.pending(),
      failedReceipts: Object.fromEntries(this.failedCodes),
      tps: Math.round(inWindow / windowS),
      blocksPerS: Math.round((this.blocksInWindow / windowS) * 10) / 10,
      latency: recorder.summary(),
    };
  }
}
