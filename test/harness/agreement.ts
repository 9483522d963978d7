import { expect } from "vitest";
import type { Cluster } from "./cluster.js";

/** Every listed node holds the same block hash at every height from 1 to `height`. */
export async function expectAgreement(
  cluster: Cluster,
  nodes: readonly number[],
  height: number,
): Promise<void> {
  for (let h = 1; h <= height; h++) {
    const hashes = await Promise.all(nodes.map((index) => cluster.blockHash(index, h)));
    expect(new Set(hashes).size, `nodes ${nodes.join(",")} disagree at height ${h}`).toBe(1);
  }
}

/** Waits until every listed node is at `height` or above; returns the lowest height reached. */
export async function waitAllAtHeight(
  cluster: Cluster,
  nodes: readonly number[],
  height: number,
  timeoutMs: number,
): Promise<number> {
  const statuses = await Promise.all(
    nodes.map((index) => cluster.waitForHeight(index, height, timeoutMs)),
  );
  return Math.min(...statuses.map((status) => status.height));
}
