import {
  keyHashBit,
  STATE_EMPTY_HASH,
  stateKeyHash,
  stateLeafHash,
  stateNodeHash,
  toHex,
  verifyStateProof,
} from "@careledger/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { keyHashOf, sha256 } from "./hashing.js";
import { loadPaths } from "./load.js";
import {
  childPath,
  decodeNode,
  EMPTY,
  EMPTY_SUBTREE,
  encodeNode,
  INTERNAL,
  LEAF,
  nibble,
  pathKey,
  type Subtree,
  type TreeNode,
} from "./node.js";
import { proveKeyHash } from "./proof.js";
import { applyUpdates, compareKeyHashes, type LeafUpdate } from "./update.js";

/** A tree over an in-memory node map, driven the way the ledger drives it: load, then apply. */
class MemoryTree {
  readonly nodes = new Map<string, TreeNode>();
  root: Subtree = EMPTY_SUBTREE;

  async write(entries: ReadonlyArray<readonly [string, Uint8Array | null]>): Promise<void> {
    const updates: LeafUpdate[] = entries.map(([key, value]) => ({
      keyHash: keyHashOf(key),
      valueHash: value === null ? null : sha256(value),
    }));
    updates.sort(compareKeyHashes);
    const loaded = await loadPaths(this.root.kind, updates, async (paths) =>
      paths.map((path) => this.nodes.get(path) ?? null),
    );
    const writes = new Map<string, TreeNode | null>();
    this.root = applyUpdates(this.root, updates, (path) => loaded.get(path), writes);
    for (const [path, node] of writes) {
      if (node === null) this.nodes.delete(path);
      else this.nodes.set(path, node);
    }
  }

  prove(key: string) {
    return proveKeyHash(
      this.root.kind,
      keyHashOf(key),
      async (path) => this.nodes.get(path) ?? null,
    );
  }
}

type Leaf = { keyHash: Uint8Array; valueHash: Uint8Array };

/** The binary compressed tree of stateProof.ts, straight from its definition. */
function referenceRoot(leaves: readonly Leaf[], depth: number): Uint8Array {
  if (leaves.length === 0) return STATE_EMPTY_HASH;
  const [first] = leaves;
  if (leaves.length === 1 && first) return stateLeafHash(first.keyHash, first.valueHash);
  const left = leaves.filter((leaf) => keyHashBit(leaf.keyHash, depth) === 0);
  const right = leaves.filter((leaf) => keyHashBit(leaf.keyHash, depth) === 1);
  return stateNodeHash(referenceRoot(left, depth + 1), referenceRoot(right, depth + 1));
}

const value = (text: string) => new TextEncoder().encode(text);

/** Batches of writes and removals over a small key space, so keys collide and get removed. */
const batches = fc.array(
  fc.uniqueArray(
    fc.tuple(fc.integer({ min: 0, max: 40 }), fc.option(fc.string({ maxLength: 4 }))),
    { selector: ([key]) => key, maxLength: 12 },
  ),
  { maxLength: 8 },
);

async function replay(batchList: ReadonlyArray<ReadonlyArray<readonly [number, string | null]>>) {
  const tree = new MemoryTree();
  const state = new Map<string, string>();
  for (const batch of batchList) {
    await tree.write(batch.map(([key, text]) => [`k${key}`, text === null ? null : value(text)]));
    for (const [key, text] of batch) {
      if (text === null) state.delete(`k${key}`);
      else state.set(`k${key}`, text);
    }
  }
  return { tree, state };
}

describe("state tree", () => {
  it("an empty tree has the all-zero root and proves any key absent", async () => {
    const tree = new MemoryTree();
    const proof = await tree.prove("anything");
    expect(tree.root.hash).toEqual(STATE_EMPTY_HASH);
    expect(verifyStateProof(tree.root.hash, "anything", null, proof)).toBe(true);
  });

  it("root and stored nodes depend only on the final contents, not on history", async () => {
    await fc.assert(
      fc.asyncProperty(batches, async (batchList) => {
        const { tree, state } = await replay(batchList);
        const fresh = new MemoryTree();
        await fresh.write([...state].reverse().map(([key, text]) => [key, value(text)]));
        expect(Buffer.from(tree.root.hash).equals(Buffer.from(fresh.root.hash))).toBe(true);
        expect([...tree.nodes.keys()].sort()).toEqual([...fresh.nodes.keys()].sort());
      }),
      { numRuns: 150 },
    );
  });

  it("root equals the binary tree's definition in protocol, computed independently", async () => {
    await fc.assert(
      fc.asyncProperty(batches, async (batchList) => {
        const { tree, state } = await replay(batchList);
        const leaves = [...state].map(([key, text]) => ({
          keyHash: stateKeyHash(key),
          valueHash: sha256(value(text)),
        }));
        expect(toHex(tree.root.hash)).toBe(toHex(referenceRoot(leaves, 0)));
      }),
      { numRuns: 100 },
    );
  });

  it("proves presence of every key and absence of others; tampered proofs fail", async () => {
    await fc.assert(
      fc.asyncProperty(batches, async (batchList) => {
        const { tree, state } = await replay(batchList);
        for (let key = 0; key <= 40; key++) {
          const name = `k${key}`;
          const held = state.get(name);
          const proof = await tree.prove(name);
          const bytes = held === undefined ? null : value(held);
          expect(verifyStateProof(tree.root.hash, name, bytes, proof)).toBe(true);
          // The same proof never proves the opposite claim.
          const opposite = held === undefined ? value("x") : null;
          expect(verifyStateProof(tree.root.hash, name, opposite, proof)).toBe(false);
          if (held !== undefined) {
            expect(verifyStateProof(tree.root.hash, name, value(`${held}!`), proof)).toBe(false);
          }
          const first = proof.siblings[0];
          if (first) {
            const tampered = Uint8Array.from(first);
            tampered[0] = (tampered[0] ?? 0) ^ 1;
            const siblings = [tampered, ...proof.siblings.slice(1)];
            expect(verifyStateProof(tree.root.hash, name, bytes, { ...proof, siblings })).toBe(
              false,
            );
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it("path keys clear the nibbles beyond the depth", () => {
    const hash = new Uint8Array(32).fill(0xff);
    expect(pathKey(hash, 3)).toBe(`\u0003${String.fromCharCode(0xff, 0xf0)}`);
    expect(pathKey(hash, 0)).toBe("\u0000");
  });

  it("a child's path key is the parent's extended by the key hash's next nibble", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.integer({ min: 0, max: 63 }),
        (keyHash, depth) => {
          const parent = pathKey(keyHash, depth);
          expect(childPath(parent, nibble(keyHash, depth))).toBe(pathKey(keyHash, depth + 1));
        },
      ),
    );
  });

  it("inner nodes encode sparsely and decode to the same node", () => {
    const hashes = Array.from({ length: 16 }, (_, slot) =>
      slot % 3 === 0 ? STATE_EMPTY_HASH : new Uint8Array(32).fill(slot),
    );
    const kinds = hashes.map((_, slot) =>
      slot % 3 === 0 ? EMPTY : slot % 2 === 0 ? LEAF : INTERNAL,
    );
    const node: TreeNode = { kind: INTERNAL, kinds, hashes };
    const bytes = encodeNode(node);
    expect(bytes.byteLength).toBe(5 + 10 * 32);
    expect(decodeNode(bytes)).toEqual(node);
  });
});
