import type { TreeNode } from "./node.js";

/**
 * Committed tree nodes kept in memory, so the upper levels, which every block rewrites, never
 * come from disk. Evicts the oldest insertion first: a node every block rewrites is always young.
 */
export class NodeCache {
  private readonly nodes = new Map<string, TreeNode>();

  constructor(private readonly entriesMax: number) {
    if (!Number.isInteger(entriesMax) || entriesMax < 1) throw new RangeError("cache size");
  }

  get(path: string): TreeNode | undefined {
    return this.nodes.get(path);
  }

  set(path: string, node: TreeNode): void {
    this.nodes.delete(path);
    this.nodes.set(path, node);
    if (this.nodes.size > this.entriesMax) {
      const oldest = this.nodes.keys().next().value as string;
      this.nodes.delete(oldest);
    }
  }

  delete(path: string): void {
    this.nodes.delete(path);
  }

  get size(): number {
    return this.nodes.size;
  }
}
