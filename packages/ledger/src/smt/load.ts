import {
  bit,
  childPath,
  EMPTY,
  INTERNAL,
  LEAF,
  type NodeKind,
  pathKey,
  type TreeNode,
} from "./node.js";
import type { LeafUpdate } from "./update.js";

/** Reads nodes by path key, many at once (in-flight overlays, then a cache, then the disk). */
export type NodeReader = (paths: readonly string[]) => Promise<ReadonlyArray<TreeNode | null>>;

interface Pending {
  readonly depth: number;
  readonly kind: NodeKind;
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
    rootKind === EMPTY || updates.length === 0
      ? []
      : [{ depth: 0, kind: rootKind, lo: 0, hi: updates.length }];
  while (level.length > 0) {
    const paths = level.map((entry) => entry.path ?? pathOf(updates, entry));
    const nodes = await read(paths.filter((path) => !loaded.has(path)));
    let next = 0;
    for (const path of paths) {
      if (!loaded.has(path)) loaded.set(path, nodes[next++] ?? null);
    }
    const below: Pending[] = [];
    level.forEach((entry, index) => {
      const node = loaded.get(paths[index] as string);
      if (node?.kind === INTERNAL && entry.path === undefined) {
        descend(entry, node, updates, paths[index] as string, below);
      }
    });
    level = below;
  }
  return loaded;
}

function descend(
  entry: Pending,
  node: TreeNode & { kind: typeof INTERNAL },
  updates: readonly LeafUpdate[],
  path: string,
  below: Pending[],
): void {
  let mid = entry.lo;
  while (mid < entry.hi && bit((updates[mid] as LeafUpdate).keyHash, entry.depth) === 0) mid++;
  let removes = false;
  for (let i = entry.lo; i < entry.hi && !removes; i++) {
    removes = (updates[i] as LeafUpdate).valueHash === null;
  }
  const sides: Array<[NodeKind, number, number, number]> = [
    [node.leftKind, entry.lo, mid, 0],
    [node.rightKind, mid, entry.hi, 1],
  ];
  for (const [kind, lo, hi, side] of sides) {
    if (kind === EMPTY) continue;
    if (lo < hi) below.push({ depth: entry.depth + 1, kind, lo, hi });
    else if (removes && kind === LEAF) {
      below.push({ depth: entry.depth + 1, kind, lo, hi, path: childPath(path, side) });
    }
  }
}

function pathOf(updates: readonly LeafUpdate[], entry: Pending): string {
  return pathKey((updates[entry.lo] as LeafUpdate).keyHash, entry.depth);
}

/** The root's kind, which a parent would otherwise tell: read from the root node itself. */
export function rootKindOf(root: TreeNode | null): NodeKind {
  return root === null ? EMPTY : root.kind;
}
