import {
  bytesEqual,
  type ConsensusParams,
  faultyMax,
  quorumSize,
  VALIDATORS_MIN,
  type ValidatorSet,
} from "@careledger/protocol";

/** A validator set and the first height it governs. */
export interface Epoch {
  readonly from: number;
  readonly validators: ValidatorSet;
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
    this.epochs = [{ from: 1, validators: genesis }];
  }

  /** Records a committed change; false (ignored) if it would leave fewer than 4 validators. */
  schedule(decidedAt: number, validators: ValidatorSet, params: ConsensusParams): boolean {
    if (validators.length < VALIDATORS_MIN) return false;
    const from = activationHeight(decidedAt, params);
    const kept = this.epochs.filter((epoch) => epoch.from < from);
    this.epochs = [...kept, { from, validators }].slice(-EPOCHS_KEPT_MAX);
    return true;
  }

  setAt(height: number): ValidatorSet {
    let found = this.epochs[0]?.validators ?? [];
    for (const epoch of this.epochs) if (epoch.from <= height) found = epoch.validators;
    return found;
  }

  /** The last height governed by the set of `height` (the next boundary), or Infinity. */
  lastHeightOfEpoch(height: number): number {
    const next = this.epochs.find((epoch) => epoch.from > height);
    return next === undefined ? Number.POSITIVE_INFINITY : next.from - 1;
  }

  indexOf(height: number, key: Uint8Array): number {
    return this.setAt(height).findIndex((member) => bytesEqual(member, key));
  }

  faulty(height: number): number {
    return faultyMax(this.setAt(height).length);
  }
}

export const defaultQuorum = quorumSize;
