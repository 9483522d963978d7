/**
 * Committed state values kept in memory, by state key: their canonical bytes, or null for a key
 * the committed state does not hold (an org admin has no identity record, and admission asks for
 * it on every transaction the admin signs). Admission's sender check read LevelDB for every
 * transaction (`_getMany`, 13% of a validator's busy time under `pnpm bench` at 600 tx/s); the
 * same few keys (the senders' identities, organizations, admin indexes) came back each time.
 *
 * Bytes, not decoded values: every reader decodes its own copy, so no module can change what the
 * next one reads by mutating a value it was given.
 *
 * Never stale: the only writers of committed state are the ledger's commit, which hands every
 * written key to `committed` as soon as its batch is on disk, and a state-sync restore, which
 * calls `replaced`; a read from disk that a commit
 * overtook is not cached (`generation`). Evicts in first-insertion order, like `NodeCache`.
 */
export class StateValueCache {
  private readonly values = new Map<string, Uint8Array | null>();
  private commits = 0;

  constructor(private readonly entriesMax: number) {
    if (!Number.isInteger(entriesMax) || entriesMax < 1) throw new RangeError("cache size");
  }

  /** The cached bytes, null for a cached absence, undefined when the cache does not know. */
  get(key: string): Uint8Array | null | undefined {
    return this.values.get(key);
  }

  /** Changes with every commit: a disk read started in one generation is cached only in it. */
  get generation(): number {
    return this.commits;
  }

  /** What a disk read found, if no commit landed since `generation` was read. */
  fill(generation: number, key: string, bytes: Uint8Array | null): void {
    if (generation !== this.commits) return;
    this.set(key, bytes);
  }

  /** A commit's writes are on disk: they replace whatever was cached for their keys. */
  committed(writes: Iterable<readonly [string, Uint8Array | null]>): void {
    this.commits += 1;
    // Only keys already cached are updated: a block writes many keys nobody may read again soon
    // (new records), and adding them would evict the ones admission keeps asking for.
    for (const [key, bytes] of writes) if (this.values.has(key)) this.values.set(key, bytes);
  }

  /**
   * The whole committed state was replaced (a state-sync restore writes it in one batch): forget
   * everything, and let no read started before it fill the cache.
   */
  replaced(): void {
    this.commits += 1;
    this.values.clear();
  }

  get size(): number {
    return this.values.size;
  }

  private set(key: string, bytes: Uint8Array | null): void {
    this.values.set(key, bytes);
    if (this.values.size > this.entriesMax) {
      const oldest = this.values.keys().next().value as string;
      this.values.delete(oldest);
    }
  }
}
