import { hash } from "node:crypto";
import {
  HASH_BYTES,
  STATE_EMPTY_HASH,
  STATE_LEAF_PREFIX,
  STATE_NODE_PREFIX,
} from "@careledger/protocol";
import { EMPTY, INTERNAL, LEAF, type NodeKind, STATE_TREE_RADIX } from "./node.js";

/**
 * The state tree's hashes through node:crypto (OpenSSL), about three times faster than noble's
 * SHA-256; protocol's `verifyStateProof` computes the same digests with noble (same prefixes,
 * same layout).
 */

const scratch = Buffer.allocUnsafe(1 + 2 * HASH_BYTES);
const encoder = new TextEncoder();

/** Plain Uint8Arrays out (not Buffers), like every other hash in the protocol. */
export function sha256(data: Uint8Array): Uint8Array {
  const digest = hash("sha256", data, "buffer");
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength);
}

export function keyHashOf(key: string): Uint8Array {
  return sha256(encoder.encode(key));
}

export function leafHash(keyHash: Uint8Array, valueHash: Uint8Array): Uint8Array {
  return pairHash(STATE_LEAF_PREFIX, keyHash, valueHash);
}

function pairHash(prefix: number, left: Uint8Array, right: Uint8Array): Uint8Array {
  scratch[0] = prefix;
  scratch.set(left, 1);
  scratch.set(right, 1 + HASH_BYTES);
  return sha256(scratch);
}

/** A binary subtree inside a stored node: what it is and its hash in the binary tree. */
export interface BinarySubtree {
  readonly kind: NodeKind;
  readonly hash: Uint8Array;
  /** The slot of its one non-empty child, when it has exactly one. */
  readonly loneSlot: number;
}

/**
 * The binary subtree over child slots [lo, lo + size) of a stored node, as the binary tree of
 * stateProof.ts has it: empty, a lone leaf (pulled up: its hash is the leaf's), or an inner node
 * H(0x01 || left half || right half). A lone inner child keeps its chain of inner nodes, as in
 * the binary tree, because it holds at least two leaves.
 */
export function binarySubtree(
  kinds: readonly NodeKind[],
  hashes: readonly Uint8Array[],
  lo: number,
  size: number,
): BinarySubtree {
  let present = 0;
  let loneSlot = -1;
  for (let slot = lo; slot < lo + size; slot++) {
    if (kinds[slot] !== EMPTY) {
      present++;
      loneSlot = slot;
    }
  }
  if (present === 0) return { kind: EMPTY, hash: STATE_EMPTY_HASH, loneSlot };
  const loneKind = kinds[loneSlot] as NodeKind;
  if (present === 1 && (loneKind === LEAF || size === 1)) {
    return { kind: loneKind, hash: hashes[loneSlot] as Uint8Array, loneSlot };
  }
  const half = size / 2;
  const left = binarySubtree(kinds, hashes, lo, half).hash;
  const right = binarySubtree(kinds, hashes, lo + half, half).hash;
  return { kind: INTERNAL, hash: pairHash(STATE_NODE_PREFIX, left, right), loneSlot };
}

/** A stored node's hash: the binary subtree over all sixteen slots. */
export function nodeHash(kinds: readonly NodeKind[], hashes: readonly Uint8Array[]): Uint8Array {
  return binarySubtree(kinds, hashes, 0, STATE_TREE_RADIX).hash;
}
