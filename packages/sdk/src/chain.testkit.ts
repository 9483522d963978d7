import {
  blockHash,
  type CommitCertificate,
  commitSigningBytes,
  HEADER_VERSION,
  type Header,
  keyHashBit,
  keySigner,
  merkleRoot,
  quorumSize,
  type Signer,
  STATE_EMPTY_HASH,
  type StateProof,
  type StateProofLeaf,
  sha256,
  stateKeyHash,
  stateLeafHash,
  stateNodeHash,
  toHex,
  validatorsHash,
} from "@careledger/protocol";
import { generateKeyPair } from "./keys.js";
import type { BlockInfo } from "./wire.js";

/**
 * A small certified chain for tests: real headers, real commit certificates signed by a quorum
 * of generated validators, and a reference sparse Merkle state tree built the way the protocol's
 * verifyStateProof reads it (written independently of the ledger's tree).
 */

export interface TestChain {
  readonly chainId: Uint8Array;
  readonly signers: readonly Signer[];
  readonly validators: readonly Uint8Array[];
}

export function testChain(validatorCount = 4): TestChain {
  const signers = Array.from({ length: validatorCount }, () =>
    keySigner(generateKeyPair().secretKey),
  );
  return {
    chainId: sha256(new TextEncoder().encode(`test-${Math.random()}`)),
    signers,
    validators: signers.map((signer) => signer.publicKey),
  };
}

export interface BlockContent {
  readonly height: number;
  readonly prevHash: Uint8Array;
  readonly txIds: readonly Uint8Array[];
  readonly stateRoot: Uint8Array;
  /** The receipts' canonical bytes, in transaction order; none when absent. */
  readonly receipts?: readonly Uint8Array[];
  readonly view?: number;
  /** The set announced for the following heights; the chain's own set when absent. */
  readonly nextValidators?: readonly Uint8Array[];
}

/** A block certified by the first quorum of validators (none for height 0, as genesis). */
export function certifiedBlock(chain: TestChain, content: BlockContent): BlockInfo {
  const view = content.view ?? 0;
  const header: Header = {
    v: HEADER_VERSION,
    chain: chain.chainId,
    height: content.height,
    prevHash: content.prevHash,
    time: 1_700_000_000_000 + content.height,
    proposer: chain.validators[view % chain.validators.length] as Uint8Array,
    view,
    txRoot: merkleRoot(content.txIds),
    stateRoot: content.stateRoot,
    receiptsRoot: merkleRoot(content.receipts ?? []),
    validatorsHash: validatorsHash(chain.validators),
    nextValidatorsHash: validatorsHash(content.nextValidators ?? chain.validators),
  };
  const hash = blockHash(header);
  return {
    hash,
    height: content.height,
    header,
    txIds: content.txIds,
    certificate: content.height === 0 ? null : certify(chain, header.height, view, hash),
  };
}

export function certify(
  chain: TestChain,
  height: number,
  view: number,
  hash: Uint8Array,
): CommitCertificate {
  const message = commitSigningBytes(chain.chainId, height, view, hash);
  const votes = chain.signers
    .slice(0, quorumSize(chain.signers.length))
    .map((signer, validator) => ({ validator, sig: signer.sign(message) }));
  return { height, view, blockHash: hash, votes };
}

/** A reference state tree over (key, canonical value bytes), with proofs. */
export class TestStateTree {
  private readonly leaves = new Map<string, StateProofLeaf>();

  set(key: string, value: Uint8Array): void {
    const keyHash = stateKeyHash(key);
    this.leaves.set(toHex(keyHash), { keyHash, valueHash: sha256(value) });
  }

  root(): Uint8Array {
    return subtreeHash([...this.leaves.values()], 0);
  }

  prove(key: string): StateProof {
    const keyHash = stateKeyHash(key);
    const siblings: Uint8Array[] = [];
    let items = [...this.leaves.values()];
    for (let depth = 0; ; depth++) {
      if (items.length === 0) return { siblings, leaf: null };
      if (items.length === 1) return { siblings, leaf: items[0] as StateProofLeaf };
      const side = keyHashBit(keyHash, depth);
      const other = items.filter((leaf) => keyHashBit(leaf.keyHash, depth) !== side);
      siblings.push(subtreeHash(other, depth + 1));
      items = items.filter((leaf) => keyHashBit(leaf.keyHash, depth) === side);
    }
  }
}

/** A subtree with one leaf is that leaf; an empty one is 32 zero bytes (compressed paths). */
function subtreeHash(leaves: readonly StateProofLeaf[], depth: number): Uint8Array {
  if (leaves.length === 0) return STATE_EMPTY_HASH;
  if (leaves.length === 1) {
    const leaf = leaves[0] as StateProofLeaf;
    return stateLeafHash(leaf.keyHash, leaf.valueHash);
  }
  const left = leaves.filter((leaf) => keyHashBit(leaf.keyHash, depth) === 0);
  const right = leaves.filter((leaf) => keyHashBit(leaf.keyHash, depth) === 1);
  return stateNodeHash(subtreeHash(left, depth + 1), subtreeHash(right, depth + 1));
}

/** A block as the API shows it (hex fields), for the fake node. */
export function blockJson(block: BlockInfo): Record<string, unknown> {
  const { header, certificate } = block;
  return {
    hash: toHex(block.hash),
    height: block.height,
    header: {
      ...header,
      chain: toHex(header.chain),
      prevHash: toHex(header.prevHash),
      proposer: toHex(header.proposer),
      txRoot: toHex(header.txRoot),
      stateRoot: toHex(header.stateRoot),
      receiptsRoot: toHex(header.receiptsRoot),
      validatorsHash: toHex(header.validatorsHash),
      nextValidatorsHash: toHex(header.nextValidatorsHash),
    },
    txIds: block.txIds.map(toHex),
    certificate:
      certificate === null
        ? null
        : {
            ...certificate,
            blockHash: toHex(certificate.blockHash),
            votes: certificate.votes.map((vote) => ({ ...vote, sig: toHex(vote.sig) })),
          },
  };
}
