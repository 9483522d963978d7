import { CareLedgerError } from "@careledger/protocol";
import { leafHash, nodeHash } from "./hashing.js";
import {
  childPath,
  EMPTY,
  EMPTY_SUBTREE,
  INTERNAL,
  type InternalNode,
  LEAF,
  type LeafNode,
  type NodeKind,
  type NodeWrites,
  nibble,
  pathKey,
  STATE_TREE_RADIX,
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

/**
 * Splits the sorted range [lo, hi) of key hashes, which share their first `depth` nibbles, by
 * nibble `depth`: bounds[slot] to bounds[slot + 1] is the range of child `slot`.
 */
export function splitBySlot(
  keyHashes: (index: number) => Uint8Array,
  depth: number,
  lo: number,
  hi: number,
): number[] {
  const bounds: number[] = [lo];
  let index = lo;
  for (let slot = 0; slot < STATE_TREE_RADIX; slot++) {
    while (index < hi && nibble(keyHashes(index), depth) === slot) index++;
    bounds.push(index);
  }
  return bounds;
}

class TreeWalk {
  private readonly keyHashAt = (index: number) => (this.updates[index] as LeafUpdate).keyHash;

  constructor(
    private readonly loaded: LoadedNodes,
    private readonly writes: NodeWrites,
    private readonly updates: readonly LeafUpdate[],
  ) {}

  visit(depth: number, current: Subtree, lo: number, hi: number): Subtree {
    if (lo === hi) return current;
    const path = pathKey(this.keyHashAt(lo), depth);
    if (current.kind !== INTERNAL) {
      const existing = current.kind === LEAF ? this.leafAt(path, current) : null;
      return this.build(depth, path, this.merge(existing, lo, hi), current);
    }
    const node = this.need(path);
    if (node.kind !== INTERNAL) throw new CareLedgerError("INTERNAL", "state tree inconsistent");
    const bounds = splitBySlot(this.keyHashAt, depth, lo, hi);
    const children: Subtree[] = [];
    for (let slot = 0; slot < STATE_TREE_RADIX; slot++) {
      const child = { kind: node.kinds[slot] as NodeKind, hash: node.hashes[slot] as Uint8Array };
      children.push(
        this.visit(depth + 1, child, bounds[slot] as number, bounds[slot + 1] as number),
      );
    }
    return this.combine(path, children);
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
    path: string,
    leaves: readonly LeafNode[],
    before: Subtree,
  ): Subtree {
    if (leaves.length === 0) {
      if (before.kind !== EMPTY) this.writes.set(path, null);
      return EMPTY_SUBTREE;
    }
    if (leaves.length === 1) {
      const leaf = leaves[0] as LeafNode;
      this.writes.set(path, leaf);
      return { kind: LEAF, hash: leafHash(leaf.keyHash, leaf.valueHash), leaf };
    }
    const at = (index: number) => (leaves[index] as LeafNode).keyHash;
    const bounds = splitBySlot(at, depth, 0, leaves.length);
    const children: Subtree[] = [];
    for (let slot = 0; slot < STATE_TREE_RADIX; slot++) {
      const group = leaves.slice(bounds[slot], bounds[slot + 1]);
      const child = childPath(path, slot);
      children.push(this.build(depth + 1, child, group, EMPTY_SUBTREE));
    }
    return this.writeInternal(path, children);
  }

  private combine(path: string, children: readonly Subtree[]): Subtree {
    let present = 0;
    let lone = 0;
    for (let slot = 0; slot < STATE_TREE_RADIX; slot++) {
      if ((children[slot] as Subtree).kind !== EMPTY) {
        present++;
        lone = slot;
      }
    }
    if (present === 0) {
      this.writes.set(path, null);
      return EMPTY_SUBTREE;
    }
    const only = children[lone] as Subtree;
    // A subtree holding one leaf is that leaf, one level up: the tree stays canonical.
    if (present === 1 && only.kind === LEAF) {
      const lonePath = childPath(path, lone);
      const leaf = only.leaf ?? this.leafAt(lonePath, only);
      this.writes.set(lonePath, null);
      this.writes.set(path, leaf);
      return { kind: LEAF, hash: only.hash, leaf };
    }
    return this.writeInternal(path, children);
  }

  private writeInternal(path: string, children: readonly Subtree[]): Subtree {
    const hashes = children.map((child) => child.hash);
    const node: InternalNode = {
      kind: INTERNAL,
      kinds: children.map((child) => child.kind),
      hashes,
    };
    this.writes.set(path, node);
    return { kind: INTERNAL, hash: nodeHash(node.kinds, hashes) };
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
