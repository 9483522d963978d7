import type {
  Block,
  CallerIdentity,
  Canonical,
  CommitCertificate,
  MerkleProof,
  ModuleRoute,
  QueryCaller,
  ReceiptJson,
  StateProof,
  ValidatorSet,
  Verifier,
} from "@careledger/protocol";
import type { Static } from "@sinclair/typebox";

/** A node's view of itself, as `GET /v1/status` reports it. */
export interface NodeStatus {
  readonly chainId: Uint8Array;
  readonly nodeKey: Uint8Array;
  readonly height: number;
  readonly headHash: Uint8Array;
  readonly stateRoot: Uint8Array;
  readonly view: number;
  readonly primary: Uint8Array;
  readonly validators: ValidatorSet;
  readonly peers: number;
  readonly syncing: boolean;
  /** Consensus stopped on an unexpected error; the process is about to exit and restart. */
  readonly halted: boolean;
}

export interface CertifiedBlock {
  readonly hash: Uint8Array;
  readonly block: Block;
  /** Null only for the genesis block, which no quorum signs. */
  readonly certificate: CommitCertificate | null;
}

/**
 * A receipt in JSON form: `ok`, and for a failure the registry code and a reason; an ok one may
 * carry the module's `result` and the `events` it emitted (canonical values as JSON: bytes as
 * hex, large integers as strings; `canonicalToJson`).
 */
export type ReceiptView = Static<typeof ReceiptJson>;

export type TxLookup =
  | { readonly status: "pending" }
  | { readonly status: "unknown" }
  | {
      readonly status: "committed";
      readonly height: number;
      readonly index: number;
      readonly receipt: ReceiptView;
    };

/** What the event stream carries: a committed block, then each of its transactions' receipts. */
export type NodeEvent =
  | {
      readonly type: "block";
      readonly height: number;
      readonly hash: Uint8Array;
      readonly time: number;
      readonly txCount: number;
    }
  | {
      readonly type: "tx";
      readonly height: number;
      readonly index: number;
      readonly id: Uint8Array;
      readonly txType: string;
      readonly from: Uint8Array;
      readonly receipt: ReceiptView;
    };

/** A state value with its proof against the state root of the header at `height`. */
export interface ProvenState {
  readonly height: number;
  /** The value's canonical bytes, or null when the key is absent. */
  readonly value: Uint8Array | null;
  readonly proof: StateProof;
}

/** A receipt with its Merkle proof against the `receiptsRoot` of the header at `height`. */
export interface ProvenReceipt {
  readonly height: number;
  /** The receipt's canonical bytes (protocol `encodeReceipt`). */
  readonly receipt: Uint8Array;
  readonly proof: MerkleProof;
}

/**
 * Who may read a state key raw through `GET /v1/state/:key`: anyone (`public`, data a module
 * publishes for light clients), member operators (`operators`), or nobody (`queries-only`: a
 * scoped module's data, readable only through its queries, which apply its rules).
 */
export type StateKeyScope = "public" | "operators" | "queries-only";

/**
 * Who a key is on chain: its registration (organization and roles) and, apart, the organizations
 * it administers (protocol's `CallerIdentity`, which the read rules take).
 */
export type { CallerIdentity } from "@careledger/protocol";

/**
 * What the API needs from a node, and all it may reach: the node implements this, and the API
 * never touches LevelDB or libp2p directly.
 */
export interface NodeApi {
  status(): NodeStatus;
  blockAt(height: number): Promise<CertifiedBlock | null>;
  /** Admits a transaction to the mempool; throws a CareLedgerError saying why not. */
  submitTx(bytes: Uint8Array): Promise<Uint8Array>;
  txById(id: Uint8Array): Promise<TxLookup>;
  /** The events of one committed block (block first, then its transactions), or [] beyond the head. */
  eventsOfBlock(height: number): Promise<NodeEvent[]>;
  /** Calls `listener` for every event as blocks commit; returns the unsubscribe function. */
  subscribe(listener: (event: NodeEvent) => void): () => void;
  /** A state key's value and its proof at the head. */
  proveState(key: string): Promise<ProvenState>;
  /** Who may read `key` raw; the node answers from the prefixes its modules declare. */
  stateKeyScope(key: string): StateKeyScope;
  /** Where a committed transaction sits and its Merkle proof against that header's txRoot. */
  txProof(id: Uint8Array): Promise<{ readonly height: number; readonly proof: MerkleProof } | null>;
  /** A committed transaction's receipt (canonical bytes) and its proof against `receiptsRoot`. */
  receiptProof(id: Uint8Array): Promise<ProvenReceipt | null>;
  /** Names of the module queries (those of protocol's `QUERIES`). */
  queryNames(): readonly string[];
  /**
   * Runs a module query for `caller` (the verified signer, or null when unsigned): NOT_FOUND
   * for an unknown name, BAD_REQUEST for parameters outside its schema, REQUEST_UNSIGNED or
   * FORBIDDEN where the query's declared access does not admit the caller.
   */
  query(
    name: string,
    params: Readonly<Record<string, string>>,
    caller: QueryCaller | null,
  ): Promise<Canonical | null>;
  /**
   * The routes the node's modules serve (mounted under `/v1/m/<module>`), read once when the
   * server is built; one that collides with a core route or another module's stops the build.
   */
  moduleRoutes(): readonly ModuleRoute[];
  /** The registered, unrevoked identity (or organization admin) behind a key, or null. */
  identityOf(keyHex: string): Promise<CallerIdentity | null>;
  /** The node's signature verifier (libsodium), for signed requests. */
  readonly verifier: Verifier;
  /** Prometheus text exposition of the node's metrics. */
  metrics(): Promise<string>;
}
