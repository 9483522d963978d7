import { type Block, decode, encode, type Receipt, type SignedTx } from "@careledger/protocol";
import { hexOf } from "../hex.js";
import type { IndexDefinition, LedgerModule } from "../modules/module.js";
import { readBlock, readReceipts } from "./blockStore.js";
import { Committed } from "./committedTx.js";
import type { Database } from "./database.js";
import { indexEntryKey, indexMarkerKey, prefixRange } from "./layout.js";

type Batch = ReturnType<Database["batch"]>;

/** Blocks read into one write batch while an index is rebuilt. */
const REBUILD_BLOCKS_PER_BATCH = 256;

/** One module's index, and where its entries live: `<module>/<index>/`. */
interface Feeder {
  readonly space: string;
  readonly definition: IndexDefinition;
}

/** Told of an index function's exception: the entry is skipped, the block still commits. */
export type IndexErrorHook = (txIdHex: string, index: string, error: unknown) => void;

/**
 * The node-local secondary indexes the modules declare. Their entries are written in the commit
 * batch of the block that feeds them (so they are exactly as current as the head, even across a
 * crash), under a prefix outside the state tree, and rebuilt from the stored blocks at open when
 * an index's version marker is missing or stale.
 */
export class IndexStore {
  private readonly feeders = new Map<string, Feeder[]>();
  private readonly all: Feeder[] = [];

  constructor(
    modules: readonly LedgerModule[],
    private readonly onError?: IndexErrorHook,
  ) {
    for (const module of modules) {
      for (const definition of module.indexes ?? []) {
        const feeder = { space: `${module.name}/${definition.name}/`, definition };
        this.all.push(feeder);
        for (const type of definition.feeds) {
          this.feeders.set(type, [...(this.feeders.get(type) ?? []), feeder]);
        }
      }
    }
  }

  /** Whether `module` declares an index `name`. */
  has(module: string, name: string): boolean {
    return this.all.some((feeder) => feeder.space === `${module}/${name}/`);
  }

  /** Adds a committed block's index entries to its commit batch. */
  putBlock(batch: Batch, block: Block, receipts: readonly Receipt[]): void {
    this.feed(batch, block, receipts, (feeder) => this.feeders.get(feeder) ?? []);
  }

  /**
   * Rebuilds, from blocks 1 to `head`, every index whose marker is missing or names another
   * version: its old entries are cleared, the blocks replayed into it, and its marker written
   * last, so an interrupted rebuild starts again at the next open. Returns the rebuilt indexes.
   */
  async rebuildStale(db: Database, head: number): Promise<string[]> {
    const stale: Feeder[] = [];
    for (const feeder of this.all) {
      const marker = await db.get(indexMarkerKey(feeder.space));
      if (marker === undefined || decode(marker) !== feeder.definition.version) stale.push(feeder);
    }
    if (stale.length === 0) return [];
    for (const feeder of stale) await db.clear(prefixRange(indexEntryKey(feeder.space)));
    const types = new Map<string, Feeder[]>();
    for (const feeder of stale) {
      for (const type of feeder.definition.feeds)
        types.set(type, [...(types.get(type) ?? []), feeder]);
    }
    let batch = db.batch();
    for (let height = 1; height <= head; height++) {
      const block = await readBlock(db, height);
      const receipts = await readReceipts(db, height);
      if (block === null || receipts === null) throw new Error(`block ${height} is missing`);
      this.feed(batch, block, receipts, (type) => types.get(type) ?? []);
      if (height % REBUILD_BLOCKS_PER_BATCH === 0) {
        await batch.write();
        batch = db.batch();
      }
    }
    for (const feeder of stale) {
      batch.put(indexMarkerKey(feeder.space), encode(feeder.definition.version));
    }
    await batch.write();
    return stale.map((feeder) => feeder.space.slice(0, -1));
  }

  private feed(
    batch: Batch,
    block: Block,
    receipts: readonly Receipt[],
    feedersOf: (type: string) => readonly Feeder[],
  ): void {
    const { header } = block;
    for (let index = 0; index < block.txs.length; index++) {
      const signed = block.txs[index] as SignedTx;
      const feeders = feedersOf(signed.tx.type);
      const receipt = receipts[index];
      if (feeders.length === 0 || receipt === undefined) continue;
      const committed = new Committed(header.height, index, header.time, signed, receipt);
      for (const feeder of feeders) {
        // A bug in an index must not stop commits: the transaction's entries are skipped (all
        // of them: they are encoded before any is written) and the hook is told.
        let encoded: Array<[Uint8Array, Uint8Array]>;
        let removed: Uint8Array[];
        try {
          const { definition } = feeder;
          encoded = definition
            .entries(committed)
            .map(([key, value]) => [indexEntryKey(`${feeder.space}${key}`), encode(value)]);
          removed = (definition.removals?.(committed) ?? []).map((key) =>
            indexEntryKey(`${feeder.space}${key}`),
          );
        } catch (error) {
          this.onError?.(hexOf(signed.id), feeder.space.slice(0, -1), error);
          continue;
        }
        // A batch applies in order: a key removed here and put by a later transaction stays.
        for (const key of removed) batch.del(key);
        for (const [key, value] of encoded) batch.put(key, value);
      }
    }
  }
}
