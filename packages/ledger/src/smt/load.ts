import {
  childPath,
  EMPTY,
  INTERNAL,
  type InternalNode,
  LEAF,
  type NodeKind,
  pathKey,
  STATE_TREE_RADIX,
  type TreeNode,
} from "./node.js";
import { type LeafUpdate, splitBySlot } from "./update.js";

/** Reads nodes by path key, many at once (in-flight overlays, then a cache, then the disk). */
export type NodeReader = (paths: readonly string[]) => Promise<ReadonlyArray<TreeNode | null>>;

interface Pending {
  readonly depth: number;
  readonly lo: number;
  readonly hi: number;
  /** Set for a sibling loaded only because a removal may pull its leaf up. */
  readonly path?: string;
}

/**
 * Loads every node `applyUpdates` will read, one tree level at a time so each level costs one
 * batched read instead of one read per node. Below a node whose range holds a removal it also
 * loads leaf siblings, which a removal can pull up a level.
 */
export async function loadPaths(
  rootKind: NodeKind,
  updates: readonly LeafUpdate[],
  read: NodeReader,
): Promise<Map<string, TreeNode | null>> {
  const loaded = new Map<string, TreeNode | null>();
  let level: Pending[] =
    rootKind === EMPTY || updates.length === 0 ? [] : [{ depth: 0, lo: 0, hi: updates.length }];
  while (level.length > 0) {
    const paths = level.map(
      (entry) => entry.path ?? pathKey((updates[entry.lo] as LeafUpdate).keyHash, entry.depth),
    );
    const nodes = await read(paths.filter((path) => !loaded.has(path)));
    let next = 0;
    for (const path of paths) {
      if (!loaded.has(path)) loaded.set(path, nodes[next++] ?? null);
    }
    const below: Pending[] = [];
    level.forEach((entry, index) => {
      const path = paths[index] as string;
      const node = loaded.get(path);
      if (node?.kind === INTERNAL && entry.path === undefined) {
        descend(entry, node, updates, path, below);
      }
    });
    level = below;
  }
  return loaded;
}

function descend(
  entry: Pending,
  node: InternalNode,
  updates: readonly LeafUpdate[],
  path: string,
  below: Pending[],
): void {
  const at = (index: number) => (updates[index] as LeafUpdate).keyHash;
  const bounds = splitBySlot(at, entry.depth, entry.lo, entry.hi);
  let removes = false;
  for (let i = entry.lo; i < entry.hi && !removes; i++) {
    removes = (updates[i] as LeafUpdate).valueHash === null;
  }
  for (let slot = 0; slot < STATE_TREE_RADIX; slot++) {
    const kind = node.kinds[slot];
    const lo = bounds[slot] as number;
    const hi = bounds[slot + 1] as number;
    if (kind === EMPTY) continue;
    if (lo < hi) below.push({ depth: entry.depth + 1, lo, hi });
    else if (removes && kind === LEAF) {
      below.push({ depth: entry.depth + 1, lo, hi, path: childPath(path, slot) });
    }
  }
}
