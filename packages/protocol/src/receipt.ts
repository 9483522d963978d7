import { type Static, Type } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { type Canonical, decode, encode } from "./encoding.js";
import { CareLedgerError } from "./errors.js";
import { HASH_BYTES } from "./hash.js";
import { type MerkleProof, merkleRoot, verifyMerkleProof } from "./merkle.js";

/** Longest reason text a failed receipt carries, in UTF-16 code units (JavaScript's length). */
export const RECEIPT_REASON_CHARS_MAX = 500;

const LONE_SURROGATE = /\p{Cs}/gu;

/**
 * A failure's text made fit for a receipt: lone surrogates (which have no UTF-8 encoding, so the
 * receipt would not encode) become U+FFFD, and the text is cut to RECEIPT_REASON_CHARS_MAX code
 * units on a code point boundary: a cut between the two halves of a pair (an emoji) would leave a
 * lone surrogate and make the whole block fail to encode.
 */
export function receiptReason(text: string): string {
  const wellFormed = text.replace(LONE_SURROGATE, "\uFFFD");
  if (wellFormed.length <= RECEIPT_REASON_CHARS_MAX) return wellFormed;
  const last = wellFormed.charCodeAt(RECEIPT_REASON_CHARS_MAX - 1);
  const splitsPair = last >= 0xd800 && last <= 0xdbff;
  return wellFormed.slice(0, RECEIPT_REASON_CHARS_MAX - (splitsPair ? 1 : 0));
}

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

const receiptCheck = TypeCompiler.Compile(ReceiptSchema);

/** A receipt from its canonical bytes; anything else is ENCODING_INVALID. */
export function decodeReceipt(bytes: Uint8Array): Receipt {
  const value = decode(bytes);
  if (!receiptCheck.Check(value)) throw new CareLedgerError("ENCODING_INVALID", "not a receipt");
  return value;
}

/**
 * Whether `receiptBytes` is the receipt at `proof.index` of the block whose header has
 * `receiptsRoot`. The tree's size is in the proof: take `proof.total` from a trusted source (the
 * number of transactions the header's txRoot fixes), as for transaction proofs.
 */
export function verifyReceiptProof(
  receiptsRoot: Uint8Array,
  receiptBytes: Uint8Array,
  proof: MerkleProof,
): boolean {
  return verifyMerkleProof(receiptsRoot, receiptBytes, proof);
}
