import type { PersistRecord } from "@careledger/consensus";
import type { Ledger } from "@careledger/ledger";
import { encodeRecord, heightOfKey, recordKey } from "./persistCodec.js";

/**
 * The replica's persisted records in the ledger's consensus log: written (synced) in one batch
 * per run of persist effects, and pruned once their height is committed. Keys are remembered by
 * height so pruning never scans the log.
 */
export class ConsensusLogWriter {
  private readonly keys = new Set<string>();

  constructor(private readonly ledger: Ledger) {}

  /** Log keys found at startup, so they are pruned once their height is committed. */
  adopt(keys: Iterable<string>): void {
    for (const key of keys) this.keys.add(key);
  }

  async write(records: readonly PersistRecord[]): Promise<void> {
    const puts = records.map((record) => [recordKey(record), encodeRecord(record)] as const);
    for (const [key] of puts) this.keys.add(key);
    await this.ledger.consensusLog.write(puts);
  }

  /** Deletes the records at or below `height` (the `view` record has no height and stays). */
  async pruneTo(height: number): Promise<void> {
    const stale = [...this.keys].filter((key) => {
      const keyHeight = heightOfKey(key);
      return keyHeight !== null && keyHeight <= height;
    });
    if (stale.length === 0) return;
    await this.ledger.consensusLog.write([], stale);
    for (const key of stale) this.keys.delete(key);
  }
}
