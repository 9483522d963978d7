import { describe, expect, it } from "vitest";
import { sha256 } from "./hash.js";
import {
  type MerkleProof,
  merkleProof,
  merkleRoot,
  merkleRootFromProof,
  verifyMerkleProof,
} from "./merkle.js";

const LEAVES_MAX = 70;
// Swapping every index with every other is quadratic; beyond this size a sample suffices.
const ALL_PAIRS_MAX = 33;

const leaves = (count: number) => Array.from({ length: count }, (_, i) => Uint8Array.of(i, i >> 8));

/** RFC 6962 section 2.1, written as the RFC states it, independently of merkle.ts. */
function reference(data: readonly Uint8Array[]): Uint8Array {
  const hash = (prefix: number, ...parts: Uint8Array[]) =>
    sha256(Uint8Array.from([prefix, ...parts.flatMap((part) => Array.from(part))]));
  if (data.length === 0) return sha256(new Uint8Array(0));
  if (data.length === 1) return hash(0, data[0] as Uint8Array);
  let split = 1;
  while (split * 2 < data.length) split *= 2;
  return hash(1, reference(data.slice(0, split)), reference(data.slice(split)));
}

const flip = (bytes: Uint8Array): Uint8Array => bytes.map((byte, i) => (i === 0 ? byte ^ 1 : byte));

describe("Merkle tree", () => {
  it(`has the RFC 6962 root for every size from 0 to ${LEAVES_MAX}`, () => {
    for (let n = 0; n <= LEAVES_MAX; n++) {
      expect(merkleRoot(leaves(n)), `n = ${n}`).toEqual(reference(leaves(n)));
    }
  });

  it("separates leaves from inner nodes", () => {
    const [a, b] = leaves(2) as [Uint8Array, Uint8Array];
    const twoLeafRoot = merkleRoot([a, b]);
    // An inner node's children, offered as one leaf, must not reproduce the root.
    expect(merkleRoot([Uint8Array.from([...a, ...b])])).not.toEqual(twoLeafRoot);
  });

  it("verifies every proof and refuses it for any other index, root, sibling or height", () => {
    for (let n = 1; n <= LEAVES_MAX; n++) {
      const data = leaves(n);
      const root = merkleRoot(data);
      const otherRoot = merkleRoot(leaves(n + 1));
      for (let i = 0; i < n; i++) {
        const leaf = data[i] as Uint8Array;
        const proof = merkleProof(data, i);
        expect(verifyMerkleProof(root, leaf, proof), `n = ${n}, i = ${i}`).toBe(true);
        expect(verifyMerkleProof(otherRoot, leaf, proof)).toBe(false);
        expect(verifyMerkleProof(root, flip(leaf), proof)).toBe(false);
        for (let s = 0; s < proof.siblings.length; s++) {
          const siblings = proof.siblings.map((hash, k) => (k === s ? flip(hash) : hash));
          expect(verifyMerkleProof(root, leaf, { ...proof, siblings })).toBe(false);
        }
        // Sizes that change the path's height; n - 1 and n + 1 often keep it (see below).
        for (const total of [2 * n, n + 2 ** 32]) {
          expect(verifyMerkleProof(root, leaf, { ...proof, total }), `total ${total}`).toBe(false);
        }
        const others = n <= ALL_PAIRS_MAX ? data.keys() : [0, i - 1, i + 1, n - 1, i + 2 ** 32];
        for (const j of others) {
          if (j === i) continue;
          expect(verifyMerkleProof(root, leaf, { ...proof, index: j }), `${i}->${j}`).toBe(false);
        }
      }
    }
  });

  it("does not authenticate the tree size: the verifier must take `total` from a trusted source", () => {
    // RFC 6962 inclusion proofs bind the index only together with the size (CT signs the size in
    // its tree head). A promoted last node hashes like a right child one level up, so:
    const data = leaves(3);
    const root = merkleRoot(data);
    const last = merkleProof(data, 2);
    expect(verifyMerkleProof(root, data[2] as Uint8Array, last)).toBe(true);
    expect(verifyMerkleProof(root, data[2] as Uint8Array, { ...last, index: 1, total: 2 })).toBe(
      true,
    );
    const first = merkleProof(data, 0);
    expect(verifyMerkleProof(root, data[0] as Uint8Array, { ...first, total: 4 })).toBe(true);
  });

  it("refuses proofs of impossible shape without throwing", () => {
    const data = leaves(5);
    const root = merkleRoot(data);
    const proof = merkleProof(data, 2);
    const leaf = data[2] as Uint8Array;
    const shapes: MerkleProof[] = [
      { ...proof, index: -1 },
      { ...proof, index: 5 },
      { ...proof, index: 1.5 },
      { ...proof, total: 0 },
      { ...proof, total: Number.NaN },
      { ...proof, siblings: proof.siblings.slice(1) },
      { ...proof, siblings: [...proof.siblings, root] },
      { ...proof, siblings: [new Uint8Array(31), ...proof.siblings.slice(1)] },
    ];
    for (const shape of shapes) {
      expect(merkleRootFromProof(leaf, shape)).toBeNull();
      expect(verifyMerkleProof(root, leaf, shape)).toBe(false);
    }
    expect(() => merkleProof(data, 5)).toThrow(RangeError);
  });
});
