import { CareLedgerError, HASH_BYTES, STATE_EMPTY_HASH } from "@careledger/protocol";

/** What a subtree is: nothing, one leaf, or an inner node with two children. */
export const EMPTY = 0;
export const LEAF = 1;
export const INTERNAL = 2;
export type NodeKind = typeof EMPTY | typeof LEAF | typeof INTERNAL;

export interface LeafNode {
  readonly kind: typeof LEAF;
  readonly keyHash: Uint8Array;
  readonly valueHash: Uint8Array;
}

/** An inner node stores its children's hashes and kinds, so an unchanged child is never read. */
export interface InternalNode {
  readonly kind: typeof INTERNAL;
  readonly leftKind: NodeKind;
  readonly rightKind: NodeKind;
  readonly left: Uint8Array;
  readonly right: Uint8Array;
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

/**
 * A node's place in the tree: one byte of depth, then the first `depth` bits of any key hash
 * under it (the unused low bits of the last byte cleared), as a latin1 string so it can key a Map
 * and turn into database key bytes. Built in one call, so V8 makes a flat string: a string built
 * by `+=` is a rope, flattened (and copied) at every Map lookup.
 */
export function pathKey(keyHash: Uint8Array, depth: number): string {
  const whole = depth >> 3;
  const rest = depth & 7;
  const codes: number[] = [depth];
  for (let i = 0; i < whole; i++) codes.push(keyHash[i] as number);
  if (rest > 0) codes.push((keyHash[whole] as number) & (0xff << (8 - rest)) & 0xff);
  return String.fromCharCode.apply(null, codes);
}

/** The path key of a node's child on `side` (0 left, 1 right). */
export function childPath(path: string, side: number): string {
  const depth = path.charCodeAt(0);
  const byteIndex = 1 + (depth >> 3);
  const codes: number[] = [depth + 1];
  for (let i = 1; i < byteIndex; i++) codes.push(path.charCodeAt(i));
  const base = path.length > byteIndex ? path.charCodeAt(byteIndex) : 0;
  codes.push(side === 1 ? base | (0x80 >> (depth & 7)) : base);
  return String.fromCharCode.apply(null, codes);
}

export function bit(keyHash: Uint8Array, index: number): number {
  return ((keyHash[index >> 3] as number) >> (7 - (index & 7))) & 1;
}

const LEAF_BYTES = 1 + 2 * HASH_BYTES;
const INTERNAL_BYTES = 3 + 2 * HASH_BYTES;

export function encodeNode(node: TreeNode): Uint8Array {
  if (node.kind === LEAF) {
    const out = new Uint8Array(LEAF_BYTES);
    out[0] = LEAF;
    out.set(node.keyHash, 1);
    out.set(node.valueHash, 1 + HASH_BYTES);
    return out;
  }
  const out = new Uint8Array(INTERNAL_BYTES);
  out[0] = INTERNAL;
  out[1] = node.leftKind;
  out[2] = node.rightKind;
  out.set(node.left, 3);
  out.set(node.right, 3 + HASH_BYTES);
  return out;
}

export function decodeNode(bytes: Uint8Array): TreeNode {
  if (bytes[0] === LEAF && bytes.byteLength === LEAF_BYTES) {
    return {
      kind: LEAF,
      keyHash: bytes.subarray(1, 1 + HASH_BYTES),
      valueHash: bytes.subarray(1 + HASH_BYTES),
    };
  }
  if (bytes[0] === INTERNAL && bytes.byteLength === INTERNAL_BYTES) {
    return {
      kind: INTERNAL,
      leftKind: kindOf(bytes[1]),
      rightKind: kindOf(bytes[2]),
      left: bytes.subarray(3, 3 + HASH_BYTES),
      right: bytes.subarray(3 + HASH_BYTES),
    };
  }
  throw new CareLedgerError("INTERNAL", "corrupt state tree node");
}

function kindOf(byte: number | undefined): NodeKind {
  if (byte === EMPTY || byte === LEAF || byte === INTERNAL) return byte;
  throw new CareLedgerError("INTERNAL", "corrupt state tree node kind");
}
