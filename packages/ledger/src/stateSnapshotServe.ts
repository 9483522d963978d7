import { type Block, type CommitCertificate, decode, HASH_BYTES } from "@careledger/protocol";
import { sha256 } from "./smt/hashing.js";
import { nibble } from "./smt/node.js";
import {
  pathDepth,
  SNAPSHOT_CHUNK_BYTES_MAX,
  SNAPSHOT_CHUNK_KEYS_MAX,
  type SnapshotEntry,
} from "./stateSnapshotTree.js";
import { readBlock, readCertificate } from "./storage/blockStore.js";
import type { Database } from "./storage/database.js";
import {
  PREFIX,
  prefixRange,
  receiptsKey,
  STATE_KEY_DECODER,
  stateKey,
  stateNodeKey,
} from "./storage/layout.js";

/** Snapshots held at once: the newest, and the one before for a fetch still under way. */
export const SNAPSHOTS_KEPT = 2;

/** A snapshot as offered to a peer: its certified block, with the receipts its header roots. */
export interface SnapshotOffer {
  readonly block: Block;
  readonly certificate: CommitCertificate;
  readonly encodedReceipts: readonly Uint8Array[];
}

/** What a peer's chunk request gets: the keys and values under the path, or the node there. */
export type SnapshotChunk =
  | { readonly kind: "leaves"; readonly entries: readonly SnapshotEntry[] }
  | { readonly kind: "node"; readonly node: Uint8Array };

type LevelSnapshot = ReturnType<Database["snapshot"]>;

/** The state keys of one snapshot sorted by key hash, so a path is a contiguous range. */
interface KeyIndex {
  /** The key hashes side by side, HASH_BYTES each, in order. */
  readonly hashes: Buffer;
  readonly keys: readonly string[];
}

interface Held {
  readonly snapshot: LevelSnapshot;
  /** Built at the first request: most snapshots are never asked for. */
  index: Promise<KeyIndex> | null;
}

/**
 * The checkpoint snapshots this node serves to peers that state-sync. Why snapshots and not the
 * live state: the ledger overwrites state values (`s` key) and tree nodes (`n` path) in place at
 * every commit, so the live database holds the state of the head only, and a fetch that spans a
 * few commits (seconds) would get chunks of different heights that match no root. A LevelDB
 * snapshot taken right after a checkpoint height's commit batch keeps that height's values and
 * nodes readable, at no cost until read (LevelDB only keeps overwritten entries alive while a
 * snapshot needs them, so disk grows with what changed since the oldest one kept, which is why
 * only SNAPSHOTS_KEPT are held). Heights every `intervalHeights`; nothing survives a restart.
 */
export class StateSnapshots {
  private readonly held = new Map<number, Held>();

  constructor(
    private readonly db: Database,
    readonly intervalHeights: number,
    /** SNAPSHOT_CHUNK_KEYS_MAX; tests lower it to cut small states into many chunks. */
    private readonly chunkKeysMax = SNAPSHOT_CHUNK_KEYS_MAX,
  ) {}

  /** Called right after `height`'s commit batch was written, before any other commit. */
  committed(height: number): void {
    if (this.intervalHeights <= 0 || height === 0 || height % this.intervalHeights !== 0) return;
    this.held.set(height, { snapshot: this.db.snapshot(), index: null });
    const heights = this.heights();
    for (const old of heights.slice(SNAPSHOTS_KEPT)) this.release(old);
  }

  /** Heights of the snapshots held, newest first. */
  heights(): number[] {
    return [...this.held.keys()].sort((a, b) => b - a);
  }

  /** The newest snapshot's certified block and receipts; null when none is held. */
  async newestOffer(): Promise<SnapshotOffer | null> {
    const height = this.heights()[0];
    if (height === undefined) return null;
    const { snapshot } = this.held.get(height) as Held;
    const [block, certificate, receipts] = await Promise.all([
      readBlock(this.db, height),
      readCertificate(this.db, height),
      this.db.get(receiptsKey(height), { snapshot }),
    ]);
    if (block === null || certificate === null || receipts === undefined) return null;
    return { block, certificate, encodedReceipts: decode(receipts) as Uint8Array[] };
  }

  /**
   * The chunk at `path` of the snapshot at `height`: every key and value under it when they fit
   * the keys bound (SNAPSHOT_CHUNK_KEYS_MAX) and SNAPSHOT_CHUNK_BYTES_MAX (or there is one), else the stored node.
   * Null when the snapshot is not held (any more) or the path names no node of it.
   */
  async chunk(height: number, path: string): Promise<SnapshotChunk | null> {
    const held = this.held.get(height);
    if (held === undefined) return null;
    const depth = pathDepth(path);
    held.index ??= this.buildIndex(held.snapshot);
    const index = await held.index;
    const [lo, hi] = range(index.hashes, path, depth);
    if (lo === hi) return null;
    const { snapshot } = held;
    if (hi - lo <= this.chunkKeysMax) {
      const keys = index.keys.slice(lo, hi);
      const values = await this.db.getMany(keys.map(stateKey), { snapshot });
      let bytes = 0;
      const entries: SnapshotEntry[] = [];
      for (let i = 0; i < keys.length; i++) {
        const value = values[i];
        if (value === undefined) return null;
        bytes += value.byteLength + (keys[i] as string).length;
        entries.push({ key: keys[i] as string, value: new Uint8Array(value) });
      }
      if (bytes <= SNAPSHOT_CHUNK_BYTES_MAX || entries.length === 1) {
        return { kind: "leaves", entries };
      }
    }
    const node = await this.db.get(stateNodeKey(path), { snapshot });
    return node === undefined ? null : { kind: "node", node: new Uint8Array(node) };
  }

  close(): void {
    for (const height of [...this.held.keys()]) this.release(height);
  }

  private release(height: number): void {
    const held = this.held.get(height);
    this.held.delete(height);
    // An index being built still reads through the snapshot: close it once that is done.
    const index = held?.index ?? Promise.resolve(null);
    index.then(
      () => held?.snapshot.close(),
      () => held?.snapshot.close(),
    );
  }

  private async buildIndex(snapshot: LevelSnapshot): Promise<KeyIndex> {
    const entries: Array<{ hash: Uint8Array; key: string }> = [];
    const { gte, lt } = prefixRange(Uint8Array.of(PREFIX.state));
    for await (const raw of this.db.keys({ gte, lt, snapshot })) {
      entries.push({
        hash: sha256(raw.subarray(1)),
        key: STATE_KEY_DECODER.decode(raw.subarray(1)),
      });
    }
    entries.sort((a, b) => Buffer.compare(a.hash, b.hash));
    const hashes = Buffer.allocUnsafe(entries.length * HASH_BYTES);
    entries.forEach((entry, i) => {
      hashes.set(entry.hash, i * HASH_BYTES);
    });
    return { hashes, keys: entries.map((entry) => entry.key) };
  }
}

/** -1, 0 or 1: the key hash's first `depth` nibbles against the path's. */
function comparePrefix(hashes: Buffer, index: number, path: string, depth: number): number {
  const keyHash = hashes.subarray(index * HASH_BYTES, (index + 1) * HASH_BYTES);
  for (let i = 0; i < depth; i++) {
    const byte = path.charCodeAt(1 + (i >> 1));
    const want = i & 1 ? byte & 0x0f : byte >> 4;
    const have = nibble(keyHash, i);
    if (have !== want) return have < want ? -1 : 1;
  }
  return 0;
}

/** The half-open index range of the key hashes under `path`, by binary search. */
function range(hashes: Buffer, path: string, depth: number): [number, number] {
  const count = hashes.byteLength / HASH_BYTES;
  const bound = (upper: boolean) => {
    let lo = 0;
    let hi = count;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const order = comparePrefix(hashes, mid, path, depth);
      if (order < 0 || (upper && order === 0)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return [bound(false), bound(true)];
}
