import { type Database, plainBytes } from "./database.js";
import { consensusLogKey, prefixRange, STATE_KEY_DECODER } from "./layout.js";

/** Longest record key the consensus log accepts. */
export const CONSENSUS_LOG_KEY_CHARS_MAX = 256;
/** Most records `entries` returns; the node prunes its log at checkpoints, far below this. */
export const CONSENSUS_LOG_ENTRIES_MAX = 1_000_000;

/**
 * The durable log the node writes before it sends a vote (its own votes, prepared certificates,
 * view-change state). Every write is synced to disk before the promise resolves, so a validator
 * that loses power never votes twice for one height and view. The ledger never interprets the
 * records: keys and values are the node's.
 */
export class ConsensusLog {
  constructor(private readonly db: Database) {}

  async put(key: string, value: Uint8Array): Promise<void> {
    await this.db.put(consensusLogKey(checkKey(key)), value, { sync: true });
  }

  /** Writes several records (and removes others) in one synced, atomic batch. */
  async write(puts: ReadonlyArray<readonly [string, Uint8Array]>, deletes: readonly string[] = []) {
    const batch = this.db.batch();
    for (const [key, value] of puts) batch.put(consensusLogKey(checkKey(key)), value);
    for (const key of deletes) batch.del(consensusLogKey(checkKey(key)));
    await batch.write({ sync: true });
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const value = await this.db.get(consensusLogKey(checkKey(key)));
    return value === undefined ? undefined : plainBytes(value);
  }

  async delete(key: string): Promise<void> {
    await this.db.del(consensusLogKey(checkKey(key)), { sync: true });
  }

  /** Removes every record whose key starts with `prefix` (e.g. below a checkpoint), synced. */
  async deletePrefix(prefix: string): Promise<void> {
    const range = prefixRange(consensusLogKey(prefix));
    const batch = this.db.batch();
    for await (const key of this.db.keys({ ...range, limit: CONSENSUS_LOG_ENTRIES_MAX })) {
      batch.del(key);
    }
    await batch.write({ sync: true });
  }

  /** Every record whose key starts with `prefix`, in key order: what the node reads at startup. */
  async entries(prefix = ""): Promise<Array<[string, Uint8Array]>> {
    const out: Array<[string, Uint8Array]> = [];
    const range = prefixRange(consensusLogKey(prefix));
    for await (const [key, value] of this.db.iterator({
      ...range,
      limit: CONSENSUS_LOG_ENTRIES_MAX,
    })) {
      out.push([STATE_KEY_DECODER.decode(key.subarray(1)), plainBytes(value)]);
    }
    return out;
  }
}

function checkKey(key: string): string {
  if (key.length > CONSENSUS_LOG_KEY_CHARS_MAX) {
    throw new RangeError(`consensus log key longer than ${CONSENSUS_LOG_KEY_CHARS_MAX}`);
  }
  return key;
}
