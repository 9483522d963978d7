import {
  BLOCK_BYTES_MAX,
  type Block,
  type Canonical,
  CareLedgerError,
  type CommitCertificate,
  CommitCertificateSchema,
  DEFAULT_DECODE_LIMITS,
  decode,
  decodeBlock,
  encode,
  encodeBlock,
} from "@careledger/protocol";
import { Type } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { CERTIFICATE_BYTES_MAX, CHANNELS } from "../p2p/channels.js";

/** The reply's map and its keys. */
const SYNC_ENVELOPE_BYTES = 1024;
/** msgpack's bin32 header of one item. */
const ITEM_HEADER_BYTES = 5;
/** An encoded header with the block's own framing, generously. */
const HEADER_BYTES_BOUND = 2048;

/** Most blocks asked for, or sent, in one message. */
export const SYNC_BLOCKS_PER_MESSAGE_MAX = 64;
/**
 * Bytes of certified blocks in one reply, counted by `syncItemBytes`: the frame less the
 * envelope, so a reply never outgrows the frame its receiver accepts, and one block at its
 * largest always fits.
 */
export const SYNC_REPLY_BYTES_MAX = CHANNELS.sync.messageBytesMax - SYNC_ENVELOPE_BYTES;

/**
 * An upper bound on what one certified block adds to a reply: its transactions with their
 * list headers, the header, and a certificate at its largest.
 */
export function syncItemBytes(block: Block): number {
  let bytes = HEADER_BYTES_BOUND + CERTIFICATE_BYTES_MAX;
  for (const signed of block.txs) bytes += signed.bytes.byteLength + ITEM_HEADER_BYTES;
  return bytes;
}

export interface SyncRequest {
  readonly kind: "request";
  readonly from: number;
  readonly count: number;
}

export interface CertifiedBlockBytes {
  readonly block: Block;
  readonly certificate: CommitCertificate;
}

export interface SyncBlocks {
  readonly kind: "blocks";
  /** The responder's committed height, so the requester knows how far there is to go. */
  readonly head: number;
  readonly items: readonly CertifiedBlockBytes[];
}

/** A node's committed height, announced to peers now and then, so a node behind notices. */
export interface SyncHead {
  readonly kind: "head";
  readonly height: number;
}

export type SyncMessage = SyncRequest | SyncBlocks | SyncHead;

const height = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
const SyncWireSchema = Type.Union([
  Type.Object({ kind: Type.Literal("head"), height }, { additionalProperties: false }),
  Type.Object(
    {
      kind: Type.Literal("request"),
      from: height,
      count: Type.Integer({ minimum: 1, maximum: SYNC_BLOCKS_PER_MESSAGE_MAX }),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      kind: Type.Literal("blocks"),
      head: height,
      items: Type.Array(
        Type.Object(
          {
            block: Type.Uint8Array({ maxByteLength: BLOCK_BYTES_MAX }),
            certificate: CommitCertificateSchema,
          },
          { additionalProperties: false },
        ),
        { maxItems: SYNC_BLOCKS_PER_MESSAGE_MAX },
      ),
    },
    { additionalProperties: false },
  ),
]);
const syncWireCheck = TypeCompiler.Compile(SyncWireSchema);

export function encodeSyncMessage(message: SyncMessage): Uint8Array {
  if (message.kind !== "blocks") return encode({ ...message });
  return encode({
    kind: "blocks",
    head: message.head,
    items: message.items.map((item) => ({
      block: encodeBlock(item.block),
      certificate: item.certificate as unknown as Canonical,
    })),
  });
}

/** Decodes a sync message from a peer; anything malformed is a CareLedgerError. */
export function decodeSyncMessage(bytes: Uint8Array): SyncMessage {
  const value = decode(bytes, {
    ...DEFAULT_DECODE_LIMITS,
    bytesMax: CHANNELS.sync.messageBytesMax,
  });
  if (!syncWireCheck.Check(value))
    throw new CareLedgerError("ENCODING_INVALID", "not a sync message");
  if (value.kind !== "blocks") return value;
  return {
    kind: "blocks",
    head: value.head,
    items: value.items.map((item) => ({
      block: decodeBlock(item.block),
      certificate: item.certificate,
    })),
  };
}
