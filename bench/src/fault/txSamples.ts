/**
 * What a fault run's load generator sends back about every transaction of its schedule, so that
 * the parent, which knows when it killed and restarted a node, can cut the run into seconds and
 * phases (timeline.ts). Times are milliseconds from the start of the measured window; the
 * window's start is also given on the wall clock, which both processes share.
 */
export interface TxSamples {
  /** The window's start, `performance.timeOrigin + performance.now()` in the load generator. */
  readonly windowStartEpochMs: number;
  readonly windowMs: number;
  /** Scheduled send time of each transaction (negative in the warm-up). */
  readonly scheduledMs: readonly number[];
  /** When its commit event arrived, or null if it never did before the end of the drain. */
  readonly committedMs: ReadonlyArray<number | null>;
  /** 1 if a node answered the submission with the transaction's id, else 0. */
  readonly accepted: readonly number[];
}

/** What samplesOf reads of a step tracker. */
export interface TrackedTxs {
  readonly size: number;
  committedAtMs(index: number): number | null;
  isAdmitted(index: number): boolean;
}

const tenth = (ms: number) => Math.round(ms * 10) / 10;

export function samplesOf(
  tracked: TrackedTxs,
  scheduledAtMs: (index: number) => number,
  window: { readonly startMs: number; readonly endMs: number },
): TxSamples {
  const scheduledMs: number[] = [];
  const committedMs: Array<number | null> = [];
  const accepted: number[] = [];
  for (let i = 0; i < tracked.size; i++) {
    scheduledMs.push(tenth(scheduledAtMs(i) - window.startMs));
    const committed = tracked.committedAtMs(i);
    committedMs.push(committed === null ? null : tenth(committed - window.startMs));
    accepted.push(tracked.isAdmitted(i) ? 1 : 0);
  }
  return {
    windowStartEpochMs: performance.timeOrigin + window.startMs,
    windowMs: window.endMs - window.startMs,
    scheduledMs,
    committedMs,
    accepted,
  };
}
