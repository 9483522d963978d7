import { decode, encode, sha256, toHex } from "@careledger/protocol";
import type { ClassicLevel } from "classic-level";

type Database = ClassicLevel<Uint8Array, Uint8Array>;

/** Where an erasure stands; a hook sees each step (the crash test kills the process at one). */
export type ErasePhase = "flushed" | "deleted" | "compacted";

export interface EraseHooks {
  readonly onErasePhase?: (phase: ErasePhase) => void;
}

/** Keys from `gte` up to, not including, `lt`; printable ASCII (see `LocalSpace`). */
export interface KeyRange {
  readonly gte: Uint8Array;
  readonly lt: Uint8Array;
}

/**
 * Erasures not finished (a crash interrupted one, or one gave up): one record per range, its key
 * `!erasure/<hex of the range's hash>`, its value the range, written in the same synced batch as
 * the range's first deletions and removed when the range has settled. One per range, so an
 * erasure that gave up is still resumed after others ran. Spaces' keys start with a letter, so
 * these keys are nobody's; the bounds also take the single `!erasure` record of earlier versions.
 */
const PENDING_GTE = new TextEncoder().encode("!erasure");
const PENDING_LT = new TextEncoder().encode("!erasure0");
/** Pending records read at a time when resuming (each then runs a whole erasure). */
const PENDING_READ_MAX = 100;

function pendingKeyOf(range: KeyRange): Uint8Array {
  return new TextEncoder().encode(`!erasure/${toHex(sha256(encode([range.gte, range.lt])))}`);
}
/** Deletions per batch, so erasing a large prefix never builds one unbounded batch. */
const ERASE_BATCH_KEYS = 10_000;
/** Range compactions after the deletions before an erasure gives up (and is resumed at open). */
export const ERASE_COMPACTIONS_MAX = 16;

/**
 * Deletes every key in `range` and forces the old bytes out of LevelDB's files. Each step is
 * there because an experiment found the value surviving without it (ledger README,
 * "Node-local store"):
 *
 * 1. `compactRange` before any deletion: it flushes the memtable to a table file and drops the
 *    write-ahead log that held it. Otherwise a recent value and its tombstone sit in one
 *    memtable, the flush writes both into one table file (a flush keeps shadowed entries),
 *    LevelDB may place that file at level 2, below every level a range compaction rewrites.
 * 2. The deletions, with the pending-erasure record, in synced batches: every tombstone is now
 *    newer than every table that holds a value of the range.
 * 3. `compactRange` until every table file whose key range overlaps the erased range sits at
 *    one level (1 or deeper), none in level 0: one `compactRange` is not enough, because it
 *    picks the levels to compact before it starts and a background compaction can move the
 *    value's file below them meanwhile (seen: a trivial move to level 2 left the value there).
 *    Files of one level never overlap, so a value and its tombstone then met in one compaction,
 *    which drops a value a newer tombstone hides, and deleted its input files.
 *
 * The caller runs it with nothing else open on the database: an open iterator or read holds a
 * snapshot, and a compaction keeps every value a snapshot can see (seen: the value was rewritten
 * into a new table file and stayed after the iterator closed).
 */
export async function eraseRange(
  db: Database,
  range: KeyRange,
  hooks: EraseHooks,
): Promise<number> {
  await db.compactRange(range.gte, range.lt);
  hooks.onErasePhase?.("flushed");
  const removed = await deleteRange(db, range);
  hooks.onErasePhase?.("deleted");
  for (let compactions = 0; ; compactions++) {
    if (compactions === ERASE_COMPACTIONS_MAX) {
      throw new Error(`erasure did not settle after ${ERASE_COMPACTIONS_MAX} range compactions`);
    }
    await db.compactRange(range.gte, range.lt);
    if (settled(db.getProperty("leveldb.sstables"), range)) break;
  }
  hooks.onErasePhase?.("compacted");
  await db.del(pendingKeyOf(range), { sync: true });
  return removed;
}

/** Deletes the range's keys in synced batches, the first carrying the pending-erasure record. */
async function deleteRange(db: Database, range: KeyRange): Promise<number> {
  let removed = 0;
  for (let first = true; ; first = false) {
    const keys = await db.keys({ ...range, limit: ERASE_BATCH_KEYS }).all();
    const batch = db.batch();
    if (first) batch.put(pendingKeyOf(range), encode([range.gte, range.lt]));
    for (const key of keys) batch.del(key);
    await batch.write({ sync: true });
    removed += keys.length;
    if (keys.length < ERASE_BATCH_KEYS) return removed;
  }
}

/** One table file in LevelDB's `leveldb.sstables` listing: ` 12:2113[' smallest' @ 7 : 1 .. ...]`. */
const TABLE_LINE = /^ \d+:\d+\['(.*)' @ \d+ : \d+ \.\. '(.*)' @ \d+ : \d+\]$/;
const LEVEL_LINE = /^--- level (\d+) ---$/;

/**
 * True when the table files whose key ranges overlap `range` all sit at one level, 1 or deeper.
 * LevelDB prints keys escaped but for printable ASCII, which is all the store writes, so the
 * printed bounds compare as the keys do.
 */
export function settled(sstables: string, range: KeyRange): boolean {
  const gte = ascii(range.gte);
  const lt = ascii(range.lt);
  const levels = new Set<number>();
  let level = -1;
  for (const line of sstables.split("\n")) {
    const heading = LEVEL_LINE.exec(line);
    if (heading !== null) {
      level = Number(heading[1]);
      continue;
    }
    const table = TABLE_LINE.exec(line);
    if (table === null) continue;
    const [, smallest = "", largest = ""] = table;
    if (smallest < lt && largest >= gte) levels.add(level);
  }
  return !levels.has(0) && levels.size <= 1;
}

function ascii(bytes: Uint8Array): string {
  return String.fromCharCode(...bytes);
}

/**
 * Finishes every erasure a crash interrupted after its first deletions, or that gave up. On
 * reopening, LevelDB replays its log into a table file; the values were in tables before the
 * first deletion (step 1), so that file holds tombstones only, and the same steps again
 * (deleting what is left of the range) merge them with the values and drop them. The records
 * are read before each erasure runs, with no iterator open across it (a snapshot would keep the
 * bytes); `eraseRange` removes each one as its range settles.
 */
export async function resumeErasures(db: Database, hooks: EraseHooks): Promise<void> {
  for (;;) {
    const pending = await db
      .iterator({ gte: PENDING_GTE, lt: PENDING_LT, limit: PENDING_READ_MAX })
      .all();
    if (pending.length === 0) return;
    for (const [key, value] of pending) {
      const [gte, lt] = decode(value) as [Uint8Array, Uint8Array];
      await eraseRange(db, { gte, lt }, hooks);
      // A record under another key (the single one of earlier versions) goes too.
      await db.del(key, { sync: true });
    }
  }
}
