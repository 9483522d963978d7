import { TX_TTL_MAX } from "@careledger/protocol";
import { describe, expect, it } from "vitest";
import { RECENT_EXACT_HEIGHTS, RecentTxIds } from "./recentTxIds.js";

const id = (n: number) => n.toString(16).padStart(64, "0").split("").reverse().join("");

describe("RecentTxIds", () => {
  it("answers 'not committed' from memory only when every possible height is held", () => {
    const recent = new RecentTxIds(10);
    recent.add(11, [id(1)]);
    // Expiry 11 + TTL could only have committed from height 11 on: all in memory.
    expect(recent.lookup(id(2), 11 + TX_TTL_MAX)).toBe(false);
    // Expiry 10 + TTL could have committed at 10, which memory does not hold.
    expect(recent.lookup(id(2), 10 + TX_TTL_MAX)).toBeUndefined();
  });

  it("answers a recently committed id from memory, an older one (or a fingerprint's twin) from disk", () => {
    const recent = new RecentTxIds(0);
    recent.add(1, [id(7)]);
    expect(recent.lookup(id(7), 1 + TX_TTL_MAX)).toBe(true);
    for (let height = 2; height <= RECENT_EXACT_HEIGHTS + 1; height++) recent.add(height, []);
    expect(recent.lookup(id(7), 1 + TX_TTL_MAX)).toBeUndefined();
    // Same first 13 hex digits, different id: a fingerprint collision is a "maybe", never "no".
    const twin = `${id(7).slice(0, 13)}${"f".repeat(51)}`;
    expect(recent.lookup(twin, 1 + TX_TTL_MAX)).toBeUndefined();
  });

  it("forgets heights older than the expiry window and then defers to the disk", () => {
    const recent = new RecentTxIds(0);
    recent.add(1, [id(1)]);
    for (let height = 2; height <= TX_TTL_MAX + 1; height++) recent.add(height, []);
    // Height 1 is out of every live transaction's window now: its id is forgotten.
    expect(recent.lookup(id(1), TX_TTL_MAX + 2 + TX_TTL_MAX)).toBe(false);
    expect(recent.lookup(id(1), 1 + TX_TTL_MAX)).toBeUndefined();
  });

  it("drops the oldest heights past its bound, keeping answers exact", () => {
    const recent = new RecentTxIds(0, 3);
    recent.add(1, [id(1), id(2)]);
    recent.add(2, [id(3), id(4)]);
    // Height 1's fingerprints went to respect the bound: an unknown id that could have committed
    // there asks the disk; a known one is still answered by the whole ids of recent heights.
    expect(recent.lookup(id(8), 1 + TX_TTL_MAX)).toBeUndefined();
    expect(recent.lookup(id(1), 1 + TX_TTL_MAX)).toBe(true);
    expect(recent.lookup(id(9), 2 + TX_TTL_MAX)).toBe(false);
    expect(recent.lookup(id(3), 2 + TX_TTL_MAX)).toBe(true);
  });
});
