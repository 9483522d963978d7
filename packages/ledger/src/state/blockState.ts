import { type Canonical, CareLedgerError, encode } from "@careledger/protocol";

/** Writes of a block or a transaction: a state key to its new value, or null for a removal. */
export type StateWrites = Map<string, Canonical | null>;

/** The same writes as canonical bytes (null for a removal): what the tree hashes and commit stores. */
export type EncodedWrites = Map<string, Uint8Array | null>;

/**
 * A value's canonical bytes, encoded when it is written so a value with no encoding (a float, an
 * undefined, a lone surrogate) fails the transaction that wrote it, with a failed receipt, instead
 * of the whole block after it ran. The reason is the encoder's own text: the same on every node.
 */
export function encodeStateValue(key: string, value: Canonical): Uint8Array {
  try {
    return encode(value);
  } catch (error) {
    const why = error instanceof CareLedgerError ? error.message : "no canonical encoding";
    throw new CareLedgerError("STATE_VALUE_INVALID", `value written at ${key}: ${why}`);
  }
}

export function encodeWrites(writes: StateWrites): EncodedWrites {
  const encoded: EncodedWrites = new Map();
  for (const [key, value] of writes) {
    encoded.set(key, value === null ? null : encodeStateValue(key, value));
  }
  return encoded;
}

/**
 * Reading committed state failed (the disk, not the transaction): execution stops instead of
 * giving the transaction a failed receipt that other validators would not give it.
 */
export class StateReadError extends Error {
  constructor(cause: unknown) {
    super("reading committed state failed", { cause });
    this.name = "StateReadError";
  }
}

/** Reads committed state values, many at once. Values are decoded and never mutated. */
export type CommittedReader = (keys: readonly string[]) => Promise<ReadonlyArray<Canonical | null>>;

/**
 * What a transaction handler sees: reads through every overlay below it, writes to its own.
 * `get` answers synchronously when the value is already in memory (prefetched or written), a
 * promise otherwise; handlers simply `await` it. An async function per read cost 9% of a block.
 */
export interface StateAccess {
  get(key: string): Canonical | null | Promise<Canonical | null>;
  put(key: string, value: Canonical): void;
  delete(key: string): void;
}

/**
 * The state as one block sees it: its own writes, over the writes of in-flight blocks below it
 * (newest first), over the committed state. Reads a block will need are fetched in one batch
 * up front (`prefetch`), so executing a transaction rarely waits for the disk.
 */
export class BlockState implements StateAccess {
  readonly writes: StateWrites = new Map();
  readonly encoded: EncodedWrites = new Map();
  private readonly below = new Map<string, Canonical | null>();

  constructor(
    private readonly parents: readonly StateWrites[],
    private readonly committed: CommittedReader,
  ) {}

  async prefetch(keys: Iterable<string>): Promise<void> {
    const missing: string[] = [];
    for (const key of keys) {
      if (this.writes.has(key) || this.below.has(key)) continue;
      const fromParent = this.fromParents(key);
      if (fromParent !== undefined) this.below.set(key, fromParent);
      else missing.push(key);
    }
    if (missing.length === 0) return;
    const unique = [...new Set(missing)];
    let values: ReadonlyArray<Canonical | null>;
    try {
      values = await this.committed(unique);
    } catch (error) {
      throw new StateReadError(error);
    }
    for (let i = 0; i < unique.length; i++) this.below.set(unique[i] as string, values[i] ?? null);
  }

  get(key: string): Canonical | null | Promise<Canonical | null> {
    const written = this.writes.get(key);
    if (written !== undefined) return written;
    const below = this.below.get(key);
    if (below !== undefined) return below;
    return this.prefetch([key]).then(() => this.below.get(key) ?? null);
  }

  put(key: string, value: Canonical): void {
    this.encoded.set(key, encodeStateValue(key, value));
    this.writes.set(key, value);
  }

  delete(key: string): void {
    this.encoded.set(key, null);
    this.writes.set(key, null);
  }

  /** The value if it is in memory (written or fetched), else undefined: never waits. */
  peek(key: string): Canonical | null | undefined {
    const written = this.writes.get(key);
    return written !== undefined ? written : this.below.get(key);
  }

  /** A transaction's view: its writes reach the block only through `commit`. */
  forTransaction(): TxState {
    return new TxState(this);
  }

  private fromParents(key: string): Canonical | null | undefined {
    for (let i = this.parents.length - 1; i >= 0; i--) {
      const value = (this.parents[i] as StateWrites).get(key);
      if (value !== undefined) return value;
    }
    return undefined;
  }
}

/** One transaction's writes, kept apart so a failed transaction changes nothing. */
export class TxState implements StateAccess {
  private readonly writes: StateWrites = new Map();
  private readonly encoded: EncodedWrites = new Map();

  constructor(private readonly block: BlockState) {}

  get(key: string): Canonical | null | Promise<Canonical | null> {
    const written = this.writes.get(key);
    return written !== undefined ? written : this.block.get(key);
  }

  put(key: string, value: Canonical): void {
    this.encoded.set(key, encodeStateValue(key, value));
    this.writes.set(key, value);
  }

  delete(key: string): void {
    this.encoded.set(key, null);
    this.writes.set(key, null);
  }

  commit(): void {
    for (const [key, value] of this.writes) this.block.writes.set(key, value);
    for (const [key, bytes] of this.encoded) this.block.encoded.set(key, bytes);
  }
}
