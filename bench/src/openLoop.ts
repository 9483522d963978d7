/**
 * The open-loop schedule: transaction i is due at `startMs + i * 1000 / rate`, whatever happened
 * to earlier ones. Latency is measured from that due time, so a slow server cannot hide its delay
 * by slowing the sender (no coordinated omission).
 */
export interface Schedule {
  readonly startMs: number;
  /** Offered rate, transactions per second. */
  readonly rate: number;
  /** Transactions in the whole schedule. */
  readonly count: number;
}

export function scheduledAtMs(schedule: Schedule, index: number): number {
  return schedule.startMs + (index * 1000) / schedule.rate;
}

/** How many transactions are due at `nowMs` (all of them once the schedule has run out). */
export function dueCount(schedule: Schedule, nowMs: number): number {
  if (nowMs < schedule.startMs) return 0;
  const due = Math.floor(((nowMs - schedule.startMs) * schedule.rate) / 1000) + 1;
  return Math.min(due, schedule.count);
}

/** Transactions needed for `seconds` at `rate`. */
export function countFor(rate: number, seconds: number): number {
  return Math.max(1, Math.round(rate * seconds));
}

/** Splits the index range [from, to) into consecutive batches of at most `batchMax`. */
export function batchesOf(from: number, to: number, batchMax: number): Array<[number, number]> {
  if (!Number.isInteger(batchMax) || batchMax < 1) throw new RangeError("batchMax must be >= 1");
  const batches: Array<[number, number]> = [];
  for (let start = from; start < to; start += batchMax) {
    batches.push([start, Math.min(to, start + batchMax)]);
  }
  return batches;
}
