import { describe, expect, it } from "vitest";
import {
  blockHash,
  decodeBlock,
  decodeHeader,
  encodeBlock,
  encodeHeader,
  type Header,
  txRootOf,
} from "./block.js";
import { bytesEqual, type Canonical, decode, encode } from "./encoding.js";
import { sha256 } from "./hash.js";
import { keySigner } from "./keys.js";
import { BLOCK_TXS_MAX } from "./limits.js";
import { merkleRoot } from "./merkle.js";
import { type SignedTx, signTx } from "./tx.js";

const CHAIN = sha256(Uint8Array.of(1));
const signer = keySigner(new Uint8Array(32).fill(5));
const hashOf = (label: number) => sha256(Uint8Array.of(label));

const txs: SignedTx[] = [0, 1, 2].map((index) =>
  signTx(
    {
      v: 1,
      chain: CHAIN,
      type: "claim.submit",
      nonce: Uint8Array.of(index, 0, 0, 0, 0, 0, 0, 0),
      expires: 50,
      payload: { amount: 12_500 + index },
    },
    signer,
  ),
);

function header(overrides: Partial<Header> = {}): Header {
  return {
    v: 1,
    chain: CHAIN,
    height: 7,
    prevHash: hashOf(10),
    time: 1_763_700_000_000,
    proposer: signer.publicKey,
    view: 0,
    txRoot: txRootOf(txs),
    stateRoot: hashOf(11),
    receiptsRoot: hashOf(12),
    validatorsHash: hashOf(13),
    nextValidatorsHash: hashOf(13),
    ...overrides,
  };
}

const invalid = expect.objectContaining({ code: "BLOCK_INVALID" });

describe("blocks", () => {
  it("round-trips through encodeBlock and decodeBlock", () => {
    const bytes = encodeBlock({ header: header(), txs });
    const decoded = decodeBlock(bytes);
    expect(decoded.header).toEqual(header());
    expect(decoded.txs.map((signed) => signed.tx)).toEqual(txs.map((signed) => signed.tx));
    expect(decoded.txs.every((signed, i) => bytesEqual(signed.id, txs[i]?.id ?? hashOf(0)))).toBe(
      true,
    );
    expect(bytesEqual(encodeBlock(decoded), bytes)).toBe(true);
  });

  it("takes known transactions as they are, and decodes the rest", () => {
    const bytes = encodeBlock({ header: header(), txs });
    const first = txs[0] as SignedTx;
    const asked: string[] = [];
    const decoded = decodeBlock(bytes, (id) => {
      asked.push(Buffer.from(id).toString("hex"));
      return bytesEqual(id, first.id) ? first : undefined;
    });
    expect(asked).toHaveLength(txs.length);
    expect(decoded.txs[0]).toBe(first);
    expect(decoded.txs[1]).not.toBe(txs[1]);
    expect(decoded.txs[1]?.tx).toEqual(txs[1]?.tx);
  });

  it("decodes a transaction whose known twin has other bytes", () => {
    const bytes = encodeBlock({ header: header(), txs });
    const impostor = { ...(txs[1] as SignedTx), bytes: Uint8Array.of(1, 2, 3) };
    const decoded = decodeBlock(bytes, () => impostor);
    expect(decoded.txs.every((signed) => signed !== impostor)).toBe(true);
    expect(bytesEqual(encodeBlock(decoded), bytes)).toBe(true);
  });

  it("round-trips an empty block, whose txRoot is the empty tree's root", () => {
    const empty = header({ txRoot: merkleRoot([]) });
    expect(decodeBlock(encodeBlock({ header: empty, txs: [] })).txs).toEqual([]);
  });

  it("hashes a block as the SHA-256 of its header's canonical encoding", () => {
    expect(blockHash(header())).toEqual(sha256(encodeHeader(header())));
    expect(decodeHeader(encodeHeader(header()))).toEqual(header());
    expect(blockHash(header({ view: 1 }))).not.toEqual(blockHash(header()));
  });

  it("refuses a block whose txRoot does not match its transactions", () => {
    expect(() => decodeBlock(encodeBlock({ header: header({ txRoot: hashOf(0) }), txs }))).toThrow(
      invalid,
    );
    const reordered = [txs[1], txs[0], txs[2]] as SignedTx[];
    expect(() => decodeBlock(encodeBlock({ header: header(), txs: reordered }))).toThrow(invalid);
    expect(() => decodeBlock(encodeBlock({ header: header(), txs: txs.slice(1) }))).toThrow(
      invalid,
    );
  });

  it.each([
    ["a missing field", { stateRoot: undefined }],
    ["a short hash", { prevHash: new Uint8Array(31) }],
    ["a negative height", { height: -1 }],
    ["another version", { v: 2 }],
    ["a bigint time", { time: 2n ** 60n }],
    ["an extra field", { extra: 1 }],
  ])("refuses a header with %s", (_name, change) => {
    const bad = Object.fromEntries(
      Object.entries({ ...header(), ...change }).filter(([, value]) => value !== undefined),
    ) as unknown as Header;
    expect(() => encodeHeader(bad)).toThrow(invalid);
    expect(() => decodeHeader(encode(bad as unknown as Canonical))).toThrow(invalid);
    const wire = encode({ header: bad as unknown as Canonical, txs: [] });
    expect(() => decodeBlock(wire)).toThrow(invalid);
  });

  it("refuses blocks of the wrong shape or with a malformed transaction", () => {
    const good = decode(encodeBlock({ header: header(), txs })) as { [key: string]: Canonical };
    const variants: Canonical[] = [
      [good.header ?? null, good.txs ?? null],
      { ...good, extra: 1 },
      { header: good.header ?? null },
      { ...good, txs: [1, 2] },
      { ...good, txs: [Uint8Array.of(0xc0)] },
      { ...good, txs: "none" },
    ];
    for (const variant of variants) expect(() => decodeBlock(encode(variant))).toThrow(invalid);
    expect(() => decodeBlock(Uint8Array.of(0xc1))).toThrow(invalid);
  });

  it("refuses to encode more than BLOCK_TXS_MAX transactions", () => {
    const many = new Array<SignedTx>(BLOCK_TXS_MAX + 1).fill(txs[0] as SignedTx);
    expect(() => encodeBlock({ header: header(), txs: many })).toThrow(invalid);
  });
});
