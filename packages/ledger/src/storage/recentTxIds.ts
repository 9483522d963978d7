import { TX_TTL_MAX } from "@careledger/protocol";

/**
 * Most ids held in memory. At about 40 bytes an id (a fingerprint in a Float64Array and a Map
 * entry) that is some 40 MB; past it the oldest heights are dropped and the disk answers for them.
 */
export const RECENT_IDS_MAX = 1_000_000;

/** Hex digits of an id that make its fingerprint: 52 bits, exact in a double. */
const FINGERPRINT_HEX_DIGITS = 13;
/**
 * Heights whose ids are also kept whole, so a transaction that arrives again soon after it
 * committed (gossip that lagged behind the proposal, a client retrying) is answered "committed"
 * from memory: under `pnpm bench` at 1,200 tx/s those fingerprint hits still cost a LevelDB read
 * each (2.3% of a validator's busy time).
 */
export const RECENT_EXACT_HEIGHTS = 64;

/**
 * The ids committed in the last TX_TTL_MAX heights, so the duplicate check needs no disk read.
 * A transaction with expiry e can only have committed at a height c >= e - TX_TTL_MAX (every
 * block refuses an expiry more than TX_TTL_MAX above its height); when every such height is in
 * memory, memory alone answers "not committed". Ids are kept as 52-bit fingerprints: a
 * fingerprint seen means "maybe" (a true duplicate, or a collision) and the disk decides, so an
 * answer is never wrong, only sometimes slower. Measured before this (ids of 32 heights as hex
 * strings): admission read LevelDB for nearly every transaction of `pnpm bench` (5% of a node's
 * busy time in `getMany`), because clients sign with expiries far ahead.
 */
export class RecentTxIds {
  private readonly byHeight = new Map<number, Float64Array>();
  /** Fingerprint -> how many committed ids in memory have it. */
  private readonly counts = new Map<number, number>();
  /** The lowest height whose ids are all in memory. */
  private coveredFrom: number;
  private held = 0;
  /** The whole ids of the last RECENT_EXACT_HEIGHTS heights. */
  private readonly exactByHeight = new Map<number, readonly string[]>();
  private readonly exact = new Set<string>();

  constructor(
    head: number,
    private readonly idsMax = RECENT_IDS_MAX,
  ) {
    this.coveredFrom = head + 1;
  }

  /** Records the ids of the block committed at `height` (heights arrive in order). */
  add(height: number, idsHex: Iterable<string>): void {
    const ids = [...idsHex];
    this.exactByHeight.set(height, ids);
    for (const id of ids) this.exact.add(id);
    for (const [oldest, dropped] of this.exactByHeight) {
      if (this.exactByHeight.size <= RECENT_EXACT_HEIGHTS) break;
      this.exactByHeight.delete(oldest);
      for (const id of dropped) this.exact.delete(id);
    }
    const prints = Float64Array.from(ids, fingerprint);
    this.byHeight.set(height, prints);
    for (const print of prints) this.counts.set(print, (this.counts.get(print) ?? 0) + 1);
    this.held += prints.length;
    for (const [oldest] of this.byHeight) {
      const tooOld = oldest <= height - TX_TTL_MAX;
      if (!tooOld && this.held <= this.idsMax) break;
      this.dropHeight(oldest);
    }
  }

  /** True or false when memory is certain; undefined if only the disk can tell. */
  lookup(idHex: string, expires: number): boolean | undefined {
    if (this.exact.has(idHex)) return true;
    if (this.counts.has(fingerprint(idHex))) return undefined;
    return expires - TX_TTL_MAX >= this.coveredFrom ? false : undefined;
  }

  private dropHeight(height: number): void {
    const prints = this.byHeight.get(height) as Float64Array;
    this.byHeight.delete(height);
    for (const print of prints) {
      const count = (this.counts.get(print) ?? 1) - 1;
      if (count === 0) this.counts.delete(print);
      else this.counts.set(print, count);
    }
    this.held -= prints.length;
    this.coveredFrom = height + 1;
  }
}

function fingerprint(idHex: string): number {
  return Number.parseInt(idHex.slice(0, FINGERPRINT_HEX_DIGITS), 16);
}
