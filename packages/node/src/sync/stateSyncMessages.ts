import {
  SNAPSHOT_CHUNK_KEYS_MAX,
  type SnapshotChunk,
  type SnapshotOffer,
} from "@careledger/ledger";
import {
  BLOCK_BYTES_MAX,
  BLOCK_TXS_MAX,
  type Canonical,
  CareLedgerError,
  CommitCertificateSchema,
  DEFAULT_DECODE_LIMITS,
  decode,
  decodeBlock,
  encode,
  encodeBlock,
  HASH_BYTES,
} from "@careledger/protocol";
import { Type } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { CHANNELS } from "../p2p/channels.js";

/**
 * The state-sync wire (channel `snapshot`): a joining node asks its peers for their newest
 * snapshot (`offerRequest`), and gets its certified block with the block's receipts (`offer`)
 * or `noOffer`; then asks for chunks by tree path (`chunkRequest`) and gets the keys and values
 * under the path (`leaves`), the stored node there (`node`), or `missing` (the snapshot was
 * dropped, or there is no such path). Everything is bounded by the schema before it is used.
 */
export type StateSyncMessage =
  | { readonly kind: "offerRequest" }
  | { readonly kind: "offer"; readonly offer: SnapshotOffer }
  | { readonly kind: "noOffer" }
  | { readonly kind: "chunkRequest"; readonly height: number; readonly path: string }
  | {
      readonly kind: "chunk";
      readonly height: number;
      readonly path: string;
      readonly chunk: SnapshotChunk | null;
    };

/** A path key: a depth byte and at most HASH_BYTES of prefix. */
const PATH_BYTES_MAX = 1 + HASH_BYTES;
/** An internal tree node's encoding at most: its header and sixteen child hashes. */
const NODE_BYTES_MAX = 5 + 16 * HASH_BYTES;
/** A state key's length on the wire; keys are module names and ids, far shorter. */
const KEY_CHARS_MAX = 4096;
/** An encoded receipt at most; a block's receipts stay within the channel's frame. */
const RECEIPTS_MAX = BLOCK_TXS_MAX;

const height = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
const path = Type.Uint8Array({ minByteLength: 1, maxByteLength: PATH_BYTES_MAX });
const frame = CHANNELS.snapshot.messageBytesMax;
const WireSchema = Type.Union([
  Type.Object({ kind: Type.Literal("offerRequest") }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal("noOffer") }, { additionalProperties: false }),
  Type.Object(
    {
      kind: Type.Literal("offer"),
      block: Type.Uint8Array({ maxByteLength: BLOCK_BYTES_MAX }),
      certificate: CommitCertificateSchema,
      receipts: Type.Array(Type.Uint8Array({ maxByteLength: frame }), { maxItems: RECEIPTS_MAX }),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    { kind: Type.Literal("chunkRequest"), height, path },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      kind: Type.Literal("chunk"),
      height,
      path,
      leaves: Type.Optional(
        Type.Array(
          Type.Tuple([
            Type.String({ minLength: 1, maxLength: KEY_CHARS_MAX }),
            Type.Uint8Array({ maxByteLength: frame }),
          ]),
          { minItems: 1, maxItems: SNAPSHOT_CHUNK_KEYS_MAX },
        ),
      ),
      node: Type.Optional(Type.Uint8Array({ maxByteLength: NODE_BYTES_MAX })),
    },
    { additionalProperties: false },
  ),
]);
const wireCheck = TypeCompiler.Compile(WireSchema);

const pathBytes = (key: string) => Uint8Array.from(key, (char) => char.charCodeAt(0));
const pathString = (bytes: Uint8Array) => String.fromCharCode(...bytes);

export function encodeStateSyncMessage(message: StateSyncMessage): Uint8Array {
  switch (message.kind) {
    case "offerRequest":
    case "noOffer":
      return encode({ kind: message.kind });
    case "offer":
      return encode({
        kind: "offer",
        block: encodeBlock(message.offer.block),
        certificate: message.offer.certificate as unknown as Canonical,
        receipts: [...message.offer.encodedReceipts],
      });
    case "chunkRequest":
      return encode({ kind: message.kind, height: message.height, path: pathBytes(message.path) });
    case "chunk": {
      const body: Record<string, Canonical> = {
        kind: "chunk",
        height: message.height,
        path: pathBytes(message.path),
      };
      if (message.chunk?.kind === "leaves") {
        body.leaves = message.chunk.entries.map((entry) => [entry.key, entry.value]);
      } else if (message.chunk?.kind === "node") {
        body.node = message.chunk.node;
      }
      return encode(body);
    }
  }
}

/** Decodes a peer's state-sync message; anything malformed is a CareLedgerError. */
export function decodeStateSyncMessage(bytes: Uint8Array): StateSyncMessage {
  const value = decode(bytes, { ...DEFAULT_DECODE_LIMITS, bytesMax: frame });
  if (!wireCheck.Check(value)) {
    throw new CareLedgerError("ENCODING_INVALID", "not a state-sync message");
  }
  switch (value.kind) {
    case "offerRequest":
    case "noOffer":
      return { kind: value.kind };
    case "offer":
      return {
        kind: "offer",
        offer: {
          block: decodeBlock(value.block),
          certificate: value.certificate,
          encodedReceipts: value.receipts,
        },
      };
    case "chunkRequest":
      return { kind: "chunkRequest", height: value.height, path: pathString(value.path) };
    case "chunk": {
      if (value.leaves !== undefined && value.node !== undefined) {
        throw new CareLedgerError("ENCODING_INVALID", "a chunk of both leaves and a node");
      }
      const chunk: SnapshotChunk | null =
        value.leaves !== undefined
          ? { kind: "leaves", entries: value.leaves.map(([key, bytes]) => ({ key, value: bytes })) }
          : value.node !== undefined
            ? { kind: "node", node: value.node }
            : null;
      return { kind: "chunk", height: value.height, path: pathString(value.path), chunk };
    }
  }
}
