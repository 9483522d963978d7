import { describe, expect, it } from "vitest";
import { bytesEqual, type Canonical, decode, encode } from "./encoding.js";
import { sha256 } from "./hash.js";
import { keySigner, nobleVerifier } from "./keys.js";
import { TX_BYTES_MAX } from "./limits.js";
import { decodeOwnTx, decodeTx, sealTx, signTx, type Tx, txId, verifyTx } from "./tx.js";

const CHAIN = sha256(Uint8Array.of(1));
const OTHER_CHAIN = sha256(Uint8Array.of(2));
const signer = keySigner(new Uint8Array(32).fill(7));
const other = keySigner(new Uint8Array(32).fill(8));

function sample(payload: Canonical = { patient: "p-1", scopes: ["labs"], until: 1_700 }) {
  return signTx(
    {
      v: 1,
      chain: CHAIN,
      type: "consent.grant",
      nonce: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8),
      expires: 120,
      payload,
    },
    signer,
  );
}

const code = (name: string) => expect.objectContaining({ code: name });

describe("signed transactions", () => {
  it("signs, seals, decodes and verifies, and the id is the SHA-256 of the bytes", () => {
    const signed = sample();
    expect(signed.tx.from).toEqual(signer.publicKey);
    expect(signed.id).toEqual(sha256(signed.bytes));
    expect(txId(signed.tx)).toEqual(signed.id);
    const decoded = decodeTx(signed.bytes);
    expect(decoded.tx).toEqual(signed.tx);
    // toEqual would also compare the buffers behind the views: encode returns a view into
    // msgpackr's shared output buffer, decodeTx a copy of its own.
    expect(bytesEqual(decoded.bytes, signed.bytes)).toBe(true);
    expect(decoded.id).toEqual(signed.id);
    expect(verifyTx(decoded.tx, nobleVerifier)).toBe(true);
  });

  const tamperings: [string, (tx: Tx) => Tx][] = [
    ["chain (another network)", (tx) => ({ ...tx, chain: OTHER_CHAIN })],
    ["type", (tx) => ({ ...tx, type: "consent.revoke" })],
    ["from", (tx) => ({ ...tx, from: other.publicKey })],
    ["nonce", (tx) => ({ ...tx, nonce: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 9) })],
    ["expires", (tx) => ({ ...tx, expires: 121 })],
    ["payload", (tx) => ({ ...tx, payload: { patient: "p-2", scopes: ["labs"], until: 1_700 } })],
    ["sig", (tx) => ({ ...tx, sig: tx.sig.map((byte, i) => (i === 0 ? byte ^ 1 : byte)) })],
  ];

  it.each(tamperings)("breaks the signature when %s changes", (_field, tamper) => {
    const tampered = tamper(sample().tx);
    expect(verifyTx(tampered, nobleVerifier)).toBe(false);
    // Still well formed: the signature is the only thing that catches it.
    expect(decodeTx(sealTx(tampered).bytes).tx).toEqual(tampered);
  });

  it("gives a different id to the same transaction with another nonce", () => {
    const first = sample();
    const second = sealTx({ ...first.tx, nonce: new Uint8Array(8) });
    expect(second.id).not.toEqual(first.id);
  });

  it.each([
    ["an unknown version", { v: 2 }],
    ["a short chain id", { chain: new Uint8Array(31) }],
    ["a bad type name", { type: "Consent.Grant" }],
    ["a long type name", { type: `a.${"b".repeat(63)}` }],
    ["a short key", { from: new Uint8Array(31) }],
    ["a short nonce", { nonce: new Uint8Array(7) }],
    ["a negative expiry", { expires: -1 }],
    ["a bigint expiry", { expires: 2n ** 60n }],
    ["a short signature", { sig: new Uint8Array(63) }],
    ["an extra field", { memo: "hi" }],
  ])("refuses %s with TX_MALFORMED on seal and decode", (_name, change) => {
    const tx = { ...sample().tx, ...change } as unknown as Tx;
    expect(() => sealTx(tx)).toThrow(code("TX_MALFORMED"));
    expect(() => decodeTx(encode(tx as unknown as Canonical))).toThrow(code("TX_MALFORMED"));
  });

  it("refuses a missing field and bytes that are not a canonical encoding with TX_MALFORMED", () => {
    const { sig: _sig, ...unsigned } = sample().tx;
    expect(() => decodeTx(encode(unsigned as unknown as Canonical))).toThrow(code("TX_MALFORMED"));
    expect(() => decodeTx(Uint8Array.of(0xcc, 0x05))).toThrow(code("TX_MALFORMED"));
    expect(() => decodeTx(new Uint8Array(0))).toThrow(code("TX_MALFORMED"));
    const bytes = sample().bytes;
    expect(() => decodeTx(Uint8Array.of(...bytes, 0))).toThrow(code("TX_MALFORMED"));
  });

  it("refuses a transaction over TX_BYTES_MAX with TX_TOO_LARGE and accepts one just under", () => {
    const base = sample(new Uint8Array(0)).bytes.byteLength;
    // A bin16 payload has a 3-byte header, the empty payload a 2-byte bin8 one.
    const fits = sample(new Uint8Array(TX_BYTES_MAX - base - 1));
    expect(fits.bytes.byteLength).toBe(TX_BYTES_MAX);
    expect(decodeTx(fits.bytes).id).toEqual(fits.id);
    expect(() => sample(new Uint8Array(TX_BYTES_MAX - base))).toThrow(code("TX_TOO_LARGE"));
    const tooLarge = new Uint8Array(TX_BYTES_MAX + 1);
    expect(() => decodeTx(tooLarge)).toThrow(code("TX_TOO_LARGE"));
  });

  it("signs the canonical body, so a decoded transaction verifies whatever order built it", () => {
    const signed = sample({ b: 1, a: 2 });
    const reordered = decode(signed.bytes) as unknown as Tx;
    expect(verifyTx(reordered, nobleVerifier)).toBe(true);
  });
});

describe("decodeOwnTx (bytes this node stored)", () => {
  it("gives the transaction decodeTx gives, with the stored id", () => {
    const signed = sample();
    const own = decodeOwnTx(signed.bytes, signed.id);
    expect(own.tx).toEqual(decodeTx(signed.bytes).tx);
    expect(own.id).toBe(signed.id);
  });

  it("still asserts the shape: stored bytes that are no transaction are TX_MALFORMED", () => {
    expect(() => decodeOwnTx(encode({ v: 1 }), new Uint8Array(32))).toThrow(code("TX_MALFORMED"));
  });
});
