import {
  type ConsensusParams,
  faultyMax,
  toHex,
  VALIDATORS_MIN,
  type ValidatorSet,
} from "@careledger/protocol";

/** A validator set and the first height it governs. */
export interface Epoch {
  readonly from: number;
  readonly validators: ValidatorSet;
  /** Index of each member by hex key, so membership checks cost one lookup. */
  readonly indexes: ReadonlyMap<string, number>;
}

function epoch(from: number, validators: ValidatorSet): Epoch {
  return {
    from,
    validators,
    indexes: new Map(validators.map((key, index) => [toHex(key), index])),
  };
}

/** Most epochs remembered; older ones govern only heights far below every in-flight height. */
export const EPOCHS_KEPT_MAX = 8;

/**
 * The first height a change decided at `decidedAt` governs: the height after the first checkpoint
 * at or after `decidedAt + window`, so every height in flight when it was decided keeps the
 * set it was proposed under.
 */
export function activationHeight(decidedAt: number, params: ConsensusParams): number {
  const earliest = decidedAt + params.window;
  const checkpoint = Math.ceil(earliest / params.checkpointInterval) * params.checkpointInterval;
  return checkpoint + 1;
}

export class ValidatorSchedule {
  private epochs: Epoch[];

  constructor(genesis: ValidatorSet) {
    this.epochs = [epoch(1, genesis)];
  }

  /** Records a committed change; false (ignored) if it would leave fewer than 4 validators. */
  schedule(decidedAt: number, validators: ValidatorSet, params: ConsensusParams): boolean {
    if (validators.length < VALIDATORS_MIN) return false;
    const from = activationHeight(decidedAt, params);
    const kept = this.epochs.filter((epoch) => epoch.from < from);
    this.epochs = [...kept, epoch(from, validators)].slice(-EPOCHS_KEPT_MAX);
    return true;
  }

  private epochAt(height: number): Epoch | undefined {
    let found = this.epochs[0];
    for (const each of this.epochs) if (each.from <= height) found = each;
    return found;
  }

  setAt(height: number): ValidatorSet {
    return this.epochAt(height)?.validators ?? [];
  }

  /** The last height governed by the set of `height` (the next boundary), or Infinity. */
  lastHeightOfEpoch(height: number): number {
    const next = this.epochs.find((epoch) => epoch.from > height);
    return next === undefined ? Number.POSITIVE_INFINITY : next.from - 1;
  }

  indexOf(height: number, key: Uint8Array): number {
    return this.indexOfHex(height, toHex(key));
  }

  indexOfHex(height: number, hex: string): number {
    return this.epochAt(height)?.indexes.get(hex) ?? -1;
  }

  faulty(height: number): number {
    return faultyMax(this.setAt(height).length);
  }
}
