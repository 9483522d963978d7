import type { ExecutionResult } from "@careledger/ledger";
import { toHex } from "@careledger/protocol";

/** Executed blocks kept at once; the window bounds honest use far below this. */
export const IN_FLIGHT_BLOCKS_MAX = 1_024;

/**
 * Blocks executed but not yet committed (consensus pipelines a window of heights, and a view
 * change can leave competing proposals at one height). Each result is kept by block hash; a
 * block executes on the chain of results that links it back to the committed head.
 */
export class InFlightBlocks {
  private readonly results = new Map<string, ExecutionResult>();

  get(hash: Uint8Array): ExecutionResult | undefined {
    return this.results.get(toHex(hash));
  }

  add(result: ExecutionResult): void {
    if (this.results.size >= IN_FLIGHT_BLOCKS_MAX) this.dropOldest();
    this.results.set(toHex(result.hash), result);
  }

  /**
   * The executed ancestors of a block at `height` with parent `prevHash`, lowest first, down to
   * the committed head; null when a link is missing (the parent was never executed here).
   */
  parentsOf(
    height: number,
    parentHash: Uint8Array,
    head: { readonly height: number; readonly hash: Uint8Array },
  ): ExecutionResult[] | null {
    const chain: ExecutionResult[] = [];
    let prevHash = parentHash;
    for (let below = height - 1; below > head.height; below--) {
      const parent = this.results.get(toHex(prevHash));
      if (parent === undefined || parent.header.height !== below) return null;
      chain.push(parent);
      prevHash = parent.header.prevHash;
    }
    if (toHex(prevHash) !== toHex(head.hash)) return null;
    return chain.reverse();
  }

  /** Forgets every result at or below a committed height. */
  pruneTo(height: number): void {
    for (const [hash, result] of this.results) {
      if (result.header.height <= height) this.results.delete(hash);
    }
  }

  private dropOldest(): void {
    let lowest: [string, number] | null = null;
    for (const [hash, result] of this.results) {
      if (lowest === null || result.header.height < lowest[1])
        lowest = [hash, result.header.height];
    }
    if (lowest !== null) this.results.delete(lowest[0]);
  }
}
