import { TX_TTL_MAX } from "@careledger/protocol";

/** Committed heights whose transaction ids stay in memory for the duplicate check. */
export const RECENT_ID_HEIGHTS = 32;

/**
 * The ids committed in the last few heights, so most duplicate checks need no disk read. A
 * transaction with expiry e can only have committed at a height c >= e - TX_TTL_MAX (every block
 * refuses an expiry more than TX_TTL_MAX above its height); when every such height is in memory,
 * memory alone answers. Clients normally set expiry near the maximum, so the disk is rarely asked.
 */
export class RecentTxIds {
  private readonly byHeight = new Map<number, readonly string[]>();
  private readonly ids = new Set<string>();
  /** The lowest height whose ids are all in memory. */
  private coveredFrom: number;

  constructor(head: number) {
    this.coveredFrom = head + 1;
  }

  add(height: number, ids: Iterable<string>): void {
    const list = [...ids];
    this.byHeight.set(height, list);
    for (const id of list) this.ids.add(id);
    while (this.byHeight.size > RECENT_ID_HEIGHTS) {
      const [oldest, dropped] = this.byHeight.entries().next().value as [number, string[]];
      this.byHeight.delete(oldest);
      for (const id of dropped) this.ids.delete(id);
      this.coveredFrom = oldest + 1;
    }
  }

  /** True if committed, false if certainly not, undefined if only the disk can tell. */
  lookup(idHex: string, expires: number): boolean | undefined {
    if (this.ids.has(idHex)) return true;
    return expires - TX_TTL_MAX >= this.coveredFrom ? false : undefined;
  }
}
