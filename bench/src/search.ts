/**
 * The search for the highest offered rate that a system holds: multiply the rate while steps
 * pass (divide it while they fail), then bisect between the highest pass and the lowest failure
 * a fixed number of times.
 */
export interface SearchPlan {
  readonly startRate: number;
  readonly growth: number;
  readonly bisections: number;
  /** The search never offers more than this. */
  readonly rateMax: number;
  /** Most steps one search runs, whatever is left to try. */
  readonly stepsMax: number;
}

export const FULL_SEARCH: SearchPlan = {
  startRate: 500,
  growth: 1.5,
  bisections: 2,
  rateMax: 20_000,
  stepsMax: 8,
};
/** Quick mode: three short steps, to stay under a minute with cluster start-up. */
export const QUICK_SEARCH: SearchPlan = {
  startRate: 400,
  growth: 2,
  bisections: 1,
  rateMax: 20_000,
  stepsMax: 3,
};

/** Rates are rounded to this step so that runs compare. */
const RATE_STEP = 50;

const roundRate = (rate: number) => Math.max(RATE_STEP, Math.round(rate / RATE_STEP) * RATE_STEP);

export class RateSearch {
  private passed: number | null = null;
  private failed: number | null = null;
  private bisectionsDone = 0;
  private steps = 0;
  private pending: number | null;

  constructor(private readonly plan: SearchPlan) {
    this.pending = roundRate(Math.min(plan.startRate, plan.rateMax));
  }

  /** The next rate to try, or null when the search is over. */
  next(): number | null {
    return this.pending;
  }

  /** The highest rate that passed so far, or null. */
  best(): number | null {
    return this.passed;
  }

  record(rate: number, passed: boolean): void {
    if (passed) this.passed = Math.max(this.passed ?? 0, rate);
    else this.failed = Math.min(this.failed ?? Number.POSITIVE_INFINITY, rate);
    this.steps += 1;
    this.pending = this.steps >= this.plan.stepsMax ? null : this.choose();
  }

  private choose(): number | null {
    if (this.failed === null) {
      const current = this.passed ?? 0;
      if (current >= this.plan.rateMax) return null;
      return roundRate(Math.min(this.plan.rateMax, current * this.plan.growth));
    }
    if (this.passed === null) {
      // Nothing held yet: step down until something does (the floor ends the search).
      const lower = roundRate(this.failed / this.plan.growth);
      return lower < this.failed ? lower : null;
    }
    if (this.bisectionsDone >= this.plan.bisections) return null;
    const low = this.passed;
    const middle = roundRate((low + this.failed) / 2);
    if (middle <= low || middle >= this.failed) return null;
    this.bisectionsDone += 1;
    return middle;
  }
}

export interface StepVerdictInput {
  readonly rate: number;
  readonly tps: number;
  readonly p99Ms: number;
  readonly lost: number;
  readonly refused: number;
}

/** Below this p99 a rate holds. */
export const P99_LIMIT_MS = 1_000;
/** A rate holds only if the window committed at least this share of it. */
export const KEEP_UP_SHARE = 0.95;

export function stepPasses(step: StepVerdictInput): boolean {
  return (
    step.p99Ms < P99_LIMIT_MS &&
    step.lost === 0 &&
    step.refused === 0 &&
    step.tps >= KEEP_UP_SHARE * step.rate
  );
}
