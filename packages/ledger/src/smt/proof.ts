import { CareLedgerError, STATE_TREE_DEPTH, type StateProof } from "@careledger/protocol";
import { bit, EMPTY, LEAF, type NodeKind, pathKey, type TreeNode } from "./node.js";

/** Reads one node by path key; null where there is none. */
export type SingleNodeReader = (path: string) => Promise<TreeNode | null>;

/**
 * Walks from the root down the key hash's path, collecting the siblings, to the leaf or the empty
 * subtree where the path ends: a proof of presence or of absence (protocol's verifyStateProof).
 */
export async function proveKeyHash(
  rootKind: NodeKind,
  keyHash: Uint8Array,
  read: SingleNodeReader,
): Promise<StateProof> {
  const siblings: Uint8Array[] = [];
  let kind = rootKind;
  for (let depth = 0; depth <= STATE_TREE_DEPTH; depth++) {
    if (kind === EMPTY) return { siblings, leaf: null };
    const node = await read(pathKey(keyHash, depth));
    if (node === null) throw new CareLedgerError("INTERNAL", "state tree node missing");
    if (node.kind === LEAF) {
      return { siblings, leaf: { keyHash: node.keyHash, valueHash: node.valueHash } };
    }
    const right = bit(keyHash, depth) === 1;
    siblings.push(right ? node.left : node.right);
    kind = right ? node.rightKind : node.leftKind;
  }
  throw new CareLedgerError("INTERNAL", "state tree deeper than its key hashes");
}
