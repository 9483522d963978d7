import { type Static, Type } from "@sinclair/typebox";
import { type Canonical, encode } from "./encoding.js";
import { HASH_BYTES } from "./hash.js";
import { merkleRoot } from "./merkle.js";

/** Longest reason text a failed receipt carries. */
export const RECEIPT_REASON_CHARS_MAX = 500;

/**
 * The outcome of one committed transaction. A failed receipt names the broken rule with a code
 * from errors.ts and a human-readable reason; a failed transaction changed no state.
 */
export const ReceiptSchema = Type.Union([
  Type.Object(
    {
      tx: Type.Uint8Array({ minByteLength: HASH_BYTES, maxByteLength: HASH_BYTES }),
      status: Type.Literal("ok"),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      tx: Type.Uint8Array({ minByteLength: HASH_BYTES, maxByteLength: HASH_BYTES }),
      status: Type.Literal("failed"),
      code: Type.String({ maxLength: 64 }),
      reason: Type.String({ maxLength: RECEIPT_REASON_CHARS_MAX }),
    },
    { additionalProperties: false },
  ),
]);

export type Receipt = Static<typeof ReceiptSchema>;

export function encodeReceipt(receipt: Receipt): Uint8Array {
  return encode(receipt as unknown as Canonical);
}

/** The header's `receiptsRoot`: the Merkle root of the receipts' canonical encodings, in order. */
export function receiptsRootOf(receipts: readonly Receipt[]): Uint8Array {
  return merkleRoot(receipts.map(encodeReceipt));
}
