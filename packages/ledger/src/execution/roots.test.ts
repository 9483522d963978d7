import { encodeReceipt, merkleRoot, type Receipt, receiptsRootOf } from "@careledger/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { merkleRootFast, receiptsRootFast } from "./roots.js";

describe("fast Merkle roots", () => {
  it("equal protocol's merkleRoot for any list of leaves", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 70 }), (leaves) => {
        expect(merkleRootFast(leaves)).toEqual(merkleRoot(leaves));
      }),
    );
  });

  it("equal protocol's receiptsRootOf", () => {
    const receipts: Receipt[] = [
      { tx: new Uint8Array(32).fill(1), status: "ok" },
      { tx: new Uint8Array(32).fill(2), status: "failed", code: "NOT_FOUND", reason: "no" },
      { tx: new Uint8Array(32).fill(3), status: "ok" },
    ];
    expect(receiptsRootFast(receipts.map(encodeReceipt))).toEqual(receiptsRootOf(receipts));
  });
});
