import { CareLedgerError } from "@careledger/protocol";

/**
 * The key layout of the one LevelDB database a node keeps. Every key starts with one prefix
 * byte naming its kind; heights are 8-byte big-endian so blocks iterate in height order.
 *
 *   b <height:8>          -> canonical {header, txIds}: the header and the ids of its transactions
 *   h <blockHash:32>      -> height:8
 *   c <height:8>          -> commit certificate (canonical encoding); none for height 0
 *   t <txId:32>           -> height:8, index:4, tx bytes: the index holds the transaction itself,
 *                            so a transaction is written once and read with one get
 *   r <height:8>          -> canonical list of the block's encoded receipts (bytes), in order
 *   s <state key, UTF-8>  -> canonical value of a world-state key
 *   n <depth:1><prefix>   -> state tree node (smt/node.ts)
 *   l <record key, UTF-8> -> consensus log record (written with sync)
 *   x <module>/<index>/<key, UTF-8> -> a node-local index entry (not in the state root)
 *   m index/<module>/<index> -> the version of that index the entries were built by
 *   m head                -> canonical {height, hash, stateRoot, time}
 *   m chain               -> the chain id this database belongs to
 *   m format              -> the storage format version (storageFormat.ts), canonical integer
 */
export const PREFIX = {
  block: 0x62,
  hashToHeight: 0x68,
  certificate: 0x63,
  txIndex: 0x74,
  receipts: 0x72,
  state: 0x73,
  stateNode: 0x6e,
  consensusLog: 0x6c,
  index: 0x78,
  meta: 0x6d,
} as const;

const encoder = new TextEncoder();

export function heightBytes(height: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(height));
  return out;
}

export function readHeight(bytes: Uint8Array): number {
  return Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0));
}

function prefixed(prefix: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + body.byteLength);
  out[0] = prefix;
  out.set(body, 1);
  return out;
}

/**
 * The prefix byte, then the text's UTF-8 (what TextEncoder writes, a lone surrogate as U+FFFD),
 * in one allocation from Buffer's pool instead of an encoding and a copy: state and index keys
 * are made tens of thousands of times a block.
 */
function prefixedText(prefix: number, text: string): Uint8Array {
  const out = Buffer.allocUnsafe(1 + Buffer.byteLength(text, "utf8"));
  out[0] = prefix;
  // Every byte after the prefix is written: allocUnsafe's old contents never reach a key.
  if (out.write(text, 1, "utf8") !== out.byteLength - 1) throw new Error("key not fully written");
  return out;
}

export const blockKey = (height: number) => prefixed(PREFIX.block, heightBytes(height));
export const hashKey = (hash: Uint8Array) => prefixed(PREFIX.hashToHeight, hash);
export const certificateKey = (height: number) => prefixed(PREFIX.certificate, heightBytes(height));
export const txIndexKey = (id: Uint8Array) => prefixed(PREFIX.txIndex, id);
export const receiptsKey = (height: number) => prefixed(PREFIX.receipts, heightBytes(height));
export const stateKey = (key: string) => prefixedText(PREFIX.state, key);
export const consensusLogKey = (key: string) => prefixed(PREFIX.consensusLog, encoder.encode(key));
export const indexEntryKey = (key: string) => prefixedText(PREFIX.index, key);
export const indexMarkerKey = (name: string) =>
  prefixed(PREFIX.meta, encoder.encode(`index/${name}`));
export const headKey = prefixed(PREFIX.meta, encoder.encode("head"));
export const chainKey = prefixed(PREFIX.meta, encoder.encode("chain"));
export const formatKey = prefixed(PREFIX.meta, encoder.encode("format"));

/** A tree node's key: the prefix byte, then the path key's latin1 bytes (smt/node.ts). */
export function stateNodeKey(path: string): Uint8Array {
  const out = new Uint8Array(1 + path.length);
  out[0] = PREFIX.stateNode;
  for (let i = 0; i < path.length; i++) out[i + 1] = path.charCodeAt(i);
  return out;
}

/** The half-open key range of every key that starts with `start`. */
export function prefixRange(start: Uint8Array): { gte: Uint8Array; lt: Uint8Array } {
  const end = Uint8Array.from(start);
  let i = end.length - 1;
  while (i >= 0 && end[i] === 0xff) i--;
  if (i < 0) throw new RangeError("prefix has no upper bound");
  end[i] = (end[i] as number) + 1;
  return { gte: start, lt: end.subarray(0, i + 1) };
}

export const STATE_KEY_DECODER = new TextDecoder();

/**
 * The key range of a scan of `prefix` (through `toKey`, which adds the kind's prefix byte),
 * strictly after the key `after` when one is given; `after` must lie under the prefix, so a
 * cursor cannot move a scan to another part of the state (BAD_REQUEST).
 */
export function scanRange(
  toKey: (key: string) => Uint8Array,
  prefix: string,
  after: string | null,
): { gt?: Uint8Array; gte?: Uint8Array; lt: Uint8Array } {
  const range = prefixRange(toKey(prefix));
  if (after === null) return range;
  if (!after.startsWith(prefix)) {
    throw new CareLedgerError("BAD_REQUEST", "cursor does not belong to this list");
  }
  return { gt: toKey(after), lt: range.lt };
}
