import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bytesEqual } from "./encoding.js";
import { fromHex, sha256, toHex } from "./hash.js";

describe("sha256", () => {
  it("gives the FIPS 180-2 digest of 'abc' as a plain Uint8Array", () => {
    const digest = sha256(new TextEncoder().encode("abc"));
    expect(toHex(digest)).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(digest.constructor).toBe(Uint8Array);
  });

  it("agrees with noble (the browser path) on any input", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2_000 }), (data) => {
        expect(sha256(data)).toEqual(nobleSha256(data));
      }),
      { numRuns: 200 },
    );
  });
});

describe("bytesEqual", () => {
  it("compares short and long arrays, views included, byte by byte", () => {
    for (const length of [0, 1, 63, 64, 65, 4_096]) {
      const a = new Uint8Array(length).map((_, i) => i % 251);
      const b = a.slice();
      expect(bytesEqual(a, b)).toBe(true);
      if (length === 0) continue;
      b[length - 1] = (b[length - 1] as number) ^ 1;
      expect(bytesEqual(a, b)).toBe(false);
      const padded = new Uint8Array(length + 3);
      padded.set(a, 3);
      expect(bytesEqual(padded.subarray(3), a)).toBe(true);
    }
    expect(bytesEqual(fromHex("00"), fromHex("0000"))).toBe(false);
  });
});
