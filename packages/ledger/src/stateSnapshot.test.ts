import { CareLedgerError, toHex } from "@careledger/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { Ledger } from "./ledger.js";
import { pathKey } from "./smt/node.js";
import type { StateRestore } from "./stateSnapshotRestore.js";
import type { SnapshotChunk } from "./stateSnapshotServe.js";
import {
  type ExpectedSubtree,
  pathDepth,
  type SnapshotEntry,
  verifyLeavesChunk,
  verifyNodeChunk,
} from "./stateSnapshotTree.js";
import { testChain } from "./testing/fixtures.js";
import { nodeVerifier } from "./testing/nodeCrypto.js";
import { commitRandomBlock } from "./testing/randomBlocks.js";
import { tempDir } from "./testing/tempDir.js";

const SEED = Number(process.env.LEDGER_TEST_SEED ?? 20261202);
const INTERVAL = 4;
const BLOCK_TXS = 150;
/** Small enough that the state is cut into node and leaves chunks at several depths. */
const CHUNK_KEYS = 40;
const chain = testChain(4, 5, 2);
const opened: Array<{ ledger: Ledger; remove: () => void }> = [];

async function open(label: string, snapshotIntervalHeights = INTERVAL): Promise<Ledger> {
  const { dir, remove } = tempDir(label);
  const ledger = await Ledger.open(dir, chain.genesis, {
    verifier: nodeVerifier(),
    snapshotIntervalHeights,
    snapshotChunkKeysMax: CHUNK_KEYS,
  });
  opened.push({ ledger, remove });
  return ledger;
}

afterEach(async () => {
  for (const { ledger, remove } of opened.splice(0)) {
    await ledger.close();
    remove();
  }
});

/** A source ledger of `blocks` random blocks, and the state root of every height. */
async function source(blocks: number): Promise<{ ledger: Ledger; roots: string[] }> {
  const ledger = await open("source");
  const roots = [toHex(ledger.head.stateRoot)];
  for (let i = 0; i < blocks; i++) {
    await commitRandomBlock(ledger, chain, SEED, BLOCK_TXS);
    roots.push(toHex(ledger.head.stateRoot));
  }
  return { ledger, roots };
}

async function beginRestore(from: Ledger, height: number, into: Ledger): Promise<StateRestore> {
  const offer = await from.snapshots.newestOffer();
  if (offer === null || offer.block.header.height !== height) throw new Error("no offer");
  return into.beginStateRestore(offer.block, offer.certificate, offer.encodedReceipts);
}

/** Fetches every chunk of `height`'s snapshot, breadth first; `tamper` may change any. */
async function fetchAll(
  from: Ledger,
  height: number,
  restore: StateRestore,
  tamper: (chunk: SnapshotChunk, expected: ExpectedSubtree) => SnapshotChunk = (c) => c,
): Promise<{ leaves: number; nodes: number }> {
  const queue = [restore.root];
  const counts = { leaves: 0, nodes: 0 };
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    const chunk = await from.snapshots.chunk(height, next.path);
    if (chunk === null) throw new Error(`no chunk at depth ${pathDepth(next.path)}`);
    const sent = tamper(chunk, next);
    if (sent.kind === "leaves") {
      expect(sent.entries.length).toBeLessThanOrEqual(CHUNK_KEYS);
      restore.addLeaves(next, sent.entries);
      counts.leaves += 1;
    } else {
      queue.push(...restore.addNode(next, sent.node));
      counts.nodes += 1;
    }
  }
  return counts;
}

function invalidChunk(run: () => unknown): void {
  expect(run).toThrow(expect.objectContaining({ code: "SNAPSHOT_CHUNK_INVALID" }));
}

describe(`state snapshots (seed ${SEED})`, () => {
  it("restores a checkpoint's state in bounded chunks; the restored ledger executes the next block alike", async () => {
    const { ledger: from, roots } = await source(INTERVAL * 2 + 1);
    // Height 9 committed after the snapshot at 8: the snapshot still serves height 8's state.
    expect(from.snapshots.heights()).toEqual([8, 4]);
    const into = await open("restored", 0);
    const restore = await beginRestore(from, 8, into);
    const restoredKeys: string[] = [];
    const counts = await fetchAll(from, 8, restore, (chunk) => {
      if (chunk.kind === "leaves") restoredKeys.push(...chunk.entries.map((entry) => entry.key));
      return chunk;
    });
    expect(counts.nodes).toBeGreaterThan(1);
    expect(counts.leaves).toBeGreaterThan(16);
    // A read while the restore runs (an API query) caches what genesis holds of these keys;
    // the restore must replace it, or admission would read genesis's values forever.
    const probe = restoredKeys.slice(0, 50);
    const during = await into.reads.stateValues(probe);
    await restore.finish();
    const after = await into.reads.stateValues(probe);
    expect(after).toEqual(await from.reads.stateValues(probe));
    expect(after).not.toEqual(during);
    expect(into.head.height).toBe(8);
    expect(toHex(into.head.stateRoot)).toBe(roots[8]);
    const next = await from.reads.block(9);
    if (next === null) throw new Error("block 9 missing");
    const result = await into.executeBlock(next.block);
    await into.commit(next.block, next.certificate, result);
    expect(toHex(into.head.stateRoot)).toBe(roots[9]);
    const proven = await into.reads.proveState("gov/validators");
    expect(proven.value).not.toBeNull();
  });

  it("keeps only the newest snapshots and answers null for a height it dropped", async () => {
    const { ledger: from } = await source(INTERVAL * 3);
    expect(from.snapshots.heights()).toEqual([12, 8]);
    expect(await from.snapshots.chunk(4, pathKey(new Uint8Array(32), 0))).toBeNull();
  });

  it("refuses a chunk with a changed value, a missing or extra key, or a repeated key", async () => {
    const { ledger: from } = await source(INTERVAL);
    const into = await open("bad", 0);
    const restore = await beginRestore(from, INTERVAL, into);
    const root = await from.snapshots.chunk(INTERVAL, restore.root.path);
    if (root?.kind !== "node") throw new Error("expected a node at the root");
    const children = restore.addNode(restore.root, root.node);
    const leafChild = await firstLeavesChunk(from, children);
    const { expected, entries } = leafChild;
    const changed = entries.map((entry, i) =>
      i === 0 ? { key: entry.key, value: Uint8Array.of(...entry.value, 0) } : entry,
    );
    invalidChunk(() => verifyLeavesChunk(expected, changed));
    invalidChunk(() => verifyLeavesChunk(expected, entries.slice(1)));
    invalidChunk(() => verifyLeavesChunk(expected, [...entries, entries[0] as SnapshotEntry]));
    const outside = await firstLeavesChunk(
      from,
      children.filter((c) => c.path !== expected.path),
    );
    invalidChunk(() => verifyLeavesChunk(expected, [...entries, ...outside.entries]));
    invalidChunk(() => verifyLeavesChunk(expected, []));
    // The untampered chunk passes: the refusals above are the tampering's.
    expect(verifyLeavesChunk(expected, entries)).toHaveLength(entries.length);
  });

  it("refuses a node that does not hash to its slot, garbage, a leaf as a node, a bad path", async () => {
    const { ledger: from } = await source(INTERVAL);
    const into = await open("badnode", 0);
    const restore = await beginRestore(from, INTERVAL, into);
    const root = await from.snapshots.chunk(INTERVAL, restore.root.path);
    if (root?.kind !== "node") throw new Error("expected a node at the root");
    const flipped = Uint8Array.from(root.node);
    flipped[flipped.length - 1] = (flipped[flipped.length - 1] as number) ^ 1;
    invalidChunk(() => verifyNodeChunk(restore.root, flipped));
    invalidChunk(() => verifyNodeChunk(restore.root, Uint8Array.of(2, 0xff, 0xff, 0, 0)));
    invalidChunk(() => verifyNodeChunk(restore.root, Uint8Array.of(1, ...new Uint8Array(64))));
    invalidChunk(() => verifyNodeChunk({ ...restore.root, path: "\u0003\u0010" }, root.node));
    invalidChunk(() => verifyNodeChunk({ ...restore.root, path: "\u0041" }, root.node));
    expect(verifyNodeChunk(restore.root, root.node).length).toBeGreaterThan(1);
  });

  it("writes nothing when the assembled state misses the certified root", async () => {
    const { ledger: from } = await source(INTERVAL);
    const into = await open("partial", 0);
    const genesisRoot = toHex(into.head.stateRoot);
    const restore = await beginRestore(from, INTERVAL, into);
    let skipped = false;
    // A peer that leaves one verified subtree out: every chunk verified, the whole is not.
    await fetchAll(from, INTERVAL, restore, (chunk, expected) => {
      if (chunk.kind === "node" || skipped || pathDepth(expected.path) === 0) return chunk;
      skipped = true;
      return { kind: "node", node: new Uint8Array(0) };
    }).catch((error: unknown) => {
      if (!(error instanceof CareLedgerError)) throw error;
    });
    expect(skipped).toBe(true);
    await expect(restore.finish()).rejects.toMatchObject({ code: "SNAPSHOT_CHUNK_INVALID" });
    expect(into.head.height).toBe(0);
    expect(toHex(into.head.stateRoot)).toBe(genesisRoot);
  });

  it("refuses a snapshot block whose receipts do not match its header", async () => {
    const { ledger: from } = await source(INTERVAL);
    const into = await open("receipts", 0);
    const offer = await from.snapshots.newestOffer();
    if (offer === null) throw new Error("no offer");
    expect(() => into.beginStateRestore(offer.block, offer.certificate, [])).toThrow(
      expect.objectContaining({ code: "SNAPSHOT_CHUNK_INVALID" }),
    );
  });
});

async function firstLeavesChunk(
  from: Ledger,
  candidates: readonly ExpectedSubtree[],
): Promise<{ expected: ExpectedSubtree; entries: readonly SnapshotEntry[] }> {
  for (const expected of candidates) {
    const chunk = await from.snapshots.chunk(INTERVAL, expected.path);
    if (chunk?.kind === "leaves" && chunk.entries.length > 1) {
      return { expected, entries: chunk.entries };
    }
  }
  throw new Error(`no leaves chunk among ${candidates.length}`);
}
