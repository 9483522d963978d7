import {
  BlockResponse,
  BlockTxsResponse,
  type CommitCertificate,
  decodeTx,
  fromHex,
  type Header,
  type HeaderJson,
  type MerkleProof,
  type MerkleProofJson,
  QUERY_ROUTES,
  type QueryName,
  QueryResponse,
  type QueryResultJson,
  ReceiptJson,
  ReceiptProofResponse,
  type SignedTx,
  type StateProof,
  StateResponse,
  StatusResponse,
  TxAcceptedResponse,
  TxBatchResponse,
  TxProofResponse,
  TxStatusResponse,
  toHex,
} from "@careledger/protocol";
import type { Static } from "@sinclair/typebox";
import { fromBase64 } from "./base64.js";
import { localError } from "./errors.js";
import { answerChecker, badResponse } from "./json.js";

/**
 * The answers of a node's HTTP API: each checked against its schema in the protocol's contract
 * (`ROUTES`, the same schemas the api serializes with), then hex turned into bytes.
 */

/** Bytes where the contract's JSON has hex. */
type WithBytes<T, K extends keyof T> = Omit<T, K> & {
  readonly [P in K]: T[P] extends readonly string[]
    ? readonly Uint8Array[]
    : T[P] extends string
      ? Uint8Array
      : T[P] extends string | null
        ? Uint8Array | null
        : never;
};

type StatusJson = Static<typeof StatusResponse>;

export type NodeStatus = Readonly<
  WithBytes<
    Omit<StatusJson, "chain">,
    "node" | "headHash" | "stateRoot" | "primary" | "validators"
  > & { readonly chainId: Uint8Array }
>;

const statusCheck = answerChecker(StatusResponse, "status");

export function parseStatus(value: unknown): NodeStatus {
  const status = statusCheck(value);
  return {
    chainId: fromHex(status.chain),
    node: fromHex(status.node),
    height: status.height,
    headHash: fromHex(status.headHash),
    stateRoot: fromHex(status.stateRoot),
    view: status.view,
    primary: fromHex(status.primary),
    validators: status.validators.map((key) => fromHex(key)),
    peers: status.peers,
    syncing: status.syncing,
  };
}

/** A receipt as the API shows it: `ok`, and for a failure the registry code and a reason. */
export type ReceiptInfo = Readonly<Static<typeof ReceiptJson>>;

export type TxStatus = Readonly<Static<typeof TxStatusResponse>>;

const receiptCheck = answerChecker(ReceiptJson, "receipt");

/**
 * A receipt's fields the contract names; a failed one must carry its code. An ok one keeps the
 * module's `result` (JSON, checked by whoever reads it against its own schema: `access.log`'s
 * AccessResult in access.ts) and its `events`.
 */
function receiptOf(receipt: Static<typeof ReceiptJson>, where: string): ReceiptInfo {
  if (receipt.ok) {
    return {
      ok: true,
      ...(receipt.result !== undefined && { result: receipt.result }),
      ...(receipt.events !== undefined && { events: receipt.events }),
    };
  }
  if (receipt.code === undefined) badResponse(`${where}.code`, "the code of a failed receipt");
  return { ok: false, code: receipt.code, reason: receipt.reason ?? "" };
}

export function parseReceipt(value: unknown): ReceiptInfo {
  return receiptOf(receiptCheck(value), "receipt");
}

const txStatusCheck = answerChecker(TxStatusResponse, "tx");

export function parseTxStatus(value: unknown): TxStatus {
  const found = txStatusCheck(value);
  if (found.status !== "committed") return { id: found.id, status: found.status };
  const { id, status, height, index } = found;
  if (found.receipt === undefined) return { id, status, height, index };
  return { id, status, height, index, receipt: receiptOf(found.receipt, "tx.receipt") };
}

const acceptedCheck = answerChecker(TxAcceptedResponse, "submit");

/** `POST /v1/txs`: the id the node admitted, which must be the transaction's own. */
export function parseTxAccepted(value: unknown, id: string): string {
  const answered = acceptedCheck(value).id;
  if (answered !== id) {
    throw localError("bad-response", "node answered with another id", { id, answered });
  }
  return id;
}

/** One result of `POST /v1/txs/batch`, in the order of the request's transactions. */
export type BatchResult = Static<typeof TxBatchResponse>["results"][number];

const batchCheck = answerChecker(TxBatchResponse, "batch");

/** `POST /v1/txs/batch` for `count` transactions: exactly one result each. */
export function parseBatch(value: unknown, count: number): BatchResult[] {
  const { results } = batchCheck(value);
  if (results.length !== count) badResponse("batch.results", `${count} results`);
  return results;
}

export interface BlockInfo {
  /** The hash the node claims; light-client checks recompute it from the header. */
  readonly hash: Uint8Array;
  readonly height: number;
  readonly header: Header;
  readonly txIds: readonly Uint8Array[];
  /** Null only for the genesis block, which no quorum signs. */
  readonly certificate: CommitCertificate | null;
}

function headerOf(header: Static<typeof HeaderJson>): Header {
  return {
    v: header.v as Header["v"],
    chain: fromHex(header.chain),
    height: header.height,
    prevHash: fromHex(header.prevHash),
    time: header.time,
    proposer: fromHex(header.proposer),
    view: header.view,
    txRoot: fromHex(header.txRoot),
    stateRoot: fromHex(header.stateRoot),
    receiptsRoot: fromHex(header.receiptsRoot),
    validatorsHash: fromHex(header.validatorsHash),
    nextValidatorsHash: fromHex(header.nextValidatorsHash),
  };
}

const blockCheck = answerChecker(BlockResponse, "block");

export function parseBlock(value: unknown): BlockInfo {
  const block = blockCheck(value);
  const { certificate } = block;
  return {
    hash: fromHex(block.hash),
    height: block.height,
    header: headerOf(block.header),
    txIds: block.txIds.map((id) => fromHex(id)),
    certificate:
      certificate === null
        ? null
        : {
            height: certificate.height,
            view: certificate.view,
            blockHash: fromHex(certificate.blockHash),
            votes: certificate.votes.map(({ validator, sig }) => ({
              validator,
              sig: fromHex(sig),
            })),
          },
  };
}

const blockTxsCheck = answerChecker(BlockTxsResponse, "blockTxs");

/** `GET /v1/blocks/:height/txs`: each transaction decoded from its bytes, its id checked. */
export function parseBlockTxs(value: unknown): SignedTx[] {
  return blockTxsCheck(value).txs.map((item, index) => {
    const signed = decodeTx(fromBase64(item.bytes));
    if (toHex(signed.id) !== item.id)
      badResponse(`blockTxs.txs.${index}.id`, "the id of its bytes");
    return signed;
  });
}

function merkleProofOf(proof: Static<typeof MerkleProofJson>): MerkleProof {
  return {
    index: proof.index,
    total: proof.total,
    siblings: proof.siblings.map((sibling) => fromHex(sibling)),
  };
}

/** `GET /v1/txs/:id/proof`: where a transaction sits, and the Merkle path to `txRoot`. */
export interface TxProofInfo {
  readonly id: Uint8Array;
  readonly height: number;
  readonly proof: MerkleProof;
}

const txProofCheck = answerChecker(TxProofResponse, "txProof");

export function parseTxProof(value: unknown): TxProofInfo {
  const found = txProofCheck(value);
  return { id: fromHex(found.id), height: found.height, proof: merkleProofOf(found.proof) };
}

/** `GET /v1/txs/:id/receipt-proof`: a receipt's canonical bytes and its path to receiptsRoot. */
export interface ReceiptProofInfo extends TxProofInfo {
  readonly receipt: Uint8Array;
}

const receiptProofCheck = answerChecker(ReceiptProofResponse, "receiptProof");

export function parseReceiptProof(value: unknown): ReceiptProofInfo {
  const found = receiptProofCheck(value);
  return {
    id: fromHex(found.id),
    height: found.height,
    receipt: fromHex(found.receipt),
    proof: merkleProofOf(found.proof),
  };
}

/** `GET /v1/state/:keyHex`: a value (canonical bytes, or null when absent) at a height. */
export interface StateInfo {
  readonly key: string;
  readonly height: number;
  readonly value: Uint8Array | null;
  /** Present when asked for: the path from `header.stateRoot` of `height` to the key. */
  readonly proof: StateProof | null;
}

const stateCheck = answerChecker(StateResponse, "state");

export function parseState(value: unknown, key: string): StateInfo {
  const state = stateCheck(value);
  const { proof } = state;
  return {
    key,
    height: state.height,
    value: state.value === null ? null : fromHex(state.value),
    proof:
      proof === undefined
        ? null
        : {
            siblings: proof.siblings.map((sibling) => fromHex(sibling)),
            leaf:
              proof.leaf === null
                ? null
                : {
                    keyHash: fromHex(proof.leaf.keyHash),
                    valueHash: fromHex(proof.leaf.valueHash),
                  },
          },
  };
}

const queryCheck = answerChecker(QueryResponse, "query");
const queryChecks = new Map<string, (value: unknown) => unknown>();

/** Whether this SDK's contract knows the query, so its answer has a schema to check. */
export function isKnownQuery(name: string): name is QueryName {
  return Object.hasOwn(QUERY_ROUTES, name);
}

/**
 * `GET /v1/query/<name>`: the module's result, bytes as hex strings. A known query's answer is
 * checked against the JSON schema derived from its contract (protocol `QUERY_ROUTES`, the one
 * the OpenAPI document shows), once compiled; an unknown one only for `{name, result}`.
 */
export function parseQueryResult<N extends QueryName>(name: N, value: unknown): QueryResultJson<N>;
export function parseQueryResult(name: string, value: unknown): unknown;
export function parseQueryResult(name: string, value: unknown): unknown {
  if (!isKnownQuery(name)) {
    const answer = queryCheck(value);
    if (answer.name !== name) badResponse("query.name", name);
    return answer.result;
  }
  let check = queryChecks.get(name);
  if (check === undefined) {
    check = answerChecker(QUERY_ROUTES[name].responses[200].schema, `query ${name}`);
    queryChecks.set(name, check);
  }
  return (check(value) as { result: unknown }).result;
}
