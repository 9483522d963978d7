import { hash } from "node:crypto";
import type { SignedTx } from "@careledger/protocol";

/**
 * protocol's `merkleRoot` (RFC 6962: leaf H(0x00 || data), node H(0x01 || left || right), an
 * odd last node promoted, the empty tree H("")) computed with node:crypto, about three times
 * faster than noble on a 5,000-transaction block. roots.test.ts pins equality with protocol's.
 */
export function merkleRootFast(leaves: readonly Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return plain(hash("sha256", new Uint8Array(0), "buffer"));
  // Each level's hashes sit side by side in one buffer, so a level is one allocation, not one
  // object per hash; leaves are hashed from one reused buffer when they fit.
  let level = Buffer.allocUnsafe(leaves.length * HASH_BYTES);
  const leafScratch = Buffer.allocUnsafe(LEAF_SCRATCH_BYTES);
  leaves.forEach((leaf, index) => {
    const input =
      leaf.byteLength < LEAF_SCRATCH_BYTES
        ? leafScratch.subarray(0, 1 + leaf.byteLength)
        : Buffer.allocUnsafe(1 + leaf.byteLength);
    input[0] = 0;
    input.set(leaf, 1);
    hash("sha256", input, "buffer").copy(level, index * HASH_BYTES);
  });
  const scratch = Buffer.allocUnsafe(1 + 2 * HASH_BYTES);
  scratch[0] = 1;
  let width = leaves.length;
  while (width > 1) {
    const nextWidth = Math.ceil(width / 2);
    const next = Buffer.allocUnsafe(nextWidth * HASH_BYTES);
    for (let i = 0; i + 1 < width; i += 2) {
      level.copy(scratch, 1, i * HASH_BYTES, (i + 2) * HASH_BYTES);
      hash("sha256", scratch, "buffer").copy(next, (i / 2) * HASH_BYTES);
    }
    if (width % 2 === 1) level.copy(next, (nextWidth - 1) * HASH_BYTES, (width - 1) * HASH_BYTES);
    level = next;
    width = nextWidth;
  }
  return plain(level.subarray(0, HASH_BYTES));
}

const HASH_BYTES = 32;
const LEAF_SCRATCH_BYTES = 256;

function plain(bytes: Buffer): Uint8Array {
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The header's txRoot (protocol txRootOf). */
export function txRootFast(txs: readonly SignedTx[]): Uint8Array {
  return merkleRootFast(txs.map((signed) => signed.id));
}

/** The header's receiptsRoot (protocol receiptsRootOf) over receipts already encoded. */
export function receiptsRootFast(encodedReceipts: readonly Uint8Array[]): Uint8Array {
  return merkleRootFast(encodedReceipts);
}
