import { bytesEqual } from "./encoding.js";
import { concatBytes, HASH_BYTES, sha256 } from "./hash.js";

/**
 * The world state's authenticated structure: a binary sparse Merkle tree over the SHA-256 of each
 * state key, with compressed paths (as the Jellyfish Merkle tree of Diem does): a subtree that
 * holds one leaf is that leaf, placed at the shallowest depth where its key hash is unique, and
 * an empty subtree hashes to 32 zero bytes. So the root is a function of the set of (key, value)
 * pairs alone, never of write order or history.
 *
 *   leaf     = H(0x00 || H(key) || H(value))
 *   internal = H(0x01 || left || right)
 *
 * A proof is the list of sibling hashes from the root down to where the key's path ends, plus
 * the leaf found there (if any). It shows presence (that leaf is the key's, with the value's
 * hash), or absence (the path ends in an empty subtree, or in another key's leaf whose hash
 * shares the path's prefix). Verification here uses noble's SHA-256, which browsers can run.
 */

export const STATE_LEAF_PREFIX = 0x00;
export const STATE_NODE_PREFIX = 0x01;
export const STATE_EMPTY_HASH = new Uint8Array(HASH_BYTES);
/** Depth of the tree: one level per bit of a key hash. */
export const STATE_TREE_DEPTH = HASH_BYTES * 8;

export interface StateProofLeaf {
  readonly keyHash: Uint8Array;
  readonly valueHash: Uint8Array;
}

export interface StateProof {
  /** Sibling hashes from the root (index 0) down to the depth where the key's path ends. */
  readonly siblings: readonly Uint8Array[];
  /** The leaf at the end of the path, or null when the path ends in an empty subtree. */
  readonly leaf: StateProofLeaf | null;
}

const encoder = new TextEncoder();

export function stateKeyHash(key: string): Uint8Array {
  return sha256(encoder.encode(key));
}

export function stateLeafHash(keyHash: Uint8Array, valueHash: Uint8Array): Uint8Array {
  return sha256(concatBytes(Uint8Array.of(STATE_LEAF_PREFIX), keyHash, valueHash));
}

export function stateNodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256(concatBytes(Uint8Array.of(STATE_NODE_PREFIX), left, right));
}

/** Bit `index` of a key hash, most significant bit of byte 0 first: 0 goes left, 1 right. */
export function keyHashBit(keyHash: Uint8Array, index: number): number {
  return ((keyHash[index >> 3] ?? 0) >> (7 - (index & 7))) & 1;
}

function sharesPrefix(a: Uint8Array, b: Uint8Array, bits: number): boolean {
  for (let i = 0; i < bits; i++) if (keyHashBit(a, i) !== keyHashBit(b, i)) return false;
  return true;
}

/**
 * Checks that `key` holds `value` (or, with `value` null, that it is absent) in the state whose
 * root is `root`. Returns false for any proof that is malformed or does not reach the root.
 */
export function verifyStateProof(
  root: Uint8Array,
  key: string,
  value: Uint8Array | null,
  proof: StateProof,
): boolean {
  const depth = proof.siblings.length;
  if (depth > STATE_TREE_DEPTH) return false;
  if (proof.siblings.some((sibling) => sibling.byteLength !== HASH_BYTES)) return false;
  const keyHash = stateKeyHash(key);
  const leaf = proof.leaf;
  if (
    leaf &&
    (leaf.keyHash.byteLength !== HASH_BYTES || leaf.valueHash.byteLength !== HASH_BYTES)
  ) {
    return false;
  }
  let node: Uint8Array;
  if (value !== null) {
    if (!leaf || !bytesEqual(leaf.keyHash, keyHash)) return false;
    if (!bytesEqual(leaf.valueHash, sha256(value))) return false;
    node = stateLeafHash(keyHash, sha256(value));
  } else if (leaf) {
    // Another key's leaf on this key's path proves the path holds no other leaf.
    if (bytesEqual(leaf.keyHash, keyHash) || !sharesPrefix(leaf.keyHash, keyHash, depth)) {
      return false;
    }
    node = stateLeafHash(leaf.keyHash, leaf.valueHash);
  } else {
    node = STATE_EMPTY_HASH;
  }
  for (let level = depth - 1; level >= 0; level--) {
    const sibling = proof.siblings[level] as Uint8Array;
    node =
      keyHashBit(keyHash, level) === 1
        ? stateNodeHash(sibling, node)
        : stateNodeHash(node, sibling);
  }
  return bytesEqual(node, root);
}
