import { toHex } from "@careledger/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hexOf } from "./hex.js";

describe("hexOf", () => {
  it("gives protocol's toHex text, also for views into larger buffers", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat({ max: 8 }), (bytes, start) => {
        const view = bytes.subarray(Math.min(start, bytes.length));
        expect(hexOf(view)).toBe(toHex(view));
      }),
    );
  });
});
