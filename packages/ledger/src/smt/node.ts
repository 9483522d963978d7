import { CareLedgerError, HASH_BYTES, STATE_EMPTY_HASH } from "@careledger/protocol";

/**
 * Children of a stored node: one per nibble of the key hash. The tree is stored sixteen-way
 * (about a quarter of the nodes and database entries of a binary one) but hashed as the binary
 * tree of protocol's stateProof.ts (hashing.ts), so proofs stay binary and small.
 */
export const STATE_TREE_RADIX = 16;

/** What a subtree is: nothing, one leaf, or an inner node with sixteen children. */
export const EMPTY = 0;
export const LEAF = 1;
export const INTERNAL = 2;
export type NodeKind = typeof EMPTY | typeof LEAF | typeof INTERNAL;

export interface LeafNode {
  readonly kind: typeof LEAF;
  readonly keyHash: Uint8Array;
  readonly valueHash: Uint8Array;
}

/**
 * An inner node stores its sixteen children's kinds and hashes (the empty hash for an empty
 * child), so an unchanged child is never read.
 */
export interface InternalNode {
  readonly kind: typeof INTERNAL;
  readonly kinds: readonly NodeKind[];
  readonly hashes: readonly Uint8Array[];
}

export type TreeNode = LeafNode | InternalNode;

/** A subtree as its parent sees it; `leaf` is set when the subtree is a leaf and it is known. */
export interface Subtree {
  readonly kind: NodeKind;
  readonly hash: Uint8Array;
  readonly leaf?: LeafNode;
}

export const EMPTY_SUBTREE: Subtree = { kind: EMPTY, hash: STATE_EMPTY_HASH };

/** Node writes of one block: path key to the node, or null where a node was removed. */
export type NodeWrites = Map<string, TreeNode | null>;

/** Nibble `index` of a key hash (4 bits; the high nibble of byte 0 first): its child slot. */
export function nibble(keyHash: Uint8Array, index: number): number {
  const byte = keyHash[index >> 1] as number;
  return index & 1 ? byte & 0x0f : byte >> 4;
}

/**
 * A node's place in the tree: one byte of depth (in nibbles), then the first `depth` nibbles of
 * any key hash under it (an odd last nibble padded with zero), as a latin1 string so it can key
 * a Map and turn into database key bytes. Built in one call, so V8 makes a flat string: a string
 * built by `+=` is a rope, flattened (and copied) at every Map lookup.
 */
export function pathKey(keyHash: Uint8Array, depth: number): string {
  const whole = depth >> 1;
  const codes: number[] = [depth];
  for (let i = 0; i < whole; i++) codes.push(keyHash[i] as number);
  if (depth & 1) codes.push((keyHash[whole] as number) & 0xf0);
  return String.fromCharCode.apply(null, codes);
}

/** The path key of a node's child in slot `slot` (0 to 15). */
export function childPath(path: string, slot: number): string {
  const depth = path.charCodeAt(0);
  const byteIndex = 1 + (depth >> 1);
  const codes: number[] = [depth + 1];
  for (let i = 1; i < byteIndex; i++) codes.push(path.charCodeAt(i));
  codes.push(depth & 1 ? path.charCodeAt(byteIndex) | slot : slot << 4);
  return String.fromCharCode.apply(null, codes);
}

const LEAF_BYTES = 1 + 2 * HASH_BYTES;
/** Tag, bitmap of non-empty children, bitmap of leaf children, then the non-empty hashes. */
const INTERNAL_HEADER_BYTES = 5;

/** Bytes `encodeNodeInto` writes for a node. */
export function encodedNodeBytes(node: TreeNode): number {
  if (node.kind === LEAF) return LEAF_BYTES;
  let count = 0;
  for (const kind of node.kinds) if (kind !== EMPTY) count++;
  return INTERNAL_HEADER_BYTES + count * HASH_BYTES;
}

export function encodeNode(node: TreeNode): Uint8Array {
  const out = new Uint8Array(encodedNodeBytes(node));
  encodeNodeInto(node, out, 0);
  return out;
}

/**
 * Writes a node's encoding at `offset` of `out` and returns the offset after it. A commit
 * encodes all its nodes into one buffer: a typed array of more than 64 bytes each had cost 9%.
 */
export function encodeNodeInto(node: TreeNode, out: Uint8Array, offset: number): number {
  if (node.kind === LEAF) {
    out[offset] = LEAF;
    out.set(node.keyHash, offset + 1);
    out.set(node.valueHash, offset + 1 + HASH_BYTES);
    return offset + LEAF_BYTES;
  }
  let present = 0;
  let leaves = 0;
  for (let slot = 0; slot < STATE_TREE_RADIX; slot++) {
    const kind = node.kinds[slot];
    if (kind !== EMPTY) present |= 1 << slot;
    if (kind === LEAF) leaves |= 1 << slot;
  }
  out[offset] = INTERNAL;
  out[offset + 1] = present >> 8;
  out[offset + 2] = present & 0xff;
  out[offset + 3] = leaves >> 8;
  out[offset + 4] = leaves & 0xff;
  let at = offset + INTERNAL_HEADER_BYTES;
  for (let slot = 0; slot < STATE_TREE_RADIX; slot++) {
    if (node.kinds[slot] === EMPTY) continue;
    out.set(node.hashes[slot] as Uint8Array, at);
    at += HASH_BYTES;
  }
  return at;
}

export function decodeNode(bytes: Uint8Array): TreeNode {
  if (bytes[0] === LEAF && bytes.byteLength === LEAF_BYTES) {
    return {
      kind: LEAF,
      keyHash: bytes.subarray(1, 1 + HASH_BYTES),
      valueHash: bytes.subarray(1 + HASH_BYTES),
    };
  }
  if (bytes[0] !== INTERNAL || bytes.byteLength < INTERNAL_HEADER_BYTES) {
    throw new CareLedgerError("INTERNAL", "corrupt state tree node");
  }
  const present = ((bytes[1] as number) << 8) | (bytes[2] as number);
  const leaves = ((bytes[3] as number) << 8) | (bytes[4] as number);
  const kinds: NodeKind[] = [];
  const hashes: Uint8Array[] = [];
  let offset = INTERNAL_HEADER_BYTES;
  for (let slot = 0; slot < STATE_TREE_RADIX; slot++) {
    const bit = 1 << slot;
    if ((present & bit) === 0) {
      kinds.push(EMPTY);
      hashes.push(STATE_EMPTY_HASH);
      continue;
    }
    kinds.push(leaves & bit ? LEAF : INTERNAL);
    hashes.push(bytes.subarray(offset, offset + HASH_BYTES));
    offset += HASH_BYTES;
  }
  if (offset !== bytes.byteLength) throw new CareLedgerError("INTERNAL", "corrupt state tree node");
  return { kind: INTERNAL, kinds, hashes };
}
