import { CareLedgerError } from "@careledger/protocol";
import { leafHash, nodeHash } from "./hashing.js";
import {
  bit,
  childPath,
  EMPTY,
  EMPTY_SUBTREE,
  INTERNAL,
  type InternalNode,
  LEAF,
  type LeafNode,
  type NodeKind,
  type NodeWrites,
  pathKey,
  type Subtree,
  type TreeNode,
} from "./node.js";

/** One change to the tree: the key's hash and its value's hash, or null to remove the key. */
export interface LeafUpdate {
  readonly keyHash: Uint8Array;
  readonly valueHash: Uint8Array | null;
}

export function compareKeyHashes(a: LeafUpdate, b: LeafUpdate): number {
  return Buffer.compare(a.keyHash, b.keyHash);
}

/** The node a path key names, as loaded beforehand (see load.ts); undefined if never loaded. */
export type LoadedNodes = (path: string) => TreeNode | null | undefined;

/**
 * Applies sorted, distinct updates to the tree in one pass: every node on a touched path is
 * rehashed once, untouched subtrees keep the hash their parent stores. Pure and synchronous: the
 * nodes it reads were loaded before (load.ts), and it records the nodes it writes or removes.
 */
export function applyUpdates(
  root: Subtree,
  updates: readonly LeafUpdate[],
  loaded: LoadedNodes,
  writes: NodeWrites,
): Subtree {
  const walk = new TreeWalk(loaded, writes, updates);
  return walk.visit(0, root, 0, updates.length);
}

class TreeWalk {
  constructor(
    private readonly loaded: LoadedNodes,
    private readonly writes: NodeWrites,
    private readonly updates: readonly LeafUpdate[],
  ) {}

  visit(depth: number, current: Subtree, lo: number, hi: number): Subtree {
    if (lo === hi) return current;
    const representative = (this.updates[lo] as LeafUpdate).keyHash;
    const path = pathKey(representative, depth);
    if (current.kind !== INTERNAL) {
      const existing = current.kind === LEAF ? this.leafAt(path, current) : null;
      return this.build(depth, representative, this.merge(existing, lo, hi), current);
    }
    const node = this.need(path);
    if (node.kind !== INTERNAL) throw new CareLedgerError("INTERNAL", "state tree inconsistent");
    const mid = this.splitIndex(depth, lo, hi);
    const left = this.visit(depth + 1, childOf(node.leftKind, node.left), lo, mid);
    const right = this.visit(depth + 1, childOf(node.rightKind, node.right), mid, hi);
    return this.combine(path, left, right);
  }

  /** The leaves a leaf-or-empty subtree holds after the updates, sorted by key hash. */
  private merge(existing: LeafNode | null, lo: number, hi: number): LeafNode[] {
    const out: LeafNode[] = [];
    let existingDone = existing === null;
    for (let i = lo; i < hi; i++) {
      const update = this.updates[i] as LeafUpdate;
      if (!existingDone && existing) {
        const order = Buffer.compare(existing.keyHash, update.keyHash);
        if (order < 0) out.push(existing);
        if (order <= 0) existingDone = true;
      }
      if (update.valueHash !== null) {
        out.push({ kind: LEAF, keyHash: update.keyHash, valueHash: update.valueHash });
      }
    }
    if (!existingDone && existing) out.push(existing);
    return out;
  }

  /** Builds the canonical subtree of `leaves` at a path that held at most one leaf before. */
  private build(
    depth: number,
    representative: Uint8Array,
    leaves: readonly LeafNode[],
    before: Subtree,
  ): Subtree {
    const path = pathKey(representative, depth);
    if (leaves.length === 0) {
      if (before.kind !== EMPTY) this.writes.set(path, null);
      return EMPTY_SUBTREE;
    }
    if (leaves.length === 1) {
      const leaf = leaves[0] as LeafNode;
      this.writes.set(path, leaf);
      return { kind: LEAF, hash: leafHash(leaf.keyHash, leaf.valueHash), leaf };
    }
    let mid = 0;
    while (mid < leaves.length && bit((leaves[mid] as LeafNode).keyHash, depth) === 0) mid++;
    const leftLeaves = leaves.slice(0, mid);
    const rightLeaves = leaves.slice(mid);
    const left = this.build(depth + 1, representativeOf(leftLeaves), leftLeaves, EMPTY_SUBTREE);
    const right = this.build(depth + 1, representativeOf(rightLeaves), rightLeaves, EMPTY_SUBTREE);
    return this.writeInternal(path, left, right);
  }

  private combine(path: string, left: Subtree, right: Subtree): Subtree {
    if (left.kind === EMPTY && right.kind === EMPTY) {
      this.writes.set(path, null);
      return EMPTY_SUBTREE;
    }
    // A subtree holding one leaf is that leaf, one level up: the tree stays canonical.
    const lone = left.kind === EMPTY ? right : right.kind === EMPTY ? left : null;
    if (lone !== null && lone.kind === LEAF) {
      const lonePath = childPath(path, left.kind === EMPTY ? 1 : 0);
      const leaf = lone.leaf ?? this.leafAt(lonePath, lone);
      this.writes.set(lonePath, null);
      this.writes.set(path, leaf);
      return { kind: LEAF, hash: lone.hash, leaf };
    }
    return this.writeInternal(path, left, right);
  }

  private writeInternal(path: string, left: Subtree, right: Subtree): Subtree {
    const node: InternalNode = {
      kind: INTERNAL,
      leftKind: left.kind,
      rightKind: right.kind,
      left: left.hash,
      right: right.hash,
    };
    this.writes.set(path, node);
    return { kind: INTERNAL, hash: nodeHash(left.hash, right.hash) };
  }

  private splitIndex(depth: number, lo: number, hi: number): number {
    let mid = lo;
    while (mid < hi && bit((this.updates[mid] as LeafUpdate).keyHash, depth) === 0) mid++;
    return mid;
  }

  private leafAt(path: string, subtree: Subtree): LeafNode {
    if (subtree.leaf) return subtree.leaf;
    const node = this.need(path);
    if (node.kind !== LEAF) throw new CareLedgerError("INTERNAL", "state tree inconsistent");
    return node;
  }

  private need(path: string): TreeNode {
    const node = this.loaded(path);
    if (!node) throw new CareLedgerError("INTERNAL", "state tree node was not loaded");
    return node;
  }
}

function childOf(kind: NodeKind, hash: Uint8Array): Subtree {
  return { kind, hash };
}

/** A leafless side of a split builds nothing, so any key hash names its (unused) path. */
function representativeOf(leaves: readonly LeafNode[]): Uint8Array {
  return (leaves[0] as LeafNode | undefined)?.keyHash ?? NO_LEAVES;
}

const NO_LEAVES = new Uint8Array(32);
