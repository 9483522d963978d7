import { describe, expect, it } from "vitest";
import { commitSigningBytes } from "./certificate.js";
import { decode } from "./encoding.js";
import { sha256 } from "./hash.js";
import { keySigner, nobleVerifier } from "./keys.js";
import { SIGNED_KINDS, signingBytes } from "./signing.js";
import { signTx, txSigningBytes } from "./tx.js";

const CHAIN = sha256(Uint8Array.of(1));
const OTHER_CHAIN = sha256(Uint8Array.of(2));
const signer = keySigner(new Uint8Array(32).fill(3));
const BODY = [7, 0, sha256(Uint8Array.of(9))];

describe("signing domain separation", () => {
  it("signs the canonical encoding of [kind, chainId, body]", () => {
    expect(decode(signingBytes("prepare", CHAIN, BODY))).toEqual(["prepare", CHAIN, BODY]);
    expect(commitSigningBytes(CHAIN, 7, 0, BODY[2] as Uint8Array)).toEqual(
      signingBytes("commit", CHAIN, BODY),
    );
  });

  it.each(SIGNED_KINDS)(
    "a %s signature verifies as no other kind and on no other chain",
    (kind) => {
      const signature = signer.sign(signingBytes(kind, CHAIN, BODY));
      expect(
        nobleVerifier.verify(signer.publicKey, signingBytes(kind, CHAIN, BODY), signature),
      ).toBe(true);
      for (const otherKind of SIGNED_KINDS.filter((candidate) => candidate !== kind)) {
        const message = signingBytes(otherKind, CHAIN, BODY);
        expect(nobleVerifier.verify(signer.publicKey, message, signature)).toBe(false);
      }
      const elsewhere = signingBytes(kind, OTHER_CHAIN, BODY);
      expect(nobleVerifier.verify(signer.publicKey, elsewhere, signature)).toBe(false);
    },
  );

  it("a transaction signature never verifies as a commit vote over the same fields", () => {
    const signed = signTx(
      {
        v: 1,
        chain: CHAIN,
        type: "claim.submit",
        nonce: new Uint8Array(8),
        expires: 7,
        payload: 0,
      },
      signer,
    );
    const { tx } = signed;
    expect(nobleVerifier.verify(tx.from, txSigningBytes(tx), tx.sig)).toBe(true);
    expect(nobleVerifier.verify(tx.from, commitSigningBytes(CHAIN, 7, 0, signed.id), tx.sig)).toBe(
      false,
    );
    const { sig: _sig, ...body } = tx;
    expect(nobleVerifier.verify(tx.from, signingBytes("commit", CHAIN, body), tx.sig)).toBe(false);
  });
});
