/** f: the most faulty validators that n validators tolerate. */
export function faultyMax(validatorCount: number): number {
  return Math.floor((validatorCount - 1) / 3);
}

/**
 * The quorum size q = ceil((n + f + 1) / 2): any two quorums share at least f + 1 validators, so
 * at least one honest one, for every n (2f + 1 when n = 3f + 1).
 */
export function quorumSize(validatorCount: number): number {
  return Math.ceil((validatorCount + faultyMax(validatorCount) + 1) / 2);
}
