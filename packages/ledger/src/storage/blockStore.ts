import {
  type Block,
  type Canonical,
  type CommitCertificate,
  decodeOwn,
  decodeOwnTx,
  encode,
  type Header,
  type Receipt,
} from "@careledger/protocol";
import type { Database } from "./database.js";
import {
  blockKey,
  certificateKey,
  hashKey,
  heightBytes,
  readHeight,
  receiptsKey,
  txIndexKey,
} from "./layout.js";

/** Where a committed transaction sits, with the transaction and its receipt. */
export interface TxLocation {
  readonly height: number;
  readonly index: number;
  readonly bytes: Uint8Array;
}

type Batch = ReturnType<Database["batch"]>;

/** Adds a block's own records (not its state) to a commit batch. */
export function putBlock(
  batch: Batch,
  block: Block,
  hash: Uint8Array,
  certificate: CommitCertificate | null,
  encodedReceipts: readonly Uint8Array[],
): void {
  const { height } = block.header;
  const txIds = block.txs.map((signed) => signed.id);
  batch.put(blockKey(height), encode({ header: block.header as unknown as Canonical, txIds }));
  batch.put(hashKey(hash), blockKey(height).subarray(1));
  if (certificate !== null) {
    batch.put(certificateKey(height), encode(certificate as unknown as Canonical));
  }
  block.txs.forEach((signed, index) => {
    batch.put(txIndexKey(signed.id), encodeTxEntry(height, index, signed.bytes));
  });
  batch.put(receiptsKey(height), encode(encodedReceipts as Uint8Array[]));
}

/** Fixed layout (height:8, index:4, tx bytes): written 5,000 times a block, so no msgpack. */
function encodeTxEntry(height: number, index: number, bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(TX_ENTRY_HEADER_BYTES + bytes.byteLength);
  out.set(heightBytes(height), 0);
  new DataView(out.buffer).setUint32(8, index);
  out.set(bytes, TX_ENTRY_HEADER_BYTES);
  return out;
}

const TX_ENTRY_HEADER_BYTES = 12;

function decodeTxEntry(entry: Uint8Array): TxLocation {
  return {
    height: readHeight(entry),
    index: new DataView(entry.buffer, entry.byteOffset + 8, 4).getUint32(0),
    bytes: entry.slice(TX_ENTRY_HEADER_BYTES),
  };
}

export async function readBlock(db: Database, height: number): Promise<Block | null> {
  const stored = await db.get(blockKey(height));
  if (stored === undefined) return null;
  const { header, txIds } = decodeOwn(stored) as unknown as {
    header: Header;
    txIds: Uint8Array[];
  };
  const entries = await db.getMany(txIds.map(txIndexKey));
  // Only this node's commits wrote these, from transactions its decodeTx accepted (or its own
  // sealTx made), with their ids: the trusted decode, a fifth of decodeTx's cost (RESULTS.md).
  const txs = entries.map((entry, index) => {
    if (entry === undefined) throw new Error(`block ${height} lost a transaction`);
    return decodeOwnTx(decodeTxEntry(entry).bytes, txIds[index] as Uint8Array);
  });
  return { header, txs };
}

export async function readHeader(db: Database, height: number): Promise<Header | null> {
  const stored = await db.get(blockKey(height));
  if (stored === undefined) return null;
  return (decodeOwn(stored) as unknown as { header: Header }).header;
}

export async function heightOfHash(db: Database, hash: Uint8Array): Promise<number | null> {
  const stored = await db.get(hashKey(hash));
  return stored === undefined ? null : readHeight(stored);
}

export async function readCertificate(
  db: Database,
  height: number,
): Promise<CommitCertificate | null> {
  const stored = await db.get(certificateKey(height));
  return stored === undefined ? null : (decodeOwn(stored) as unknown as CommitCertificate);
}

export async function readReceipts(db: Database, height: number): Promise<Receipt[] | null> {
  const stored = await db.get(receiptsKey(height));
  if (stored === undefined) return null;
  // This node's commits encoded them: the trusted decode (encoding.ts, decodeOwn).
  return (decodeOwn(stored) as Uint8Array[]).map((bytes) => decodeOwn(bytes) as unknown as Receipt);
}

export async function locateTx(db: Database, id: Uint8Array): Promise<TxLocation | null> {
  const stored = await db.get(txIndexKey(id));
  if (stored === undefined) return null;
  return decodeTxEntry(stored);
}

/** For each id, whether a committed block holds it: one batched read. */
export async function committedIds(db: Database, ids: readonly Uint8Array[]): Promise<boolean[]> {
  if (ids.length === 0) return [];
  const found = await db.getMany(ids.map(txIndexKey));
  return found.map((entry) => entry !== undefined);
}
