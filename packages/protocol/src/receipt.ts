import { type Static, Type } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { type Canonical, decode, decodeOwn, encode } from "./encoding.js";
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
 * Largest canonical encoding of a receipt's `result`: a decision, not a history. 8 KiB since
 * the claims module: a ClaimResponse of CLAIM_ITEMS_MAX (50) lines at the payload's largest
 * amounts encodes to about 6.4 KiB (claims/submit.test.ts), over the 4 KiB before.
 */
export const RECEIPT_RESULT_BYTES_MAX = 8 * 1024;
/** Most events one transaction emits, attributes one event carries, characters of a text one. */
export const RECEIPT_EVENTS_MAX = 16;
export const EVENT_ATTRIBUTES_MAX = 16;
export const EVENT_ATTRIBUTE_CHARS_MAX = 256;
/** Largest bytes attribute of an event (a key or a hash). */
export const EVENT_ATTRIBUTE_BYTES_MAX = 64;

/**
 * Something a transaction did that subscribers may follow (`gov.proposal.decided`): a dotted
 * lowercase type and a few flat attributes, all bounded.
 */
export const ReceiptEventSchema = Type.Object(
  {
    type: Type.String({ maxLength: 64, pattern: "^[a-z][a-zA-Z0-9]*(\\.[a-z][a-zA-Z0-9]*){1,3}$" }),
    attributes: Type.Record(
      Type.String({ pattern: "^[a-z][a-zA-Z0-9]{0,31}$" }),
      Type.Union([
        Type.String({ maxLength: EVENT_ATTRIBUTE_CHARS_MAX }),
        Type.Integer({ minimum: Number.MIN_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER }),
        Type.Boolean(),
        Type.Uint8Array({ maxByteLength: EVENT_ATTRIBUTE_BYTES_MAX }),
      ]),
      { maxProperties: EVENT_ATTRIBUTES_MAX },
    ),
  },
  { additionalProperties: false },
);

export type ReceiptEvent = Static<typeof ReceiptEventSchema>;

/**
 * The outcome of one committed transaction. A failed receipt names the broken rule with a code
 * from errors.ts and a human-readable reason; a failed transaction changed no state. An ok
 * receipt may carry the module's `result` (a canonical value of at most RECEIPT_RESULT_BYTES_MAX
 * bytes: an access decision, an adjudication, a tally) and the `events` it emitted; both are
 * committed under receiptsRoot with the rest, so they are provable without living in the state.
 * A receipt without them encodes exactly as before they existed.
 */
export const ReceiptSchema = Type.Union([
  Type.Object(
    {
      tx: Type.Uint8Array({ minByteLength: HASH_BYTES, maxByteLength: HASH_BYTES }),
      status: Type.Literal("ok"),
      result: Type.Optional(Type.Unknown()),
      events: Type.Optional(
        Type.Array(ReceiptEventSchema, { minItems: 1, maxItems: RECEIPT_EVENTS_MAX }),
      ),
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
const eventCheck = TypeCompiler.Compile(ReceiptEventSchema);

/** A handler's result or event, checked: the copy the receipt holds, and its canonical bytes. */
export interface CheckedOutput<T> {
  readonly value: T;
  readonly bytes: Uint8Array;
}

/**
 * Checks a handler's result for a receipt: canonical and at most RECEIPT_RESULT_BYTES_MAX bytes
 * encoded; throws RESULT_INVALID saying why. Returns a copy decoded from those bytes, so the
 * handler cannot change what was checked (it keeps a reference to its own object), and the
 * bytes, which the receipt's encoding reuses (encodeOkReceipt) instead of encoding it again.
 */
export function checkReceiptResult(value: Canonical): CheckedOutput<Canonical> {
  const bytes = canonicalBytes(value, "result");
  if (bytes.byteLength > RECEIPT_RESULT_BYTES_MAX) {
    throw new CareLedgerError(
      "RESULT_INVALID",
      `result is ${bytes.byteLength} bytes, more than ${RECEIPT_RESULT_BYTES_MAX}`,
    );
  }
  // encode just wrote these bytes: decodeOwn, as decode would only re-encode and compare them.
  return { value: decodeOwn(bytes), bytes };
}

/**
 * Checks one emitted event against ReceiptEventSchema and the canonical encoding (a lone
 * surrogate passes the schema but has no UTF-8 encoding); throws RESULT_INVALID naming the fault.
 * Returns a copy decoded from its encoding and the bytes, as checkReceiptResult does.
 */
export function checkReceiptEvent(event: unknown): CheckedOutput<ReceiptEvent> {
  if (!eventCheck.Check(event)) {
    const first = eventCheck.Errors(event).First();
    const where = first ? `${first.path || "/"}: ${first.message}` : "shape";
    throw new CareLedgerError("RESULT_INVALID", `event ${where}`);
  }
  const bytes = canonicalBytes(event as unknown as Canonical, "event");
  return { value: decodeOwn(bytes) as unknown as ReceiptEvent, bytes };
}

// The pieces of an ok receipt's encoding around its parts: a map of its keys in sorted order
// (events, result, status, tx), as encode writes it.
const EVENTS_KEY = encode("events");
const RESULT_KEY = encode("result");
const STATUS_OK = encode(["status", "ok"]).subarray(1);
const TX_KEY = encode("tx");
/** fixmap and fixarray headers hold counts up to 15; RECEIPT_EVENTS_MAX (16) needs array 16. */
const FIX_COUNT_MAX = 15;

/**
 * The canonical encoding of the ok receipt `{tx, status: "ok", result?, events?}` from the bytes
 * checkReceiptResult and checkReceiptEvent already made, so the result and events are encoded
 * once: exactly encodeReceipt's output (MessagePack is written value by value, so a map is its
 * header and its keys and values in order; receipt.test.ts checks the two agree).
 */
export function encodeOkReceipt(
  tx: Uint8Array,
  result: Uint8Array | undefined,
  events: readonly Uint8Array[] | undefined,
): Uint8Array {
  if (events !== undefined && (events.length === 0 || events.length > RECEIPT_EVENTS_MAX)) {
    throw new CareLedgerError("RESULT_INVALID", `${events.length} events`);
  }
  const txBytes = encode(tx);
  const parts: Uint8Array[] = [];
  // At most 4 keys: always a fixmap.
  parts.push(Uint8Array.of(0x80 | (2 + (result ? 1 : 0) + (events ? 1 : 0))));
  if (events !== undefined) {
    parts.push(EVENTS_KEY);
    const count = events.length;
    parts.push(
      count <= FIX_COUNT_MAX ? Uint8Array.of(0x90 | count) : Uint8Array.of(0xdc, 0, count),
    );
    parts.push(...events);
  }
  if (result !== undefined) parts.push(RESULT_KEY, result);
  parts.push(STATUS_OK, TX_KEY, txBytes);
  let size = 0;
  for (const part of parts) size += part.byteLength;
  const out = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}

function canonicalBytes(value: Canonical, what: string): Uint8Array {
  try {
    return encode(value);
  } catch (error) {
    const why = error instanceof CareLedgerError ? error.message : "no canonical encoding";
    throw new CareLedgerError("RESULT_INVALID", `${what}: ${why}`);
  }
}

/** A receipt from its canonical bytes; anything else is ENCODING_INVALID. */
export function decodeReceipt(bytes: Uint8Array): Receipt {
  const value: unknown = decode(bytes);
  if (!receiptCheck.Check(value)) throw new CareLedgerError("ENCODING_INVALID", "not a receipt");
  const receipt = value as Receipt;
  if (receipt.status === "ok" && receipt.result !== undefined) {
    const resultBytes = encode(receipt.result as Canonical).byteLength;
    if (resultBytes > RECEIPT_RESULT_BYTES_MAX) {
      throw new CareLedgerError("ENCODING_INVALID", "receipt result over its bound");
    }
  }
  return receipt;
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
