import { CareLedgerError, HASH_BYTES, type StateProof } from "@careledger/protocol";
import { binarySubtree } from "./hashing.js";
import {
  childPath,
  EMPTY,
  type InternalNode,
  LEAF,
  type NodeKind,
  nibble,
  pathKey,
  STATE_TREE_RADIX,
  type TreeNode,
} from "./node.js";

/** Reads one node by path key; null where there is none. */
export type SingleNodeReader = (path: string) => Promise<TreeNode | null>;

const BITS_PER_LEVEL = 4;
const LEVELS_MAX = HASH_BYTES * 2;

/**
 * Walks from the root down the key hash's path, bit by bit through each stored node's binary
 * subtrees, collecting the sibling hashes, to the leaf or the empty subtree where the binary path
 * ends: a proof of presence or of absence in protocol's binary format (verifyStateProof).
 */
export async function proveKeyHash(
  rootKind: NodeKind,
  keyHash: Uint8Array,
  read: SingleNodeReader,
): Promise<StateProof> {
  const siblings: Uint8Array[] = [];
  if (rootKind === EMPTY) return { siblings, leaf: null };
  let path = pathKey(keyHash, 0);
  for (let depth = 0; depth <= LEVELS_MAX; depth++) {
    const node = await need(read, path);
    if (node.kind === LEAF) return { siblings, leaf: leafOf(node) };
    const own = nibble(keyHash, depth);
    const end = walkNode(node, own, siblings);
    if (end === "empty") return { siblings, leaf: null };
    const child = childPath(path, end === "descend" ? own : end);
    if (end !== "descend") return { siblings, leaf: leafOf(await need(read, child)) };
    path = child;
  }
  throw new CareLedgerError("INTERNAL", "state tree deeper than its key hashes");
}

/**
 * Follows slot `own` down the node's four binary levels, pushing each level's sibling. Ends at
 * an empty half ("empty"), at a half holding one leaf (that leaf's slot), or at the slot itself
 * when it holds an inner node ("descend").
 */
function walkNode(
  node: InternalNode,
  own: number,
  siblings: Uint8Array[],
): "empty" | "descend" | number {
  let lo = 0;
  let size = STATE_TREE_RADIX;
  for (let level = 0; level < BITS_PER_LEVEL; level++) {
    size /= 2;
    const right = own >= lo + size;
    const other = binarySubtree(node.kinds, node.hashes, right ? lo : lo + size, size);
    siblings.push(other.hash);
    if (right) lo += size;
    const mine = binarySubtree(node.kinds, node.hashes, lo, size);
    if (mine.kind === EMPTY) return "empty";
    if (mine.kind === LEAF) return mine.loneSlot;
  }
  return "descend";
}

async function need(read: SingleNodeReader, path: string): Promise<TreeNode> {
  const node = await read(path);
  if (node === null) throw new CareLedgerError("INTERNAL", "state tree node missing");
  return node;
}

function leafOf(node: TreeNode) {
  if (node.kind !== LEAF) throw new CareLedgerError("INTERNAL", "expected a leaf");
  return { keyHash: node.keyHash, valueHash: node.valueHash };
}
