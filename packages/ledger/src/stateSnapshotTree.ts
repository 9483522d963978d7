import { CareLedgerError, HASH_BYTES } from "@careledger/protocol";
import { leafHash, nodeHash, sha256 } from "./smt/hashing.js";
import {
  childPath,
  decodeNode,
  EMPTY,
  EMPTY_SUBTREE,
  INTERNAL,
  type InternalNode,
  LEAF,
  type LeafNode,
  type NodeKind,
  type NodeWrites,
  nibble,
  STATE_TREE_RADIX,
  type Subtree,
} from "./smt/node.js";
import { splitBySlot } from "./smt/update.js";

/**
 * The state tree cut into chunks for state sync. A chunk is named by a stored node's path (depth
 * in nibbles, then the key-hash prefix) and holds either every key and value under that path (a
 * "leaves" chunk, when they fit the bounds below) or the stored internal node there (a "node"
 * chunk: sixteen child hashes, to be fetched in turn). The fetching node knows the hash each path
 * must have before it asks (the certified state root for the root, a verified node's slot for a
 * child), so every chunk is checked on arrival against the certified root.
 */

/** Most keys in one leaves chunk; a larger subtree is sent as its node. */
export const SNAPSHOT_CHUNK_KEYS_MAX = 4_096;
/** Most bytes of keys and values in one leaves chunk (a single larger value is sent alone). */
export const SNAPSHOT_CHUNK_BYTES_MAX = 4 * 1024 * 1024;
/** Tree depth in nibbles: a key hash has 64. */
const DEPTH_MAX = HASH_BYTES * 2;

/** What a path must hold, as its verified parent (or the certified header) says. */
export interface ExpectedSubtree {
  readonly path: string;
  /** Unknown (null) only for the root: a header carries the root's hash, not its kind. */
  readonly kind: NodeKind | null;
  readonly hash: Uint8Array;
}

/** One key and its canonical value, as a leaves chunk carries them. */
export interface SnapshotEntry {
  readonly key: string;
  readonly value: Uint8Array;
}

const textEncoder = new TextEncoder();

function invalid(reason: string): never {
  throw new CareLedgerError("SNAPSHOT_CHUNK_INVALID", reason);
}

/** A path's depth; throws SNAPSHOT_CHUNK_INVALID unless `path` is a well-formed path key. */
export function pathDepth(path: string): number {
  const depth = path.charCodeAt(0);
  if (!(depth >= 0 && depth <= DEPTH_MAX) || path.length !== 1 + Math.ceil(depth / 2)) {
    invalid("malformed tree path");
  }
  for (let i = 1; i < path.length; i++) if (path.charCodeAt(i) > 0xff) invalid("path not bytes");
  if (depth & 1 && (path.charCodeAt(path.length - 1) & 0x0f) !== 0) invalid("path not canonical");
  return depth;
}

/** Whether `keyHash` lies under `path` (its first `depth` nibbles are the path's). */
export function underPath(keyHash: Uint8Array, path: string, depth: number): boolean {
  for (let i = 0; i < depth; i++) {
    const byte = path.charCodeAt(1 + (i >> 1));
    const want = i & 1 ? byte & 0x0f : byte >> 4;
    if (nibble(keyHash, i) !== want) return false;
  }
  return true;
}

/** A leaf of the tree, with its key hash, from a key and its canonical value. */
export function leafOf(entry: SnapshotEntry): LeafNode {
  return {
    kind: LEAF,
    keyHash: sha256(textEncoder.encode(entry.key)),
    valueHash: sha256(entry.value),
  };
}

/**
 * The canonical subtree of `leaves` (sorted by key hash, distinct, all under `path`) at `path`,
 * as the state tree stores it: a lone leaf at the shallowest depth where its hash is unique,
 * inner nodes of sixteen slots. Records the nodes in `writes` when given.
 */
export function buildSubtree(
  path: string,
  leaves: readonly LeafNode[],
  writes: NodeWrites | null,
): Subtree {
  if (leaves.length === 0) return EMPTY_SUBTREE;
  if (leaves.length === 1) {
    const leaf = leaves[0] as LeafNode;
    writes?.set(path, leaf);
    return { kind: LEAF, hash: leafHash(leaf.keyHash, leaf.valueHash), leaf };
  }
  const depth = path.charCodeAt(0);
  if (depth >= DEPTH_MAX) invalid("two leaves with one key hash");
  const at = (index: number) => (leaves[index] as LeafNode).keyHash;
  const bounds = splitBySlot(at, depth, 0, leaves.length);
  const kinds: NodeKind[] = [];
  const hashes: Uint8Array[] = [];
  for (let slot = 0; slot < STATE_TREE_RADIX; slot++) {
    const group = leaves.slice(bounds[slot], bounds[slot + 1]);
    const child = buildSubtree(childPath(path, slot), group, writes);
    kinds.push(child.kind);
    hashes.push(child.hash);
  }
  const node: InternalNode = { kind: INTERNAL, kinds, hashes };
  writes?.set(path, node);
  return { kind: INTERNAL, hash: nodeHash(kinds, hashes) };
}

/** Sorts leaves by key hash; throws SNAPSHOT_CHUNK_INVALID on a repeated key hash. */
export function sortLeaves(leaves: LeafNode[]): LeafNode[] {
  leaves.sort((a, b) => Buffer.compare(a.keyHash, b.keyHash));
  for (let i = 1; i < leaves.length; i++) {
    if (
      Buffer.compare((leaves[i - 1] as LeafNode).keyHash, (leaves[i] as LeafNode).keyHash) === 0
    ) {
      invalid("a key appears twice");
    }
  }
  return leaves;
}

function sameHash(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && Buffer.compare(a, b) === 0;
}

/**
 * Checks a leaves chunk against what its path must hold: every key under the path, no key twice,
 * and the subtree they form hashing to the expected hash (of the expected kind). Returns the
 * leaves, sorted. Throws SNAPSHOT_CHUNK_INVALID otherwise.
 */
export function verifyLeavesChunk(
  expected: ExpectedSubtree,
  entries: readonly SnapshotEntry[],
): LeafNode[] {
  const depth = pathDepth(expected.path);
  if (entries.length === 0) invalid("an empty chunk for a non-empty subtree");
  const leaves = entries.map(leafOf);
  for (const leaf of leaves) {
    if (!underPath(leaf.keyHash, expected.path, depth)) invalid("a key outside the chunk's path");
  }
  const built = buildSubtree(expected.path, sortLeaves(leaves), null);
  if (expected.kind !== null && built.kind !== expected.kind) invalid("subtree of another kind");
  if (!sameHash(built.hash, expected.hash)) invalid("chunk does not hash to its certified root");
  return leaves;
}

/**
 * Checks a node chunk: an internal node whose hash is the expected one. Returns what each
 * non-empty child must hold, for the next requests.
 */
export function verifyNodeChunk(expected: ExpectedSubtree, bytes: Uint8Array): ExpectedSubtree[] {
  const depth = pathDepth(expected.path);
  if (depth >= DEPTH_MAX) invalid("a node below the deepest level");
  let node: ReturnType<typeof decodeNode>;
  try {
    node = decodeNode(bytes);
  } catch {
    invalid("not a tree node");
  }
  if (node.kind !== INTERNAL) invalid("a leaf sent as a node chunk");
  if (expected.kind !== null && expected.kind !== INTERNAL) invalid("a node where a leaf is");
  if (!sameHash(nodeHash(node.kinds, node.hashes), expected.hash)) {
    invalid("node does not hash to its certified root");
  }
  const children: ExpectedSubtree[] = [];
  for (let slot = 0; slot < STATE_TREE_RADIX; slot++) {
    const kind = node.kinds[slot] as NodeKind;
    if (kind === EMPTY) continue;
    children.push({
      path: childPath(expected.path, slot),
      kind,
      hash: node.hashes[slot] as Uint8Array,
    });
  }
  return children;
}
