import { describe, expect, it } from "vitest";
import { settled } from "./erasure.js";

const key = (text: string) => new TextEncoder().encode(text);
const RANGE = { gte: key("records/70"), lt: key("records/71") };

/** `leveldb.sstables` as LevelDB 1.20 prints it, with the tables at the levels given. */
function listing(levels: Record<number, string[]>): string {
  let out = "";
  for (let level = 0; level < 7; level++) {
    out += `--- level ${level} ---\n`;
    for (const [index, line] of (levels[level] ?? []).entries()) {
      out += ` ${20 + index}:2112993[${line}]\n`;
    }
  }
  return out;
}

const bounds = (smallest: string, largest: string) =>
  `'${smallest}' @ 20001 : 1 .. '${largest}' @ 10151 : 0`;

describe("settled", () => {
  it("holds when the tables overlapping the range sit at one level below 0, or there are none", () => {
    expect(settled(listing({}), RANGE)).toBe(true);
    expect(settled(listing({ 2: [bounds("records/6f", "records/7a")] }), RANGE)).toBe(true);
    // Tables outside the range do not count, at any level.
    const outside = { 0: [bounds("a/00", "a/ff")], 1: [bounds("records/71", "z/00")] };
    expect(settled(listing({ ...outside, 3: [bounds("records/70", "records/70")] }), RANGE)).toBe(
      true,
    );
  });

  it("fails while an overlapping table is in level 0 or overlapping tables span two levels", () => {
    expect(settled(listing({ 0: [bounds("records/70", "records/70")] }), RANGE)).toBe(false);
    const split = {
      1: [bounds("!erasure", "records/70")],
      2: [bounds("records/70", "telemetry/31")],
    };
    expect(settled(listing(split), RANGE)).toBe(false);
  });
});
