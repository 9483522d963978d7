import {
  type Canonical,
  ConsensusParamsSchema,
  type GovernanceChange,
  ORG_ADMIN_KEYS_MAX,
  type Organization,
  toHex,
  VALIDATORS_MAX,
  VALIDATORS_MIN,
} from "@careledger/protocol";
import type { StateAccess } from "../../state/blockState.js";
import {
  readOrganization,
  readOrganizationIds,
  removeOrganization,
  writeOrganization,
  writeOrganizationIds,
} from "../identity/state.js";
import { reject } from "../module.js";
import {
  type ConsensusChange,
  configAt,
  effectiveHeight,
  readConsensus,
  readScheduled,
  writeScheduled,
} from "./consensusState.js";

export const PROPOSAL_PREFIX = "gov/proposal/";
export const proposalKey = (id: string) => `${PROPOSAL_PREFIX}${id}`;

export type ProposalStatus = "open" | "passed" | "rejected";

export interface Proposal {
  readonly id: string;
  readonly org: string;
  readonly proposer: string;
  readonly change: GovernanceChange;
  readonly createdAt: number;
  readonly expiresAt: number;
  /** Organization id to its vote (true approves). */
  readonly votes: Readonly<Record<string, boolean>>;
  readonly status: ProposalStatus;
  readonly decidedAt?: number;
  /** For consensus changes: the height at which the change takes effect. */
  readonly effectiveAt?: number;
}

export async function readProposal(state: StateAccess, id: string): Promise<Proposal | null> {
  return (await state.get(proposalKey(id))) as Proposal | null;
}

export function writeProposal(state: StateAccess, proposal: Proposal): void {
  state.put(proposalKey(proposal.id), proposal as unknown as Canonical);
}

/** The validator set once every scheduled change is in force: what a new change must respect. */
async function projectedValidators(state: StateAccess): Promise<string[]> {
  const config = configAt(await readConsensus(state), await readScheduled(state), Infinity);
  return config.validators.map(toHex);
}

/**
 * Parameters that the replica or the node read once at start: a change would leave running and
 * restarted replicas on different values (for `window` and `checkpointInterval`, different
 * activation heights of validator-set changes, so votes counted in different sets). Refused
 * until replicas take parameter changes at their activation height.
 */
const PARAMS_FIXED: ReadonlySet<string> = new Set([
  "window",
  "checkpointInterval",
  "emptyBlockIntervalMs",
  "viewChangeTimeoutMs",
  "requestTimeoutMs",
  "blockTxsMax",
]);

/**
 * Whether a change can take effect on the current state; throws the rule it breaks. Checked
 * when proposed and again when it passes, since the state may have moved in between.
 */
export async function checkChange(state: StateAccess, change: GovernanceChange): Promise<void> {
  switch (change.kind) {
    case "org.add":
      if ((await readOrganization(state, change.organization.id)) !== null) {
        reject("ALREADY_EXISTS", `organization ${change.organization.id} exists`);
      }
      return;
    case "org.remove":
      return checkOrgRemoval(state, change.org);
    case "org.admins":
      await adminKeysAfter(state, change);
      return;
    case "validator.add": {
      const validators = await projectedValidators(state);
      const org = await readOrganization(state, change.org);
      if (org === null) reject("ORG_NOT_FOUND", `no organization ${change.org}`);
      if (validators.includes(toHex(change.key))) reject("ALREADY_EXISTS", "already a validator");
      if (validators.length >= VALIDATORS_MAX) reject("PROPOSAL_INVALID", "validator set is full");
      return;
    }
    case "validator.remove": {
      const validators = await projectedValidators(state);
      if (!validators.includes(toHex(change.key))) reject("NOT_FOUND", "not a validator");
      if (validators.length - 1 < VALIDATORS_MIN) {
        reject("VALIDATOR_SET_TOO_SMALL", `would leave ${validators.length - 1} validators`);
      }
      return;
    }
    case "param.set": {
      if (PARAMS_FIXED.has(change.name)) {
        reject("PARAM_NOT_LIVE", `${change.name} is read once at start by every replica`);
      }
      const maximum = ConsensusParamsSchema.properties[change.name].maximum ?? 0;
      if (change.value > maximum) {
        reject("PROPOSAL_INVALID", `${change.name} above its maximum ${maximum}`);
      }
      return;
    }
  }
}

/**
 * An organization's admin keys once `change` applies, or the rule it breaks: the organization
 * exists, the change changes something, no key is both added and removed, every removed key is
 * an admin and no added one already is, and between 1 and ORG_ADMIN_KEYS_MAX keys remain.
 */
async function adminKeysAfter(
  state: StateAccess,
  change: Extract<GovernanceChange, { kind: "org.admins" }>,
): Promise<string[]> {
  const org = await readOrganization(state, change.org);
  if (org === null) return reject("ORG_NOT_FOUND", `no organization ${change.org}`);
  const add = change.add.map(toHex);
  const remove = change.remove.map(toHex);
  if (add.length + remove.length === 0) reject("PROPOSAL_INVALID", "the change changes nothing");
  if (new Set([...add, ...remove]).size !== add.length + remove.length) {
    reject("PROPOSAL_INVALID", "a key is listed twice");
  }
  if (remove.some((key) => !org.adminKeys.includes(key))) {
    reject("NOT_FOUND", `a removed key is no admin of ${org.id}`);
  }
  if (add.some((key) => org.adminKeys.includes(key))) {
    reject("ALREADY_EXISTS", `an added key already administers ${org.id}`);
  }
  const after = [...org.adminKeys.filter((key) => !remove.includes(key)), ...add];
  if (after.length === 0) reject("LAST_ADMIN", `${org.id} would have no admin key`);
  if (after.length > ORG_ADMIN_KEYS_MAX) {
    reject("PROPOSAL_INVALID", `${org.id} would have more than ${ORG_ADMIN_KEYS_MAX} admin keys`);
  }
  return after;
}

async function checkOrgRemoval(state: StateAccess, id: string): Promise<void> {
  const org = await readOrganization(state, id);
  if (org === null) return reject("ORG_NOT_FOUND", `no organization ${id}`);
  if ((await readOrganizationIds(state)).length <= 1) {
    reject("PROPOSAL_INVALID", "the last organization cannot be removed");
  }
  const validators = await projectedValidators(state);
  if (org.nodeKeys.some((key) => validators.includes(key))) {
    reject("ORG_HAS_VALIDATORS", `remove the validators of ${id} first`);
  }
}

/**
 * Carries out a passed proposal at `height`: organization changes at once, consensus changes
 * scheduled for the first checkpoint at or after height + window. Returns the effective height
 * of a scheduled change.
 */
export async function enactChange(
  state: StateAccess,
  proposal: Proposal,
  height: number,
): Promise<number | undefined> {
  const change = proposal.change;
  await checkChange(state, change);
  const ids = await readOrganizationIds(state);
  switch (change.kind) {
    case "org.add":
      await writeOrganization(state, change.organization);
      writeOrganizationIds(state, [...ids, change.organization.id]);
      return undefined;
    case "org.remove":
      await removeOrganization(state, change.org);
      writeOrganizationIds(
        state,
        ids.filter((id) => id !== change.org),
      );
      return undefined;
    case "org.admins": {
      const org = (await readOrganization(state, change.org)) as Organization;
      await writeOrganization(state, { ...org, adminKeys: await adminKeysAfter(state, change) });
      return undefined;
    }
    case "validator.add": {
      const org = await readOrganization(state, change.org);
      const keyHex = toHex(change.key);
      if (org !== null && !org.nodeKeys.includes(keyHex)) {
        if (org.nodeKeys.length >= NODE_KEYS_MAX) {
          reject("PROPOSAL_INVALID", `${org.id} has ${NODE_KEYS_MAX} node keys`);
        }
        await writeOrganization(state, { ...org, nodeKeys: [...org.nodeKeys, keyHex] });
      }
      return schedule(state, proposal.id, change, height);
    }
    default:
      return schedule(state, proposal.id, change, height);
  }
}

/** Most node keys one organization lists (the genesis schema's bound). */
const NODE_KEYS_MAX = 16;

async function schedule(
  state: StateAccess,
  proposal: string,
  change: ConsensusChange,
  height: number,
): Promise<number> {
  const { params } = await readConsensus(state);
  const at = effectiveHeight(height, params);
  const scheduled = await readScheduled(state);
  writeScheduled(state, [...scheduled, { height: at, proposal, change }]);
  return at;
}
