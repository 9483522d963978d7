import { Type } from "@sinclair/typebox";
import { DEFAULT_DECODE_LIMITS } from "../encoding.js";
import { HASH_BYTES } from "../hash.js";
import { PUBLIC_KEY_BYTES, SIGNATURE_BYTES } from "../keys.js";
import { BLOCK_TXS_MAX, TX_BYTES_MAX, TX_TYPE_CHARS_MAX, VALIDATORS_MAX } from "../limits.js";
import {
  EVENT_ATTRIBUTE_BYTES_MAX,
  EVENT_ATTRIBUTE_CHARS_MAX,
  EVENT_ATTRIBUTES_MAX,
  RECEIPT_EVENTS_MAX,
  RECEIPT_REASON_CHARS_MAX,
} from "../receipt.js";
import { STATE_TREE_DEPTH } from "../stateProof.js";

/**
 * The JSON bodies of the HTTP API, one schema each. The api serializes its answers through them
 * and the SDK checks every answer against them, so the bounds here (exact hex lengths, list
 * sizes, integer ranges) hold on both sides. Objects list every field as required unless it is
 * optional on the wire: fastify's serializer drops fields a schema does not name.
 */

/** Lowercase hex of exactly `bytes` bytes. */
export function HexOf(bytes: number, description: string) {
  return Type.String({ pattern: `^[0-9a-f]{${bytes * 2}}$`, description });
}

export const HashHex = HexOf(HASH_BYTES, "SHA-256, lowercase hex");
export const PublicKeyHex = HexOf(PUBLIC_KEY_BYTES, "Ed25519 public key, lowercase hex");
export const SignatureHex = HexOf(SIGNATURE_BYTES, "Ed25519 signature, lowercase hex");
/** Canonical bytes of any length up to `bytesMax`, lowercase hex. */
export function BytesHex(bytesMax: number, description: string) {
  return Type.String({ pattern: "^([0-9a-f]{2})*$", maxLength: bytesMax * 2, description });
}

/** A height, count, index, view or time in ms: a JSON number within the safe integer range. */
export const Count = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });

/** Deepest Merkle path of a block's transactions: log2 of the largest block, rounded up. */
export const TX_PROOF_SIBLINGS_MAX = Math.ceil(Math.log2(BLOCK_TXS_MAX));
/** Longest error code name the wire carries. */
export const ERROR_CODE_CHARS_MAX = 64;
/** Longest error message the wire carries. */
export const ERROR_MESSAGE_CHARS_MAX = 2_048;

/** A JSON object with any fields (TypeBox's Record would emit patternProperties, not in OpenAPI 3.0). */
export const JsonObject = Type.Object({}, { additionalProperties: true });

export const ErrorResponse = Type.Object(
  {
    error: Type.Object(
      {
        code: Type.String({ maxLength: ERROR_CODE_CHARS_MAX, description: "registry code" }),
        message: Type.String({ maxLength: ERROR_MESSAGE_CHARS_MAX }),
        details: JsonObject,
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export const StatusResponse = Type.Object(
  {
    chain: HashHex,
    node: PublicKeyHex,
    height: Count,
    headHash: HashHex,
    stateRoot: HashHex,
    view: Count,
    primary: PublicKeyHex,
    validators: Type.Array(PublicKeyHex, { maxItems: VALIDATORS_MAX }),
    peers: Count,
    syncing: Type.Boolean(),
  },
  { additionalProperties: false },
);

export const HeaderJson = Type.Object(
  {
    v: Count,
    chain: HashHex,
    height: Count,
    prevHash: HashHex,
    time: Count,
    proposer: PublicKeyHex,
    view: Count,
    txRoot: HashHex,
    stateRoot: HashHex,
    receiptsRoot: HashHex,
    validatorsHash: HashHex,
    nextValidatorsHash: HashHex,
  },
  { additionalProperties: false },
);

export const CertificateJson = Type.Object(
  {
    height: Count,
    view: Count,
    blockHash: HashHex,
    votes: Type.Array(
      Type.Object(
        { validator: Type.Integer({ minimum: 0, maximum: VALIDATORS_MAX - 1 }), sig: SignatureHex },
        { additionalProperties: false },
      ),
      { maxItems: VALIDATORS_MAX },
    ),
  },
  { additionalProperties: false },
);

export const BlockResponse = Type.Object(
  {
    hash: HashHex,
    height: Count,
    header: HeaderJson,
    txIds: Type.Array(HashHex, { maxItems: BLOCK_TXS_MAX }),
    certificate: Type.Union([CertificateJson, Type.Null()], {
      description: "null only for the genesis block, which no quorum signs",
    }),
  },
  { additionalProperties: false },
);

/** Longest base64 text of one transaction's bytes. */
export const TX_BASE64_CHARS_MAX = Math.ceil(TX_BYTES_MAX / 3) * 4;

export const BlockTxsResponse = Type.Object(
  {
    height: Count,
    txs: Type.Array(
      Type.Object(
        {
          id: HashHex,
          type: Type.String({ maxLength: TX_TYPE_CHARS_MAX }),
          from: PublicKeyHex,
          nonce: BytesHex(8, "the nonce's bytes"),
          expires: Count,
          payload: Type.Unknown({
            description: "the payload, bytes as hex, big integers as strings",
          }),
          sig: SignatureHex,
          bytes: Type.String({ maxLength: TX_BASE64_CHARS_MAX, description: "base64 of the tx" }),
        },
        { additionalProperties: false },
      ),
      { maxItems: BLOCK_TXS_MAX },
    ),
  },
  { additionalProperties: false },
);

/** A receipt as JSON: `ok`, and for a failure the registry code and a reason. */
/** A receipt event in JSON: its bytes attributes as hex (protocol `ReceiptEventSchema`). */
export const ReceiptEventJson = Type.Object(
  {
    type: Type.String({ maxLength: 64 }),
    attributes: Type.Record(
      Type.String({ maxLength: 32 }),
      Type.Union([
        Type.String({
          maxLength: Math.max(EVENT_ATTRIBUTE_CHARS_MAX, EVENT_ATTRIBUTE_BYTES_MAX * 2),
        }),
        Type.Integer({ minimum: Number.MIN_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER }),
        Type.Boolean(),
      ]),
      { maxProperties: EVENT_ATTRIBUTES_MAX },
    ),
  },
  { additionalProperties: false },
);

export const ReceiptJson = Type.Object(
  {
    ok: Type.Boolean(),
    code: Type.Optional(Type.String({ maxLength: ERROR_CODE_CHARS_MAX })),
    reason: Type.Optional(Type.String({ maxLength: RECEIPT_REASON_CHARS_MAX })),
    /** The module's result: a canonical value as JSON (bytes hex, large integers strings). */
    result: Type.Optional(Type.Unknown()),
    events: Type.Optional(Type.Array(ReceiptEventJson, { maxItems: RECEIPT_EVENTS_MAX })),
  },
  { additionalProperties: false },
);

export const TxAcceptedResponse = Type.Object({ id: HashHex }, { additionalProperties: false });

export const TxStatusResponse = Type.Union([
  Type.Object(
    { id: HashHex, status: Type.Union([Type.Literal("pending"), Type.Literal("unknown")]) },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      id: HashHex,
      status: Type.Literal("committed"),
      height: Count,
      index: Count,
      // Absent unless the caller may see it: the transaction's sender or a member operator.
      receipt: Type.Optional(ReceiptJson),
    },
    { additionalProperties: false },
  ),
]);

export const MerkleProofJson = Type.Object(
  {
    index: Count,
    total: Count,
    siblings: Type.Array(HashHex, { maxItems: TX_PROOF_SIBLINGS_MAX }),
  },
  { additionalProperties: false },
);

export const TxProofResponse = Type.Object(
  { id: HashHex, height: Count, proof: MerkleProofJson },
  { additionalProperties: false },
);

/** Largest receipt in canonical bytes: its fields, a code and the longest reason in UTF-8. */
export const RECEIPT_BYTES_MAX = 256 + ERROR_CODE_CHARS_MAX + RECEIPT_REASON_CHARS_MAX * 3;

export const ReceiptProofResponse = Type.Object(
  {
    id: HashHex,
    height: Count,
    receipt: BytesHex(RECEIPT_BYTES_MAX, "the receipt's canonical bytes"),
    proof: MerkleProofJson,
  },
  { additionalProperties: false },
);

/** Longest state key, in bytes of UTF-8 (its hex in the path is twice that). */
export const STATE_KEY_BYTES_MAX = 512;
/** Largest state value the wire carries, in canonical bytes: what the decoder takes by default. */
export const STATE_VALUE_BYTES_MAX = DEFAULT_DECODE_LIMITS.bytesMax;

export const StateProofJson = Type.Object(
  {
    siblings: Type.Array(HashHex, { maxItems: STATE_TREE_DEPTH }),
    leaf: Type.Union([
      Type.Object({ keyHash: HashHex, valueHash: HashHex }, { additionalProperties: false }),
      Type.Null(),
    ]),
  },
  { additionalProperties: false },
);

export const StateResponse = Type.Object(
  {
    key: Type.String({ maxLength: STATE_KEY_BYTES_MAX }),
    height: Count,
    value: Type.Union([
      BytesHex(STATE_VALUE_BYTES_MAX, "the value's canonical bytes; null when absent"),
      Type.Null(),
    ]),
    proof: Type.Optional(StateProofJson),
  },
  { additionalProperties: false },
);

/** Most transactions in one batch request. */
export const TXS_PER_BATCH_MAX = 1_000;

export const TxBatchResponse = Type.Object(
  {
    results: Type.Array(
      Type.Union([
        TxAcceptedResponse,
        Type.Object(
          {
            error: Type.Object(
              {
                code: Type.String({ maxLength: ERROR_CODE_CHARS_MAX }),
                message: Type.String({ maxLength: ERROR_MESSAGE_CHARS_MAX }),
              },
              { additionalProperties: false },
            ),
          },
          { additionalProperties: false },
        ),
      ]),
      { maxItems: TXS_PER_BATCH_MAX },
    ),
  },
  { additionalProperties: false },
);

export const OkResponse = Type.Object({ ok: Type.Literal(true) }, { additionalProperties: false });
