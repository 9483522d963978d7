import { encodeMessage, type NewViewMessage, signMessage } from "@careledger/consensus";
import { CareLedgerError, encode, generateSecretKey, keySigner } from "@careledger/protocol";
import { describe, expect, test } from "vitest";
import { decodeRecord, encodeRecord, recordKey } from "./persistCodec.js";

const chainId = new Uint8Array(32).fill(3);
const signers = [0, 1, 2].map(() => keySigner(generateSecretKey()));

function newViewOf(view: number): NewViewMessage {
  const viewChanges = signers.map((signer) =>
    signMessage(chainId, signer, {
      kind: "viewchange",
      view,
      committedHeight: 0,
      committedHash: new Uint8Array(32).fill(9),
      certificate: null,
      prepared: [],
      blocks: [],
    }),
  );
  return signMessage(chainId, signers[1] as never, { kind: "newview", view, viewChanges });
}

describe("consensus log view records", () => {
  test("a view record keeps its new view through the disk", () => {
    const record = {
      type: "view",
      view: 4,
      changing: false,
      newView: newViewOf(4),
      entered: 4,
      votesAbove: 0,
    } as const;
    const decoded = decodeRecord(encodeRecord(record));
    expect(decoded).toEqual(record);
    expect(recordKey(decoded)).toBe("view");
  });

  test("a changing view record has no new view", () => {
    const record = {
      type: "view",
      view: 5,
      changing: true,
      newView: null,
      entered: 4,
      votesAbove: 0,
    } as const;
    expect(decodeRecord(encodeRecord(record))).toEqual(record);
  });

  test("a return to a lower view keeps the height its votes must stay above", () => {
    const record = {
      type: "view",
      view: 3,
      changing: false,
      newView: null,
      entered: 3,
      votesAbove: 41,
    } as const;
    expect(decodeRecord(encodeRecord(record))).toEqual(record);
    const negative = encode({ type: "view", view: 3, changing: false, votesAbove: -1 });
    expect(() => decodeRecord(negative)).toThrow(/not whole/);
  });

  test("a record written before new views were kept decodes without one", () => {
    const old = encode({ type: "view", view: 2, changing: false });
    // Nor a return or a voting floor: entered is its view (no return below it), no floor.
    expect(decodeRecord(old)).toEqual({
      type: "view",
      view: 2,
      changing: false,
      newView: null,
      entered: 2,
      votesAbove: 0,
    });
  });

  test("a view record holding anything but a new view is refused as a corrupt log", () => {
    const vote = signMessage(chainId, signers[0] as never, {
      kind: "prepare",
      height: 1,
      view: 0,
      hash: new Uint8Array(32),
    });
    const other = encode({ type: "view", view: 1, changing: false, newView: encodeMessage(vote) });
    expect(() => decodeRecord(other)).toThrow(CareLedgerError);
    const text = encode({ type: "view", view: 1, changing: false, newView: "v1" });
    expect(() => decodeRecord(text)).toThrow(/not bytes/);
    const garbage = encode({ type: "view", view: 1, changing: false, newView: Uint8Array.of(1) });
    expect(() => decodeRecord(garbage)).toThrow(CareLedgerError);
  });
});
