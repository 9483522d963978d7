import { describe, expect, it } from "vitest";
import { meanBytesOf, sizeStats } from "./sizes.js";

describe("size stats", () => {
  it("gives count, share, mean, lower median and max per type", () => {
    const txs = [
      { type: "a", bytes: 300 },
      { type: "b", bytes: 1_000 },
      { type: "a", bytes: 100 },
      { type: "a", bytes: 200 },
      { type: "a", bytes: 1_000 },
    ];
    expect(sizeStats(txs)).toEqual({
      a: { count: 4, share: 0.8, meanBytes: 400, p50Bytes: 200, maxBytes: 1_000 },
      b: { count: 1, share: 0.2, meanBytes: 1_000, p50Bytes: 1_000, maxBytes: 1_000 },
    });
    expect(sizeStats([])).toEqual({});
  });

  it("weights the mean over the mix by count", () => {
    const mix = sizeStats([
      { type: "a", bytes: 100 },
      { type: "a", bytes: 100 },
      { type: "a", bytes: 100 },
      { type: "b", bytes: 500 },
    ]);
    expect(meanBytesOf(mix)).toBe(200);
    expect(meanBytesOf({})).toBe(0);
  });
});
