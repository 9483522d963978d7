import * as crypto from "node:crypto";
import { keySigner, nobleVerifier } from "@careledger/protocol";
import fc from "fast-check";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { createNodeCryptoVerifier, nodeCryptoVerifier } from "./verifier.js";

// Counts key imports, so the tests can see the cache hit and evict.
vi.mock("node:crypto", async (importOriginal) => {
  const original = await importOriginal<typeof import("node:crypto")>();
  return { ...original, createPublicKey: vi.fn(original.createPublicKey) };
});
const imports = vi.mocked(crypto.createPublicKey);
beforeEach(() => {
  imports.mockClear();
});

const signers = [1, 2, 3].map((seed) => keySigner(new Uint8Array(32).fill(seed)));
const MESSAGE = new TextEncoder().encode("careledger commit 7");
const signed = signers.map((signer) => ({ key: signer.publicKey, sig: signer.sign(MESSAGE) }));

function entry(index: number) {
  const found = signed[index];
  if (!found) throw new Error(`no signer ${index}`);
  return found;
}

describe("nodeCryptoVerifier", () => {
  it("accepts a valid signature and refuses a changed message, signature or key", () => {
    const { key, sig } = entry(0);
    expect(nodeCryptoVerifier.verify(key, MESSAGE, sig)).toBe(true);
    expect(nodeCryptoVerifier.verify(key, MESSAGE.subarray(1), sig)).toBe(false);
    expect(
      nodeCryptoVerifier.verify(
        key,
        MESSAGE,
        sig.map((b, i) => (i === 40 ? b ^ 1 : b)),
      ),
    ).toBe(false);
    expect(nodeCryptoVerifier.verify(entry(1).key, MESSAGE, sig)).toBe(false);
  });

  it("reads keys and signatures that are views into larger buffers", () => {
    const { key, sig } = entry(2);
    const buffer = new Uint8Array(200);
    buffer.set(key, 3);
    buffer.set(sig, 100);
    const view = (start: number, length: number) => buffer.subarray(start, start + length);
    expect(nodeCryptoVerifier.verify(view(3, 32), MESSAGE, view(100, 64))).toBe(true);
  });

  it("returns false instead of throwing for malformed keys and signatures", () => {
    const { key, sig } = entry(0);
    // y = 2 has no x on the curve: OpenSSL refuses it when verifying.
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
      expect(nodeCryptoVerifier.verify(publicKey, MESSAGE, signature)).toBe(false);
    }
  });

  it("never throws and agrees with noble on random keys and signatures", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 64, maxLength: 64 }),
        (publicKey, signature) => {
          const verdict = nodeCryptoVerifier.verify(publicKey, MESSAGE, signature);
          expect(verdict).toBe(false);
          expect(nobleVerifier.verify(publicKey, MESSAGE, signature)).toBe(verdict);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("imports a key once and keeps the most recently used keys within its bound", () => {
    const verifier = createNodeCryptoVerifier({ keyCacheEntriesMax: 2 });
    const use = (index: number) => {
      const { key, sig } = entry(index);
      expect(verifier.verify(key, MESSAGE, sig)).toBe(true);
    };
    use(0);
    use(1);
    use(0);
    use(1);
    expect(imports).toHaveBeenCalledTimes(2);
    // Key 0 was used last, so key 1 is the one dropped for key 2.
    use(0);
    use(2);
    use(0);
    expect(imports).toHaveBeenCalledTimes(3);
    use(1);
    expect(imports).toHaveBeenCalledTimes(4);
  });

  it("refuses a cache bound that is not a positive integer", () => {
    expect(() => createNodeCryptoVerifier({ keyCacheEntriesMax: 0 })).toThrow(RangeError);
    expect(() => createNodeCryptoVerifier({ keyCacheEntriesMax: 1.5 })).toThrow(RangeError);
  });
});
