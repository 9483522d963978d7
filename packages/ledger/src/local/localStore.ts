import { CareLedgerError } from "@careledger/protocol";
import { ClassicLevel } from "classic-level";
import { plainBytes } from "../storage/database.js";
import { prefixRange } from "../storage/layout.js";
import { type EraseHooks, eraseRange, resumeErasures } from "./erasure.js";
import { SharedExclusiveLock } from "./lock.js";

/** Longest key in a space, in UTF-8 bytes. */
export const LOCAL_KEY_BYTES_MAX = 1024;
/** Largest value: a record's ciphertext is uploaded through the API, whose body limit is lower. */
export const LOCAL_VALUE_BYTES_MAX = 16 * 1024 * 1024;
/** Most entries one scan returns; page on with `after`. */
export const LOCAL_SCAN_ENTRIES_MAX = 10_000;
/** A space is a module's name: lower-case, digits, dots and dashes, never empty. */
const SPACE_NAME = /^[a-z][a-z0-9.-]{0,63}$/;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export type LocalDatabase = ClassicLevel<Uint8Array, Uint8Array>;

export interface LocalStoreOptions extends EraseHooks {}

export interface LocalScanOptions {
  /** Only keys that start with this; all keys of the space by default. */
  readonly prefix?: string;
  /** Only keys after this one: the last key of the previous page. */
  readonly after?: string;
  readonly limit?: number;
}

/**
 * What only this node holds and consensus never sees (the records custodian's ciphertext and
 * wrapped keys, monitoring readings, secondary indexes), in a LevelDB database of its own beside
 * the ledger's, one key space per module. Its keys can be erased for real (`erase`): the bytes
 * leave the log and the table files, which crypto-shredding depends on. Nothing here is part of
 * the state root.
 */
export class LocalStore {
  private readonly lock = new SharedExclusiveLock();

  private constructor(
    private readonly db: LocalDatabase,
    private readonly hooks: EraseHooks,
  ) {}

  /** Opens (or creates) the store in `dir`, finishing first every erasure not finished before. */
  static async open(dir: string, options: LocalStoreOptions = {}): Promise<LocalStore> {
    const db = new ClassicLevel<Uint8Array, Uint8Array>(dir, {
      keyEncoding: "view",
      valueEncoding: "view",
    });
    await db.open();
    await resumeErasures(db, options);
    return new LocalStore(db, options);
  }

  /** The key space of one module. */
  space(name: string): LocalSpace {
    if (!SPACE_NAME.test(name)) throw new RangeError(`space name ${JSON.stringify(name)}`);
    return new LocalSpace(this.db, this.lock, this.hooks, encoder.encode(`${name}/`));
  }

  /** Closes once the operations in progress are done. */
  async close(): Promise<void> {
    await this.lock.withExclusive(() => this.db.close());
  }
}

/** One module's keys. Every operation but `erase` runs alongside others; `erase` runs alone. */
export class LocalSpace {
  constructor(
    private readonly db: LocalDatabase,
    private readonly lock: SharedExclusiveLock,
    private readonly hooks: EraseHooks,
    private readonly prefix: Uint8Array,
  ) {}

  /** Stores a value, synced to disk before it resolves unless `sync` is false. */
  async put(key: string, value: Uint8Array, options: { sync?: boolean } = {}): Promise<void> {
    if (value.byteLength > LOCAL_VALUE_BYTES_MAX) {
      throw new CareLedgerError("ENCODING_TOO_LARGE", `value of ${value.byteLength} bytes`, {
        bytesMax: LOCAL_VALUE_BYTES_MAX,
      });
    }
    const stored = this.key(key);
    await this.lock.withShared(() => this.db.put(stored, value, { sync: options.sync ?? true }));
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const stored = this.key(key);
    const value = await this.lock.withShared(() => this.db.get(stored));
    return value === undefined ? undefined : plainBytes(value);
  }

  /**
   * Removes a key from reads. Not an erasure: LevelDB keeps the old bytes in its files until a
   * compaction happens to reach them. Use `erase` for anything that must be gone.
   */
  async del(key: string): Promise<void> {
    const stored = this.key(key);
    await this.lock.withShared(() => this.db.del(stored, { sync: true }));
  }

  /** Entries in key order, at most `limit` (LOCAL_SCAN_ENTRIES_MAX by default). */
  async scan(options: LocalScanOptions = {}): Promise<Array<[string, Uint8Array]>> {
    const limit = options.limit ?? LOCAL_SCAN_ENTRIES_MAX;
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > LOCAL_SCAN_ENTRIES_MAX) {
      throw new RangeError(`scan limit ${limit} is not in 1..${LOCAL_SCAN_ENTRIES_MAX}`);
    }
    const range = prefixRange(this.key(options.prefix ?? ""));
    // Start at the later of the prefix's first key and the key after `after`: an `after` before
    // the prefix must not widen the scan to keys outside it.
    const after = options.after === undefined ? undefined : this.key(options.after);
    const from =
      after === undefined || Buffer.compare(after, range.gte) < 0
        ? { gte: range.gte }
        : { gt: after };
    const skip = this.prefix.byteLength;
    return this.lock.withShared(async () => {
      const out: Array<[string, Uint8Array]> = [];
      // The iterator is closed before the lock is released: an open one would hold a snapshot
      // that keeps an erasure's compaction from dropping the bytes.
      for await (const [key, value] of this.db.iterator({ ...from, lt: range.lt, limit })) {
        out.push([decoder.decode(fromAsciiHex(key.subarray(skip))), plainBytes(value)]);
      }
      return out;
    });
  }

  /**
   * Erases a key: once this resolves, its value is in none of the store's files (log, tables),
   * and a crash after it resolves cannot bring it back. Returns how many keys it removed (0 or 1).
   */
  async erase(key: string): Promise<number> {
    const stored = this.key(key);
    const range = { gte: stored, lt: successor(stored) };
    return this.lock.withExclusive(() => eraseRange(this.db, range, this.hooks));
  }

  /** Erases every key that starts with `prefix` (the whole space for ""), as `erase` does. */
  async erasePrefix(prefix: string): Promise<number> {
    const range = prefixRange(this.key(prefix));
    return this.lock.withExclusive(() => eraseRange(this.db, range, this.hooks));
  }

  /**
   * `<space>/<hex of the key's UTF-8>`: every stored key is printable ASCII, so LevelDB's listing
   * of its table files (which `erase` reads) prints keys as they are, and hex keeps the order.
   */
  private key(key: string): Uint8Array {
    const bytes = encoder.encode(key);
    if (bytes.byteLength > LOCAL_KEY_BYTES_MAX) {
      throw new CareLedgerError("ENCODING_TOO_LARGE", `key of ${bytes.byteLength} bytes`, {
        bytesMax: LOCAL_KEY_BYTES_MAX,
      });
    }
    const hex = encoder.encode(Buffer.from(bytes).toString("hex"));
    const out = new Uint8Array(this.prefix.byteLength + hex.byteLength);
    out.set(this.prefix, 0);
    out.set(hex, this.prefix.byteLength);
    return out;
  }
}

/** The bytes behind ASCII hex. */
function fromAsciiHex(hex: Uint8Array): Uint8Array {
  return Buffer.from(decoder.decode(hex), "hex");
}

/** The smallest key after `key`: `key` followed by a zero byte. */
function successor(key: Uint8Array): Uint8Array {
  const out = new Uint8Array(key.byteLength + 1);
  out.set(key, 0);
  return out;
}
