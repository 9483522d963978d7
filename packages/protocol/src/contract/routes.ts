import { type TSchema, Type } from "@sinclair/typebox";
import { TX_BYTES_MAX } from "../limits.js";
import {
  BlockResponse,
  BlockTxsResponse,
  HashHex,
  OkResponse,
  PublicKeyHex,
  ReceiptProofResponse,
  STATE_KEY_BYTES_MAX,
  StateResponse,
  StatusResponse,
  TX_BASE64_CHARS_MAX,
  TXS_PER_BATCH_MAX,
  TxAcceptedResponse,
  TxBatchResponse,
  TxProofResponse,
  TxStatusResponse,
} from "./responses.js";
import {
  BinaryBody,
  defineRoute,
  type RouteContract,
  SHED_ERRORS,
  SIGNED_REQUEST_ERRORS,
} from "./route.js";

/**
 * Every route of the node's HTTP API (`packages/api`), in one table. A new route is an entry
 * here plus its handler in the api; the OpenAPI document and the SDK's checks follow from it.
 */

const HeightParams = Type.Object({
  height: Type.Integer({
    minimum: 0,
    maximum: Number.MAX_SAFE_INTEGER,
    description: "block height",
  }),
});
const TxIdParams = Type.Object({ id: HashHex });

const TxBase64 = Type.String({
  maxLength: TX_BASE64_CHARS_MAX,
  description: "base64 of the transaction's canonical bytes",
});

/** `POST /v1/txs` as JSON, for clients that cannot send raw bytes. */
export const TxSubmitJson = Type.Object({ tx: TxBase64 }, { additionalProperties: false });

export const TxBatchJson = Type.Object(
  { txs: Type.Array(TxBase64, { minItems: 1, maxItems: TXS_PER_BATCH_MAX }) },
  { additionalProperties: false },
);

export const StateParams = Type.Object({
  key: Type.String({
    pattern: "^([0-9a-f]{2})+$",
    maxLength: STATE_KEY_BYTES_MAX * 2,
    description: "the key's UTF-8 bytes, lowercase hex",
  }),
});
export const StateQuery = Type.Object(
  { proof: Type.Optional(Type.Boolean({ description: "add the proof against stateRoot" })) },
  { additionalProperties: false },
);

export const EventsQuery = Type.Object(
  {
    tx: Type.Optional(HashHex),
    type: Type.Optional(Type.String({ maxLength: 64, description: "a transaction type" })),
    account: Type.Optional(PublicKeyHex),
  },
  { additionalProperties: false },
);

/** Most parameters of one module query, and their sizes. */
export const QUERY_PARAMS_MAX = 16;
export const QUERY_PARAM_NAME_CHARS_MAX = 64;
export const QUERY_PARAM_VALUE_CHARS_MAX = 1_024;
/** Most module queries a node lists. */
export const QUERY_NAMES_MAX = 1_024;

export const QueryNameParams = Type.Object({
  name: Type.String({ pattern: "^[a-z][a-zA-Z0-9.]{0,63}$", description: "module query name" }),
});
/** A module query's parameters: a free-form map of strings (`?key=...&...`). */
export const QueryParamsMap = Type.Record(
  Type.String({ maxLength: QUERY_PARAM_NAME_CHARS_MAX }),
  Type.String({ maxLength: QUERY_PARAM_VALUE_CHARS_MAX }),
  { maxProperties: QUERY_PARAMS_MAX, description: "the query's parameters, by name" },
);
export const QueryListResponse = Type.Object(
  {
    queries: Type.Array(Type.String({ maxLength: 64 }), { maxItems: QUERY_NAMES_MAX }),
  },
  { additionalProperties: false },
);
export const QueryResponse = Type.Object(
  {
    name: Type.String({ maxLength: 64 }),
    result: Type.Unknown({ description: "bytes as hex, integers beyond 2^53 as strings" }),
  },
  { additionalProperties: false },
);

/** A route's one success answer, 200 with a JSON body. */
const ok = <S extends TSchema>(description: string, schema: S) => ({
  200: { description, schema },
});

export const ROUTES = {
  status: defineRoute({
    method: "GET",
    path: "/v1/status",
    operationId: "getStatus",
    summary: "The node's chain, head, view, validators and sync state",
    tags: ["node"],
    responses: ok("the node's status", StatusResponse),
    errors: [],
  }),
  healthz: defineRoute({
    method: "GET",
    path: "/healthz",
    operationId: "getLiveness",
    summary: "Liveness: the process answers",
    tags: ["health"],
    responses: ok("alive", OkResponse),
    errors: [],
  }),
  readyz: defineRoute({
    method: "GET",
    path: "/readyz",
    operationId: "getReadiness",
    summary: "Readiness: caught up with its peers and consensus running",
    tags: ["health"],
    responses: ok("ready", OkResponse),
    errors: ["NOT_READY"],
  }),
  metrics: defineRoute({
    method: "GET",
    path: "/metrics",
    operationId: "getMetrics",
    summary: "Prometheus text exposition of the node's metrics",
    tags: ["health"],
    responses: {
      200: { description: "Prometheus text format 0.0.4", contentType: "text/plain" },
    },
    errors: [],
  }),
  latestBlock: defineRoute({
    method: "GET",
    path: "/v1/blocks/latest",
    operationId: "getLatestBlock",
    summary: "The head block's header, transaction ids and commit certificate",
    tags: ["blocks"],
    responses: ok("the head block", BlockResponse),
    errors: [...SHED_ERRORS, "NOT_FOUND"],
  }),
  block: defineRoute({
    method: "GET",
    path: "/v1/blocks/:height",
    operationId: "getBlock",
    summary: "A block's header, transaction ids and commit certificate",
    tags: ["blocks"],
    params: HeightParams,
    responses: ok("the block", BlockResponse),
    errors: [...SHED_ERRORS, "BAD_REQUEST", "NOT_FOUND"],
  }),
  blockTxs: defineRoute({
    method: "GET",
    path: "/v1/blocks/:height/txs",
    operationId: "getBlockTxs",
    summary: "A block's transactions with payloads (signed read, member organizations' staff)",
    tags: ["blocks"],
    params: HeightParams,
    signed: true,
    responses: ok("the block's transactions, in order", BlockTxsResponse),
    errors: [...SHED_ERRORS, ...SIGNED_REQUEST_ERRORS, "BAD_REQUEST", "NOT_FOUND"],
  }),
  submitTx: defineRoute({
    method: "POST",
    path: "/v1/txs",
    operationId: "submitTx",
    summary: "Admit one signed transaction to the mempool",
    description:
      "202 means admitted to memory and queued for gossip, not durable: keep the signed bytes " +
      "and send them again while GET /v1/txs/{id} answers unknown (the id commits at most once).",
    tags: ["transactions"],
    body: {
      "application/msgpack": BinaryBody(TX_BYTES_MAX, "the transaction's canonical bytes"),
      "application/json": TxSubmitJson,
    },
    responses: {
      202: { description: "admitted; the id is the tx's own", schema: TxAcceptedResponse },
    },
    errors: [
      ...SHED_ERRORS,
      "BAD_REQUEST",
      "UNSUPPORTED_MEDIA_TYPE",
      "ENCODING_INVALID",
      "ENCODING_TOO_LARGE",
      "TX_TOO_LARGE",
      "TX_MALFORMED",
      "TX_WRONG_CHAIN",
      "TX_BAD_SIGNATURE",
      "TX_EXPIRED",
      "TX_EXPIRY_TOO_FAR",
      "TX_DUPLICATE",
      "TX_UNKNOWN_TYPE",
      "MEMPOOL_FULL",
      "NOT_READY",
    ],
  }),
  submitTxBatch: defineRoute({
    method: "POST",
    path: "/v1/txs/batch",
    operationId: "submitTxBatch",
    summary: "Admit many transactions, each on its own; one result per transaction, in order",
    tags: ["transactions"],
    body: { "application/json": TxBatchJson },
    responses: ok("one result per transaction: {id} or {error}", TxBatchResponse),
    errors: [...SHED_ERRORS, "BAD_REQUEST", "UNSUPPORTED_MEDIA_TYPE", "ENCODING_TOO_LARGE"],
  }),
  tx: defineRoute({
    method: "GET",
    path: "/v1/txs/:id",
    operationId: "getTx",
    summary: "A transaction's status, and once committed its position and receipt",
    tags: ["transactions"],
    params: TxIdParams,
    responses: ok("pending, committed or unknown", TxStatusResponse),
    errors: [...SHED_ERRORS, "BAD_REQUEST"],
  }),
  txProof: defineRoute({
    method: "GET",
    path: "/v1/txs/:id/proof",
    operationId: "getTxProof",
    summary: "A committed transaction's Merkle path to its header's txRoot",
    tags: ["transactions", "proofs"],
    params: TxIdParams,
    responses: ok("the inclusion proof", TxProofResponse),
    errors: [...SHED_ERRORS, "BAD_REQUEST", "NOT_FOUND"],
  }),
  receiptProof: defineRoute({
    method: "GET",
    path: "/v1/txs/:id/receipt-proof",
    operationId: "getReceiptProof",
    summary: "A committed transaction's receipt bytes and their path to receiptsRoot",
    tags: ["transactions", "proofs"],
    params: TxIdParams,
    responses: ok("the receipt and its proof", ReceiptProofResponse),
    errors: [...SHED_ERRORS, "BAD_REQUEST", "NOT_FOUND"],
  }),
  state: defineRoute({
    method: "GET",
    path: "/v1/state/:key",
    operationId: "getState",
    summary: "A state value at the head, with proof=true its proof against stateRoot",
    tags: ["state", "proofs"],
    params: StateParams,
    querystring: StateQuery,
    responses: ok("the value (null when absent) at a height", StateResponse),
    errors: [...SHED_ERRORS, "BAD_REQUEST"],
  }),
  queries: defineRoute({
    method: "GET",
    path: "/v1/queries",
    operationId: "listQueries",
    summary: "The names of the module queries this node runs",
    tags: ["queries"],
    responses: ok("query names", QueryListResponse),
    errors: [...SHED_ERRORS],
  }),
  query: defineRoute({
    method: "GET",
    path: "/v1/query/:name",
    operationId: "runQuery",
    summary: "Run a module query by name",
    tags: ["queries"],
    params: QueryNameParams,
    querystring: QueryParamsMap,
    responses: ok("the query's result", QueryResponse),
    errors: [...SHED_ERRORS, "BAD_REQUEST", "NOT_FOUND"],
  }),
  events: defineRoute({
    method: "GET",
    path: "/v1/events",
    operationId: "streamEvents",
    summary: "Server-Sent Events of committed blocks and receipts, filtered, resumable",
    description:
      "Event ids are chain positions (`<height>` for a block, `<height>-<index>` for a receipt); " +
      "send Last-Event-ID to resume after one. `block` data: {type, height, hash, time, txCount}; " +
      "`tx` data: {type, height, index, id, txType, from, receipt}.",
    tags: ["events"],
    querystring: EventsQuery,
    responses: { 200: { description: "the event stream", contentType: "text/event-stream" } },
    errors: ["BAD_REQUEST"],
  }),
} as const satisfies Record<string, RouteContract>;

export type RouteName = keyof typeof ROUTES;
