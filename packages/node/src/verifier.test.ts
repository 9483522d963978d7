import { keySigner, nobleVerifier } from "@careledger/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sodiumVerifier } from "./verifier.js";

const signers = [1, 2, 3].map((seed) => keySigner(new Uint8Array(32).fill(seed)));
const MESSAGE = new TextEncoder().encode("careledger commit 7");
const signed = signers.map((signer) => ({ key: signer.publicKey, sig: signer.sign(MESSAGE) }));

function entry(index: number) {
  const found = signed[index];
  if (!found) throw new Error(`no signer ${index}`);
  return found;
}

describe("sodiumVerifier", () => {
  it("accepts a valid signature and refuses a changed message, signature or key", () => {
    const { key, sig } = entry(0);
    expect(sodiumVerifier.verify(key, MESSAGE, sig)).toBe(true);
    expect(sodiumVerifier.verify(key, MESSAGE.subarray(1), sig)).toBe(false);
    expect(
      sodiumVerifier.verify(
        key,
        MESSAGE,
        sig.map((b, i) => (i === 40 ? b ^ 1 : b)),
      ),
    ).toBe(false);
    expect(sodiumVerifier.verify(entry(1).key, MESSAGE, sig)).toBe(false);
  });

  it("reads keys and signatures that are views into larger buffers", () => {
    const { key, sig } = entry(2);
    const buffer = new Uint8Array(200);
    buffer.set(key, 3);
    buffer.set(sig, 100);
    const view = (start: number, length: number) => buffer.subarray(start, start + length);
    expect(sodiumVerifier.verify(view(3, 32), MESSAGE, view(100, 64))).toBe(true);
  });

  it("returns false instead of throwing for malformed keys and signatures", () => {
    const { key, sig } = entry(0);
    // y = 2 has no x on the curve.
    const offCurve = Uint8Array.of(2, ...new Array<number>(31).fill(0));
    const cases: [Uint8Array, Uint8Array][] = [
      [key.subarray(1), sig],
      [new Uint8Array(33), sig],
      [key, sig.subarray(1)],
      [key, new Uint8Array(65)],
      [new Uint8Array(0), new Uint8Array(0)],
      [offCurve, sig],
    ];
    for (const [publicKey, signature] of cases) {
      expect(sodiumVerifier.verify(publicKey, MESSAGE, signature)).toBe(false);
    }
  });

  it("never throws and agrees with noble on random keys and signatures", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 64, maxLength: 64 }),
        (publicKey, signature) => {
          const verdict = sodiumVerifier.verify(publicKey, MESSAGE, signature);
          expect(verdict).toBe(false);
          expect(nobleVerifier.verify(publicKey, MESSAGE, signature)).toBe(verdict);
        },
      ),
      { numRuns: 300 },
    );
  });
});
