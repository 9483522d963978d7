import { concatBytes, sha256 } from "./hash.js";

/**
 * A binary Merkle tree as in RFC 6962 (Certificate Transparency): a leaf hashes as
 * H(0x00 || data) and an inner node as H(0x01 || left || right), so a leaf can never pass for a
 * node; a tree of n leaves splits at the largest power of two below n. The empty tree's root is
 * H(""). A proof carries the leaf's index and the tree's size, and verification walks the path
 * those two fix, so a proof for index i never verifies for another index or another root.
 */

const LEAF_PREFIX = Uint8Array.of(0);
const NODE_PREFIX = Uint8Array.of(1);

export interface MerkleProof {
  readonly index: number;
  readonly total: number;
  /** Sibling hashes from the leaf up to the root. */
  readonly siblings: readonly Uint8Array[];
}

export function leafHash(data: Uint8Array): Uint8Array {
  return sha256(concatBytes(LEAF_PREFIX, data));
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256(concatBytes(NODE_PREFIX, left, right));
}

export function merkleRoot(leaves: readonly Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return sha256(new Uint8Array(0));
  let level = leaves.map(leafHash);
  // Pairing left to right and promoting an odd last node gives the same root as RFC 6962's
  // recursive split at the largest power of two, in linear time.
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) {
      next.push(nodeHash(level[i] as Uint8Array, level[i + 1] as Uint8Array));
    }
    if (level.length % 2 === 1) next.push(level[level.length - 1] as Uint8Array);
    level = next;
  }
  return level[0] as Uint8Array;
}

export function merkleProof(leaves: readonly Uint8Array[], index: number): MerkleProof {
  if (!Number.isInteger(index) || index < 0 || index >= leaves.length) {
    throw new RangeError(`leaf ${index} is outside a tree of ${leaves.length}`);
  }
  const siblings: Uint8Array[] = [];
  let level = leaves.map(leafHash);
  let position = index;
  while (level.length > 1) {
    const sibling = position ^ 1;
    if (sibling < level.length) siblings.push(level[sibling] as Uint8Array);
    const next: Uint8Array[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) {
      next.push(nodeHash(level[i] as Uint8Array, level[i + 1] as Uint8Array));
    }
    if (level.length % 2 === 1) next.push(level[level.length - 1] as Uint8Array);
    level = next;
    position >>= 1;
  }
  return { index, total: leaves.length, siblings };
}

/** The root a proof implies for `leaf`, or null when the proof's shape is impossible. */
export function merkleRootFromProof(leaf: Uint8Array, proof: MerkleProof): Uint8Array | null {
  const { index, total, siblings } = proof;
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(total) || index < 0 || index >= total) {
    return null;
  }
  let hash = leafHash(leaf);
  let position = index;
  let width = total;
  let used = 0;
  while (width > 1) {
    const isRight = position % 2 === 1;
    const hasSibling = isRight || position + 1 < width;
    if (hasSibling) {
      const sibling = siblings[used];
      if (sibling === undefined || sibling.byteLength !== 32) return null;
      used += 1;
      hash = isRight ? nodeHash(sibling, hash) : nodeHash(hash, sibling);
    }
    // Not `>>= 1`: indices of untrusted proofs may exceed the 32 bits that bitwise operators keep.
    position = Math.floor(position / 2);
    width = Math.ceil(width / 2);
  }
  return used === siblings.length ? hash : null;
}

export function verifyMerkleProof(root: Uint8Array, leaf: Uint8Array, proof: MerkleProof): boolean {
  const computed = merkleRootFromProof(leaf, proof);
  if (computed === null || computed.byteLength !== root.byteLength) return false;
  return computed.every((byte, i) => byte === root[i]);
}
