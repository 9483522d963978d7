import {
  type Canonical,
  type ConsensusParams,
  type GovernanceChange,
  toHex,
  type ValidatorSet,
} from "@careledger/protocol";
import type { StateAccess } from "../../state/blockState.js";

/**
 * State keys of what consensus runs on, in the governance module's namespace `gov/`: the
 * validator set, its parameters, scheduled changes.
 */
export const VALIDATORS_KEY = "gov/validators";
export const PARAMS_KEY = "gov/params";
export const SCHEDULED_KEY = "gov/scheduled";
export const CONSENSUS_KEYS = [VALIDATORS_KEY, PARAMS_KEY, SCHEDULED_KEY] as const;

export type ConsensusChange = Extract<
  GovernanceChange,
  { kind: "validator.add" | "validator.remove" | "param.set" }
>;

/** A passed change waiting for its height: the first checkpoint at or after decision + window. */
export interface ScheduledChange {
  readonly height: number;
  readonly proposal: string;
  readonly change: ConsensusChange;
}

export interface ConsensusConfig {
  readonly validators: ValidatorSet;
  readonly params: ConsensusParams;
}

export async function readConsensus(state: StateAccess): Promise<ConsensusConfig> {
  const validators = (await state.get(VALIDATORS_KEY)) as Uint8Array[] | null;
  const params = (await state.get(PARAMS_KEY)) as ConsensusParams | null;
  if (validators === null || params === null) throw new Error("state has no consensus config");
  return { validators, params };
}

export async function readScheduled(state: StateAccess): Promise<ScheduledChange[]> {
  return ((await state.get(SCHEDULED_KEY)) as ScheduledChange[] | null) ?? [];
}

export function writeScheduled(state: StateAccess, scheduled: readonly ScheduledChange[]): void {
  if (scheduled.length === 0) state.delete(SCHEDULED_KEY);
  else state.put(SCHEDULED_KEY, scheduled as unknown as Canonical);
}

/**
 * The first height a change decided at `decidedAt` applies to: the height after the first
 * checkpoint at or after decision + window (ARCHITECTURE.md). The checkpoint block itself is still
 * certified by the old set, as consensus (`activationHeight`) counts it, so both agree on which
 * set signs every height.
 */
export function effectiveHeight(decidedAt: number, params: ConsensusParams): number {
  const earliest = decidedAt + params.window;
  return Math.ceil(earliest / params.checkpointInterval) * params.checkpointInterval + 1;
}

export function applyChange(config: ConsensusConfig, change: ConsensusChange): ConsensusConfig {
  switch (change.kind) {
    case "validator.add":
      return { ...config, validators: [...config.validators, change.key] };
    case "validator.remove": {
      const hex = toHex(change.key);
      return { ...config, validators: config.validators.filter((key) => toHex(key) !== hex) };
    }
    case "param.set":
      return { ...config, params: { ...config.params, [change.name]: change.value } };
  }
}

/** The config after every scheduled change up to and including `height`. */
export function configAt(
  config: ConsensusConfig,
  scheduled: readonly ScheduledChange[],
  height: number,
): ConsensusConfig {
  let out = config;
  for (const entry of scheduled) if (entry.height <= height) out = applyChange(out, entry.change);
  return out;
}

/**
 * Runs before a block's transactions: the changes scheduled for this height take effect, so the
 * block's validatorsHash names the set that certifies it. Returns the config in force.
 */
export async function beginBlock(state: StateAccess, height: number): Promise<ConsensusConfig> {
  const config = await readConsensus(state);
  const scheduled = await readScheduled(state);
  const due = scheduled.filter((entry) => entry.height <= height);
  if (due.length === 0) return config;
  const next = configAt(config, due, height);
  state.put(VALIDATORS_KEY, next.validators as Uint8Array[]);
  state.put(PARAMS_KEY, next.params as unknown as Canonical);
  writeScheduled(
    state,
    scheduled.filter((entry) => entry.height > height),
  );
  return next;
}
