import { describe, expect, it } from "vitest";
import { StateValueCache } from "./valueCache.js";

const bytes = (...values: number[]) => Uint8Array.from(values);

describe("StateValueCache", () => {
  it("answers what a read filled, absences included, and undefined for the unknown", () => {
    const cache = new StateValueCache(10);
    cache.fill(cache.generation, "a", bytes(1));
    cache.fill(cache.generation, "b", null);
    expect(cache.get("a")).toEqual(bytes(1));
    expect(cache.get("b")).toBeNull();
    expect(cache.get("c")).toBeUndefined();
  });

  it("drops a read that a commit overtook", () => {
    const cache = new StateValueCache(10);
    const before = cache.generation;
    cache.committed([["a", bytes(2)]]);
    cache.fill(before, "a", bytes(1));
    expect(cache.get("a")).toBeUndefined();
  });

  it("takes a commit's writes for the keys it holds, deletions as absences", () => {
    const cache = new StateValueCache(10);
    cache.fill(cache.generation, "a", bytes(1));
    cache.fill(cache.generation, "b", bytes(1));
    cache.committed([
      ["a", bytes(2)],
      ["b", null],
      ["new", bytes(3)],
    ]);
    expect(cache.get("a")).toEqual(bytes(2));
    expect(cache.get("b")).toBeNull();
    // Not cached until read: a block's fresh keys would evict the ones admission reads.
    expect(cache.get("new")).toBeUndefined();
  });

  it("evicts the oldest entry past its bound", () => {
    const cache = new StateValueCache(2);
    for (const key of ["a", "b", "c"]) cache.fill(cache.generation, key, bytes(0));
    expect(cache.size).toBe(2);
    expect(cache.get("a")).toBeUndefined();
    expect(cache.get("c")).toEqual(bytes(0));
  });

  it("forgets everything when the whole state is replaced, and a read from before fills nothing", () => {
    const cache = new StateValueCache(10);
    cache.fill(cache.generation, "a", null);
    const before = cache.generation;
    cache.replaced();
    cache.fill(before, "b", bytes(1));
    expect([cache.get("a"), cache.get("b"), cache.size]).toEqual([undefined, undefined, 0]);
  });
});
