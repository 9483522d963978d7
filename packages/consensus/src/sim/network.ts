import type { Prng } from "./prng.js";

/** How hostile the network is; after stabilisation the simulator switches to `calm`. */
export interface NetworkConditions {
  readonly dropRate: number;
  readonly duplicateRate: number;
  /** Share of messages whose delay follows a heavy-tailed (Pareto) law instead of uniform. */
  readonly heavyTailRate: number;
  readonly delayMinMs: number;
  readonly delayMaxMs: number;
  /** Cap of heavy-tailed delays. */
  readonly delayTailMaxMs: number;
}

export const CALM_NETWORK: NetworkConditions = {
  dropRate: 0,
  duplicateRate: 0,
  heavyTailRate: 0,
  delayMinMs: 1,
  delayMaxMs: 20,
  delayTailMaxMs: 20,
};

/** Pareto shape of heavy-tailed delays: most are short, a few very long. */
const TAIL_SHAPE = 1.2;

/**
 * Decides the fate of each message: dropped, or delivered after a delay (once or twice).
 * Random delays reorder messages. Partitions split the nodes into groups that cannot talk.
 */
export class Network {
  conditions: NetworkConditions;
  /** Group of each node; nodes in different groups cannot reach each other. */
  private groups: number[];
  private readonly prng: Prng;

  constructor(prng: Prng, conditions: NetworkConditions, nodeCount: number) {
    this.prng = prng;
    this.conditions = conditions;
    this.groups = new Array<number>(nodeCount).fill(0);
  }

  partition(groups: readonly number[]): void {
    this.groups = [...groups];
  }

  heal(): void {
    this.groups = this.groups.map(() => 0);
  }

  get partitioned(): boolean {
    return this.groups.some((group) => group !== this.groups[0]);
  }

  /** Delays (ms) after which copies of a message from `from` to `to` arrive; empty if lost. */
  fate(from: number, to: number): number[] {
    if (this.groups[from] !== this.groups[to]) return [];
    const conditions = this.conditions;
    if (this.prng.chance(conditions.dropRate)) return [];
    const copies = this.prng.chance(conditions.duplicateRate) ? 2 : 1;
    const delays: number[] = [];
    for (let copy = 0; copy < copies; copy++) delays.push(this.delay());
    return delays;
  }

  private delay(): number {
    const c = this.conditions;
    if (this.prng.chance(c.heavyTailRate)) {
      return Math.round(this.prng.pareto(c.delayMinMs, TAIL_SHAPE, c.delayTailMaxMs));
    }
    return this.prng.int(c.delayMinMs, c.delayMaxMs);
  }
}
