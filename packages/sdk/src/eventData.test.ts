import { CareLedgerError } from "@careledger/protocol";
import { describe, expect, it } from "vitest";
import { blockEventOf, txEventOf } from "./eventData.js";

const HASH = "ab".repeat(32);
const KEY = "cd".repeat(32);

describe("event data", () => {
  it("reads block and tx events as the api serializes them", () => {
    const block = {
      id: "7",
      event: "block",
      data: { type: "block", height: 7, hash: HASH, time: 1_700_000_000_000, txCount: 2 },
    };
    expect(blockEventOf(block)).toEqual({
      height: 7,
      hash: HASH,
      time: 1_700_000_000_000,
      txCount: 2,
    });
    expect(txEventOf(block)).toBeNull();
    const failed = { ok: false, code: "ORG_NOT_FOUND", reason: "no organization x" };
    const tx = {
      id: "7-1",
      event: "tx",
      data: {
        type: "tx",
        height: 7,
        index: 1,
        id: HASH,
        txType: "identity.register",
        from: KEY,
        receipt: failed,
      },
    };
    expect(txEventOf(tx)).toEqual({
      height: 7,
      index: 1,
      id: HASH,
      txType: "identity.register",
      from: KEY,
      receipt: failed,
    });
    expect(blockEventOf(tx)).toBeNull();
  });

  it("throws on a malformed event rather than passing bad data on", () => {
    const bad = { id: "7", event: "block", data: { height: -1, hash: HASH, time: 0, txCount: 0 } };
    expect(() => blockEventOf(bad)).toThrow(CareLedgerError);
    const shortId = {
      id: "7-0",
      event: "tx",
      data: { height: 7, index: 0, id: "ab", txType: "x", from: KEY, receipt: { ok: true } },
    };
    expect(() => txEventOf(shortId)).toThrow(/tx event.id/);
  });
});
