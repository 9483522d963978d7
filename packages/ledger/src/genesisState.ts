import {
  type Canonical,
  type Genesis,
  genesisValidators,
  HASH_BYTES,
  HEADER_VERSION,
  type Header,
  merkleRoot,
  PUBLIC_KEY_BYTES,
  receiptsRootOf,
  validatorsHash,
} from "@careledger/protocol";
import { PARAMS_KEY, VALIDATORS_KEY } from "./modules/governance/consensusState.js";
import { adminIndexKey, nodeIndexKey, ORG_IDS_KEY, orgKey } from "./modules/identity/state.js";
import type { StateWrites } from "./state/blockState.js";

/**
 * The world state at height 0: the genesis organizations with their admin and node indexes
 * (as writeOrganization keeps them), the validator set and the parameters.
 */
export function genesisWrites(genesis: Genesis): StateWrites {
  const writes: StateWrites = new Map();
  const adminOf = new Map<string, string[]>();
  const nodeOf = new Map<string, string[]>();
  for (const org of genesis.organizations) {
    writes.set(orgKey(org.id), org as unknown as Canonical);
    for (const key of org.adminKeys) adminOf.set(key, [...(adminOf.get(key) ?? []), org.id]);
    for (const key of org.nodeKeys) nodeOf.set(key, [...(nodeOf.get(key) ?? []), org.id]);
  }
  for (const [key, orgs] of adminOf) writes.set(adminIndexKey(key), orgs.sort());
  for (const [key, orgs] of nodeOf) writes.set(nodeIndexKey(key), orgs.sort());
  writes.set(ORG_IDS_KEY, genesis.organizations.map((org) => org.id).sort());
  writes.set(VALIDATORS_KEY, genesisValidators(genesis) as Uint8Array[]);
  writes.set(PARAMS_KEY, genesis.params as unknown as Canonical);
  return writes;
}

/**
 * The header of block 0, which no one proposes and no certificate signs: every node derives it
 * from the genesis document alone. Its prevHash and proposer are all zeros, its time is the
 * genesis time, it holds no transactions (txRoot and receiptsRoot are the empty tree's root),
 * and its stateRoot is the root of the genesis state.
 */
export function genesisHeader(
  genesis: Genesis,
  chainId: Uint8Array,
  stateRoot: Uint8Array,
): Header {
  const validators = validatorsHash(genesisValidators(genesis));
  return {
    v: HEADER_VERSION,
    chain: chainId,
    height: 0,
    prevHash: new Uint8Array(HASH_BYTES),
    time: genesis.genesisTime,
    proposer: new Uint8Array(PUBLIC_KEY_BYTES),
    view: 0,
    txRoot: merkleRoot([]),
    stateRoot,
    receiptsRoot: receiptsRootOf([]),
    validatorsHash: validators,
    nextValidatorsHash: validators,
  };
}
