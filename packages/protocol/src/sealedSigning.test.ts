import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Canonical } from "./encoding.js";
import { sha256 } from "./hash.js";
import { keySigner, nobleVerifier } from "./keys.js";
import { sealedSigningBytes } from "./sealedSigning.js";
import { decodeTx, type SignedTx, sealTx, signTx, txSigningBytes, verifySignedTx } from "./tx.js";

const signer = keySigner(new Uint8Array(32).fill(3));
const RUNS = 300;

const canonical: fc.Arbitrary<Canonical> = fc.letrec<{ value: Canonical }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.maxSafeInteger(),
    fc.string(),
    fc.uint8Array({ maxLength: 300 }),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 6 }), tie("value"), { maxKeys: 4 }),
  ),
})).value;

// Types of every length the schema allows: fixstr below 32 characters, str8 from 32 to 64.
const txType = fc
  .tuple(fc.stringMatching(/^[a-z][a-z0-9]{0,20}$/), fc.stringMatching(/^[a-z][a-zA-Z0-9]{0,40}$/))
  .map(([module, name]) => `${module}.${name}`.slice(0, 64))
  .filter((type) => /^[a-z][a-z0-9]*(\.[a-z][a-zA-Z0-9]*)+$/.test(type));

const signed = fc
  .record({
    chain: fc.uint8Array({ minLength: 32, maxLength: 32 }),
    type: txType,
    nonce: fc.uint8Array({ minLength: 8, maxLength: 8 }),
    expires: fc.maxSafeNat(),
    payload: canonical,
  })
  .map((body) => signTx({ v: 1, ...body }, signer));

describe("sealedSigningBytes", () => {
  it("cuts exactly the bytes txSigningBytes encodes, for any payload, type and expiry", () => {
    fc.assert(
      fc.property(signed, (tx) => {
        const cut = sealedSigningBytes(tx);
        expect(cut).not.toBeNull();
        expect(Buffer.from(cut as Uint8Array).equals(Buffer.from(txSigningBytes(tx.tx)))).toBe(
          true,
        );
        // The same from the decoded copy a node admits.
        const decoded = decodeTx(tx.bytes);
        expect(Buffer.from(sealedSigningBytes(decoded) as Uint8Array)).toEqual(
          Buffer.from(cut as Uint8Array),
        );
        expect(verifySignedTx(decoded, nobleVerifier)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it("gives up (null) on bytes not laid out as a transaction's, and verification still encodes", () => {
    const tx = signTx(
      {
        v: 1,
        chain: sha256(Uint8Array.of(1)),
        type: "identity.register",
        nonce: new Uint8Array(8),
        expires: 5,
        payload: {},
      },
      signer,
    );
    const otherSig = { ...tx, tx: { ...tx.tx, sig: new Uint8Array(64) } };
    expect(sealedSigningBytes(otherSig)).toBeNull();
    const otherType = { ...tx, tx: { ...tx.tx, type: "identity.revoke" } };
    expect(sealedSigningBytes(otherType)).toBeNull();
    const truncated: SignedTx = { ...tx, bytes: tx.bytes.subarray(0, 20) };
    expect(sealedSigningBytes(truncated)).toBeNull();
    // A signature that does not verify is refused on either path.
    expect(verifySignedTx(sealTx(otherSig.tx), nobleVerifier)).toBe(false);
  });
});
