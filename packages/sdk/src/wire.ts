import {
  BLOCK_TXS_MAX,
  type CommitCertificate,
  HASH_BYTES,
  type Header,
  type MerkleProof,
  PUBLIC_KEY_BYTES,
  SIGNATURE_BYTES,
  STATE_TREE_DEPTH,
  type StateProof,
  VALIDATORS_MAX,
} from "@careledger/protocol";
import {
  badResponse,
  boolAt,
  hexAt,
  intAt,
  type JsonRecord,
  listAt,
  recordAt,
  stringAt,
} from "./json.js";

/** The answers of a node's HTTP API, with hex turned into bytes and every field checked. */

/** Deepest Merkle proof of a block's transactions: log2 of the largest block, rounded up. */
const TX_PROOF_SIBLINGS_MAX = Math.ceil(Math.log2(BLOCK_TXS_MAX));

export interface NodeStatus {
  readonly chainId: Uint8Array;
  readonly node: Uint8Array;
  readonly height: number;
  readonly headHash: Uint8Array;
  readonly stateRoot: Uint8Array;
  readonly view: number;
  readonly primary: Uint8Array;
  readonly validators: readonly Uint8Array[];
  readonly peers: number;
  readonly syncing: boolean;
}

export function parseStatus(value: unknown): NodeStatus {
  const r = recordAt(value, "status");
  return {
    chainId: hexAt(r.chain, "status.chain", HASH_BYTES),
    node: hexAt(r.node, "status.node", PUBLIC_KEY_BYTES),
    height: intAt(r.height, "status.height"),
    headHash: hexAt(r.headHash, "status.headHash", HASH_BYTES),
    stateRoot: hexAt(r.stateRoot, "status.stateRoot", HASH_BYTES),
    view: intAt(r.view, "status.view"),
    primary: hexAt(r.primary, "status.primary", PUBLIC_KEY_BYTES),
    validators: listAt(r.validators, "status.validators", VALIDATORS_MAX, (key, where) =>
      hexAt(key, where, PUBLIC_KEY_BYTES),
    ),
    peers: intAt(r.peers, "status.peers"),
    syncing: boolAt(r.syncing, "status.syncing"),
  };
}

/** A receipt as the API shows it: `ok`, and for a failure the registry code and a reason. */
export interface ReceiptInfo {
  readonly ok: boolean;
  readonly code?: string;
  readonly reason?: string;
}

export type TxStatus =
  | { readonly id: string; readonly status: "pending" | "unknown" }
  | {
      readonly id: string;
      readonly status: "committed";
      readonly height: number;
      readonly index: number;
      readonly receipt: ReceiptInfo;
    };

export function parseReceipt(value: unknown): ReceiptInfo {
  const r = recordAt(value, "receipt");
  const ok = boolAt(r.ok, "receipt.ok");
  if (ok) return { ok };
  return {
    ok,
    code: stringAt(r.code, "receipt.code"),
    reason: stringAt(r.reason ?? "", "receipt.reason"),
  };
}

export function parseTxStatus(value: unknown): TxStatus {
  const r = recordAt(value, "tx");
  const id = stringAt(r.id, "tx.id");
  const status = r.status;
  if (status === "pending" || status === "unknown") return { id, status };
  if (status !== "committed") badResponse("tx.status", "pending, committed or unknown");
  return {
    id,
    status,
    height: intAt(r.height, "tx.height"),
    index: intAt(r.index, "tx.index"),
    receipt: parseReceipt(r.receipt),
  };
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

function parseHeader(value: unknown): Header {
  const r = recordAt(value, "header");
  const hash = (field: string) => hexAt(r[field], `header.${field}`, HASH_BYTES);
  return {
    v: intAt(r.v, "header.v") as Header["v"],
    chain: hash("chain"),
    height: intAt(r.height, "header.height"),
    prevHash: hash("prevHash"),
    time: intAt(r.time, "header.time"),
    proposer: hexAt(r.proposer, "header.proposer", PUBLIC_KEY_BYTES),
    view: intAt(r.view, "header.view"),
    txRoot: hash("txRoot"),
    stateRoot: hash("stateRoot"),
    receiptsRoot: hash("receiptsRoot"),
    validatorsHash: hash("validatorsHash"),
    nextValidatorsHash: hash("nextValidatorsHash"),
  };
}

function parseCertificate(value: unknown): CommitCertificate | null {
  if (value === null) return null;
  const r = recordAt(value, "certificate");
  return {
    height: intAt(r.height, "certificate.height"),
    view: intAt(r.view, "certificate.view"),
    blockHash: hexAt(r.blockHash, "certificate.blockHash", HASH_BYTES),
    votes: listAt(r.votes, "certificate.votes", VALIDATORS_MAX, (vote, where) => {
      const v = recordAt(vote, where);
      return {
        validator: intAt(v.validator, `${where}.validator`),
        sig: hexAt(v.sig, `${where}.sig`, SIGNATURE_BYTES),
      };
    }),
  };
}

export function parseBlock(value: unknown): BlockInfo {
  const r = recordAt(value, "block");
  return {
    hash: hexAt(r.hash, "block.hash", HASH_BYTES),
    height: intAt(r.height, "block.height"),
    header: parseHeader(r.header),
    txIds: listAt(r.txIds, "block.txIds", BLOCK_TXS_MAX, (id, where) =>
      hexAt(id, where, HASH_BYTES),
    ),
    certificate: parseCertificate(r.certificate),
  };
}

/** `GET /v1/txs/:id/proof`: where a transaction sits, and the Merkle path to `txRoot`. */
export interface TxProofInfo {
  readonly id: Uint8Array;
  readonly height: number;
  readonly proof: MerkleProof;
}

export function parseTxProof(value: unknown): TxProofInfo {
  const r = recordAt(value, "txProof");
  const p = recordAt(r.proof, "txProof.proof");
  return {
    id: hexAt(r.id, "txProof.id", HASH_BYTES),
    height: intAt(r.height, "txProof.height"),
    proof: {
      index: intAt(p.index, "txProof.proof.index"),
      total: intAt(p.total, "txProof.proof.total"),
      siblings: hashList(p.siblings, "txProof.proof.siblings", TX_PROOF_SIBLINGS_MAX),
    },
  };
}

/** `GET /v1/txs/:id/receipt-proof`: a receipt's canonical bytes and its path to receiptsRoot. */
export interface ReceiptProofInfo {
  readonly id: Uint8Array;
  readonly height: number;
  readonly receipt: Uint8Array;
  readonly proof: MerkleProof;
}

export function parseReceiptProof(value: unknown): ReceiptProofInfo {
  const r = recordAt(value, "receiptProof");
  const { proof } = parseTxProof({ id: r.id, height: r.height, proof: r.proof });
  return {
    id: hexAt(r.id, "receiptProof.id", HASH_BYTES),
    height: intAt(r.height, "receiptProof.height"),
    receipt: hexAt(r.receipt, "receiptProof.receipt"),
    proof,
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

export function parseState(value: unknown, key: string): StateInfo {
  const r = recordAt(value, "state");
  const proof = r.proof === undefined || r.proof === null ? null : parseStateProof(r.proof);
  return {
    key,
    height: intAt(r.height, "state.height"),
    value: r.value === null ? null : hexAt(r.value, "state.value"),
    proof,
  };
}

function parseStateProof(value: unknown): StateProof {
  const r: JsonRecord = recordAt(value, "state.proof");
  const leaf = r.leaf === null ? null : recordAt(r.leaf, "state.proof.leaf");
  return {
    siblings: hashList(r.siblings, "state.proof.siblings", STATE_TREE_DEPTH),
    leaf:
      leaf === null
        ? null
        : {
            keyHash: hexAt(leaf.keyHash, "state.proof.leaf.keyHash", HASH_BYTES),
            valueHash: hexAt(leaf.valueHash, "state.proof.leaf.valueHash", HASH_BYTES),
          },
  };
}

function hashList(value: unknown, where: string, itemsMax: number): Uint8Array[] {
  return listAt(value, where, itemsMax, (item, at) => hexAt(item, at, HASH_BYTES));
}
