import { describe, expect, it } from "vitest";
import { encode } from "./encoding.js";
import { merkleProof, merkleRoot } from "./merkle.js";
import {
  checkReceiptEvent,
  checkReceiptResult,
  decodeReceipt,
  encodeOkReceipt,
  encodeReceipt,
  RECEIPT_EVENTS_MAX,
  RECEIPT_RESULT_BYTES_MAX,
  type Receipt,
  verifyReceiptProof,
} from "./receipt.js";

const tx = new Uint8Array(32).fill(4);

describe("receipts with a result and events", () => {
  it("encode a plain ok receipt exactly as before results existed", () => {
    expect(encodeReceipt({ tx, status: "ok" })).toEqual(encode({ tx, status: "ok" }));
  });

  it("round-trip a result and events and prove them under the receipts root", () => {
    const receipt: Receipt = {
      tx,
      status: "ok",
      result: { decision: "permit", amount: 2n ** 60n },
      events: [{ type: "access.decided", attributes: { permit: true, record: new Uint8Array(3) } }],
    };
    const leaves = [encodeReceipt({ tx, status: "ok" }), encodeReceipt(receipt)];
    expect(decodeReceipt(leaves[1] as Uint8Array)).toEqual(receipt);
    const root = merkleRoot(leaves);
    expect(verifyReceiptProof(root, leaves[1] as Uint8Array, merkleProof(leaves, 1))).toBe(true);
  });

  it("refuse a result over its bound and events outside their schema", () => {
    expect(() => checkReceiptResult("x".repeat(RECEIPT_RESULT_BYTES_MAX))).toThrow(
      expect.objectContaining({ code: "RESULT_INVALID" }),
    );
    expect(() => checkReceiptResult({ share: 0.5 })).toThrow(
      expect.objectContaining({ code: "RESULT_INVALID" }),
    );
    const bad = [
      { type: "decided", attributes: {} },
      { type: "a.b", attributes: { nested: { no: 1 } } },
      { type: "a.b", attributes: { long: "x".repeat(257) } },
      { type: "a.b", attributes: {}, extra: 1 },
    ];
    for (const event of bad) {
      expect(() => checkReceiptEvent(event)).toThrow(
        expect.objectContaining({ code: "RESULT_INVALID" }),
      );
    }
    // A lone surrogate passes the schema's string check but has no canonical encoding.
    for (const event of [
      { type: "a.b", attributes: { note: "x\uD800" } },
      { type: "a.b", attributes: { n: 1, note: "\uDC89 alone" } },
    ]) {
      expect(() => checkReceiptEvent(event)).toThrow(
        expect.objectContaining({ code: "RESULT_INVALID" }),
      );
    }
    const oversized = encode({ tx, status: "ok", result: "x".repeat(RECEIPT_RESULT_BYTES_MAX) });
    expect(() => decodeReceipt(oversized)).toThrow(
      expect.objectContaining({ code: "ENCODING_INVALID" }),
    );
    const noEvents = encode({ tx, status: "ok", events: [] });
    expect(() => decodeReceipt(noEvents)).toThrow(
      expect.objectContaining({ code: "ENCODING_INVALID" }),
    );
  });
});

describe("an ok receipt composed from its encoded parts", () => {
  it("is encodeReceipt's bytes at the fixarray edge and at RECEIPT_EVENTS_MAX events", () => {
    for (const count of [1, 15, RECEIPT_EVENTS_MAX]) {
      const events = Array.from({ length: count }, (_, i) => ({
        type: "a.b",
        attributes: { i, note: "x".repeat(i * 20) },
      }));
      const result = { decision: "permit", n: 2n ** 60n };
      const composed = encodeOkReceipt(tx, encode(result), events.map(encode));
      expect([...composed]).toEqual([...encodeReceipt({ tx, status: "ok", result, events })]);
      expect([...encodeOkReceipt(tx, undefined, events.map(encode))]).toEqual([
        ...encodeReceipt({ tx, status: "ok", events }),
      ]);
    }
    expect([...encodeOkReceipt(tx, undefined, undefined)]).toEqual([
      ...encodeReceipt({ tx, status: "ok" }),
    ]);
  });
});

describe("checked receipt outputs", () => {
  it("are copies, so a handler changing its object after the check changes nothing", () => {
    const result = { decision: "permit" as string };
    const attributes: Record<string, string> = { who: "a" };
    const checkedResult = checkReceiptResult(result);
    const checkedEvent = checkReceiptEvent({ type: "a.b", attributes });
    result.decision = "\uD800";
    attributes.who = "\uD800";
    expect(checkedResult.value).toEqual({ decision: "permit" });
    expect(checkedEvent.value).toEqual({ type: "a.b", attributes: { who: "a" } });
    // The bytes checked, which the receipt reuses (msgpackr hangs a DataView on what it reads).
    expect([...checkedResult.bytes]).toEqual([...encode({ decision: "permit" })]);
    expect([...checkedEvent.bytes]).toEqual([...encode({ type: "a.b", attributes: { who: "a" } })]);
  });
});
