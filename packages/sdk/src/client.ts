import {
  type Canonical,
  CareLedgerError,
  decode,
  fromHex,
  HASH_BYTES,
  type Header,
  type QueryName,
  type QueryParams,
  type QueryResultJson,
  type Receipt,
  type SignedTx,
  type Signer,
  toHex,
} from "@careledger/protocol";
import { toBase64 } from "./base64.js";
import { type SubmitResult, submitBatch } from "./batch.js";
import { DEFAULT_TX_TTL, expiresAfter, TxBuilder } from "./builder.js";
import { localError } from "./errors.js";
import {
  type ChainEvent,
  DEFAULT_SUBSCRIBE_OPTIONS,
  type EventFilter,
  type SubscribeOptions,
  type Subscription,
  subscribeEvents,
} from "./events.js";
import {
  DEFAULT_HTTP_OPTIONS,
  type HttpBytesAnswer,
  type HttpOptions,
  type HttpRequest,
  requestJson,
} from "./http.js";
import { type RouteGetOptions, type SignedRequest, SignedRequests } from "./signedRequest.js";
import {
  type TrustAnchor,
  verifyBlock,
  verifyReceiptInclusion,
  verifyStateInclusion,
  verifyTxInclusion,
} from "./verify.js";
import { type CommittedTx, isTransient, type WaitOptions, waitForCommit } from "./wait.js";
import {
  type BlockInfo,
  type NodeStatus,
  parseBlock,
  parseBlockTxs,
  parseQueryResult,
  parseReceiptProof,
  parseState,
  parseStatus,
  parseTxAccepted,
  parseTxProof,
  parseTxStatus,
  type ReceiptProofInfo,
  type StateInfo,
  type TxProofInfo,
  type TxStatus,
} from "./wire.js";

export interface ClientOptions extends Partial<HttpOptions> {
  readonly subscribe?: Partial<SubscribeOptions>;
  /**
   * The key that signs reads of scoped data: a transaction's receipt (its sender's or an
   * operator's), its receipt proof, raw state and module queries. Without it those reads are
   * unsigned: receipts come back as positions only and the others are refused.
   */
  readonly signer?: Signer;
  /**
   * The node's public key, when the application knows it (from genesis or the node's operator).
   * Signed requests are bound to the key the node reports in `GET /v1/status`; pinned, the
   * client refuses a node that reports another, so a hostile node cannot have it sign requests
   * meant for another node and replay them there.
   */
  readonly nodeKey?: Uint8Array;
}

/** How a query is sent: signed by `signer` (else the client's own), abortable. */
export interface QueryOptions {
  readonly signer?: Signer;
  readonly signal?: AbortSignal;
}

/** A state value checked against a certified header. */
export interface VerifiedState {
  readonly key: string;
  readonly height: number;
  /** The decoded value, or null when the key is absent. */
  readonly value: Canonical | null;
  readonly header: Header;
}

/**
 * A client of one node's HTTP API (`/v1`), over fetch: it runs in Node and in browsers. Answers
 * are checked for shape; `verified*` methods also check them against a trusted validator set, so
 * the node that served them need not be trusted.
 */
export class CareLedgerClient {
  readonly url: string;
  private readonly http: HttpOptions;
  private readonly subscribeOptions: SubscribeOptions;
  /** The key that signs this client's scoped reads, and the module helpers' transactions. */
  readonly signer: Signer | undefined;
  private readonly signing: SignedRequests;

  constructor(url: string | URL, options: ClientOptions = {}) {
    // A trailing slash keeps a path prefix (a gateway's `/careledger/`) when routes resolve.
    const base = new URL(url);
    if (!base.pathname.endsWith("/")) base.pathname += "/";
    this.url = base.toString();
    const { subscribe, signer, nodeKey, ...http } = options;
    this.signer = signer;
    this.http = { ...DEFAULT_HTTP_OPTIONS, ...http };
    this.signing = new SignedRequests(this.url, this.http, () => this.status(), nodeKey);
    this.subscribeOptions = { ...DEFAULT_SUBSCRIBE_OPTIONS, ...subscribe };
  }

  async status(signal?: AbortSignal): Promise<NodeStatus> {
    return parseStatus(await this.get("/v1/status", signal));
  }

  /** A builder bound to this node's chain. */
  async txBuilder(signer: Signer): Promise<TxBuilder> {
    return new TxBuilder((await this.status()).chainId, signer);
  }

  /** The `expires` height for a transaction sent now: the node's height plus `ttl`. */
  async expiresAfter(ttl: number = DEFAULT_TX_TTL): Promise<number> {
    return expiresAfter((await this.status()).height, ttl);
  }

  /**
   * Sends a signed transaction; resolves with its id (hex) once the node admitted it. A retry
   * that meets TX_DUPLICATE met its own earlier attempt, which the node did admit.
   */
  async submit(tx: SignedTx, signal?: AbortSignal): Promise<string> {
    const id = toHex(tx.id);
    const request: HttpRequest = {
      method: "POST",
      path: "/v1/txs",
      body: tx.bytes,
      contentType: "application/msgpack",
      ...(signal && { signal }),
    };
    try {
      const { value } = await requestJson(this.url, this.http, request);
      return parseTxAccepted(value, id);
    } catch (error) {
      if (isOwnDuplicate(error)) return id;
      throw error;
    }
  }

  /** Sends many transactions, in bounded requests; one result per transaction, in order. */
  async submitBatch(txs: readonly SignedTx[], signal?: AbortSignal): Promise<SubmitResult[]> {
    return submitBatch(txs, async (chunk) => {
      const body = JSON.stringify({ txs: chunk.map((tx) => toBase64(tx.bytes)) });
      const request: HttpRequest = {
        method: "POST",
        path: "/v1/txs/batch",
        body,
        contentType: "application/json",
        ...(signal && { signal }),
      };
      return requestJson(this.url, this.http, request);
    });
  }

  async getTx(id: string | Uint8Array, signal?: AbortSignal): Promise<TxStatus> {
    return parseTxStatus(await this.get(`/v1/txs/${idHex(id)}`, signal, this.signer));
  }

  /**
   * Submits, then waits for the commit: resolves with a successful receipt (see waitForCommit).
   * A transaction the node already holds (TX_DUPLICATE) is waited for all the same, so calling
   * this twice with one transaction gives the same receipt twice. A 202 means admitted, not
   * durable: until the commit (or the expiry, or the timeout) the same signed bytes are sent
   * again whenever the node does not know them, and a node that is down, restarting or catching
   * up is waited for.
   */
  async submitAndWait(tx: SignedTx, options: WaitOptions = {}): Promise<CommittedTx> {
    await this.submit(tx, options.signal).catch((error: unknown) => {
      // Not sent yet (the node is down or busy): the wait sends it as soon as the node answers.
      if (!isTransient(error)) ignoreDuplicate(error);
    });
    return this.waitFor(tx, options);
  }

  /** Waits for a transaction already submitted (to this node or another). */
  async waitFor(tx: SignedTx, options: WaitOptions = {}): Promise<CommittedTx> {
    const source = {
      getTx: (id: string, signal?: AbortSignal) => this.getTx(id, signal),
      height: async (signal?: AbortSignal) => (await this.status(signal)).height,
      resubmit: async (signal?: AbortSignal) => {
        // Admitted meanwhile (by gossip, or the earlier send was merely slow): keep waiting.
        await this.submit(tx, signal).catch(ignoreDuplicate);
      },
    };
    return waitForCommit(source, toHex(tx.id), tx.tx.expires, options);
  }

  async getBlock(height: number | "latest", signal?: AbortSignal): Promise<BlockInfo> {
    if (height !== "latest" && (!Number.isSafeInteger(height) || height < 0)) {
      throw new RangeError(`height ${height} is not a height`);
    }
    const block = parseBlock(await this.get(`/v1/blocks/${height}`, signal));
    if (height !== "latest" && block.height !== height) {
      throw localError("bad-response", `asked for block ${height}, got ${block.height}`);
    }
    return block;
  }

  /** A state value by key (the module's key string, such as `identity/<hex>`). */
  async getState(
    key: string,
    options: { proof?: boolean; signal?: AbortSignal } = {},
  ): Promise<StateInfo> {
    const keyHex = toHex(new TextEncoder().encode(key));
    const query = options.proof ? "?proof=true" : "";
    const path = `/v1/state/${keyHex}${query}`;
    return parseState(await this.get(path, options.signal, this.signer), key);
  }

  async getTxProof(id: string | Uint8Array, signal?: AbortSignal): Promise<TxProofInfo> {
    return parseTxProof(await this.get(`/v1/txs/${idHex(id)}/proof`, signal));
  }

  async getReceiptProof(id: string | Uint8Array, signal?: AbortSignal): Promise<ReceiptProofInfo> {
    const path = `/v1/txs/${idHex(id)}/receipt-proof`;
    return parseReceiptProof(await this.get(path, signal, this.signer));
  }

  /**
   * A committed transaction's receipt, checked against the certified header of its block: the
   * block's txIds reproduce its txRoot, and the receipt, at the transaction's index, leads to
   * its receiptsRoot. A node cannot turn a failed receipt into a success, or the reverse.
   */
  async getVerifiedReceipt(
    id: string | Uint8Array,
    trust: TrustAnchor,
  ): Promise<{ height: number; index: number; receipt: Receipt; header: Header }> {
    const wanted = fromHex(idHex(id), HASH_BYTES);
    const found = await this.getReceiptProof(wanted);
    const block = await this.getBlock(found.height);
    const header = verifyBlock(block, trust);
    const receipt = verifyReceiptInclusion(header, block.txIds, wanted, found.receipt, found.proof);
    return { height: found.height, index: found.proof.index, receipt, header };
  }

  /** A block whose certificate a quorum of the trusted validators signed. */
  async getVerifiedBlock(height: number | "latest", trust: TrustAnchor): Promise<BlockInfo> {
    const block = await this.getBlock(height);
    verifyBlock(block, trust);
    return block;
  }

  /** A state value with its proof, checked against the certified header it names. */
  async getVerifiedState(key: string, trust: TrustAnchor): Promise<VerifiedState> {
    const state = await this.getState(key, { proof: true });
    if (state.proof === null) {
      throw new CareLedgerError("PROOF_INVALID", `node sent no proof for ${key}`);
    }
    const header = verifyBlock(await this.getBlock(state.height), trust);
    verifyStateInclusion(header, key, state.value, state.proof);
    const value = state.value === null ? null : decode(state.value);
    return { key, height: state.height, value, header };
  }

  /** Where a transaction committed, checked against the certified header of its block. */
  async getVerifiedTxInclusion(
    id: string | Uint8Array,
    trust: TrustAnchor,
  ): Promise<{ height: number; index: number; header: Header }> {
    const wanted = fromHex(idHex(id), HASH_BYTES);
    const found = await this.getTxProof(wanted);
    const header = verifyBlock(await this.getBlock(found.height), trust);
    verifyTxInclusion(header, wanted, found.proof);
    return { height: found.height, index: found.proof.index, header };
  }

  /**
   * Runs a module query (`GET /v1/query/<name>`), typed from protocol `QUERIES`: its parameters
   * as the contract declares them, its result as the API's JSON (bytes as hex, big integers as
   * decimal strings), checked against the schema derived from the contract, so a node answering
   * another shape is a `bad-response` error. Only public queries answer unsigned: pass the
   * caller's `signer` for the rest (the contract declares who may run each).
   */
  async query<N extends QueryName>(
    name: N,
    params: QueryParams<N>,
    options: QueryOptions = {},
  ): Promise<QueryResultJson<N>> {
    return parseQueryResult(name, await this.runQuery(name, params, options));
  }

  /**
   * A query this SDK's contract does not know (a newer node's module), by name: its result
   * unchecked beyond `{name, result}`. Separate from `query` so that a misspelt name or
   * parameter of a known query is a type error there, not a silent fall to `unknown`.
   */
  async queryByName(
    name: string,
    params: Readonly<Record<string, string>> = {},
    options: QueryOptions = {},
  ): Promise<unknown> {
    return parseQueryResult(name, await this.runQuery(name, params, options));
  }

  private runQuery(
    name: string,
    params: Readonly<Record<string, string | number | boolean | undefined>>,
    options: QueryOptions,
  ): Promise<unknown> {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) {
      if (value !== undefined) search.set(key, String(value));
    }
    const query = search.toString();
    const path = `/v1/query/${encodeURIComponent(name)}${query === "" ? "" : `?${query}`}`;
    return this.get(path, options.signal, options.signer ?? this.signer);
  }

  /**
   * The transactions of a block, bodies included: a read signed by `signer`, which must be a key
   * of a member organization's staff (or an admin). Each is decoded and its id checked.
   */
  async getBlockTxs(height: number, signer: Signer, signal?: AbortSignal): Promise<SignedTx[]> {
    return parseBlockTxs(await this.get(`/v1/blocks/${height}/txs`, signal, signer));
  }

  /** Server-Sent Events from `GET /v1/events`, reconnecting and resuming by event id. */
  subscribe(
    filter: EventFilter,
    onEvent: (event: ChainEvent) => void,
    options: Partial<SubscribeOptions> = {},
  ): Subscription {
    const settings = { ...this.subscribeOptions, ...options };
    const signer = settings.signer ?? this.signer;
    const signing = signer === undefined ? undefined : () => this.signing.readSigner(signer);
    return subscribeEvents(this.url, this.http, filter, onEvent, settings, signing);
  }

  /**
   * Sends a request signed by `signer` for this node (its chain and key, from `/v1/status`,
   * asked once per client) and returns the JSON answer; each attempt is signed anew.
   */
  signedRequest(signer: Signer, request: SignedRequest): Promise<unknown> {
    return this.signing.send(signer, request);
  }

  /** A signed request whose answer is bytes (`accept`, octet-stream by default), not JSON. */
  signedRequestBytes(
    signer: Signer,
    request: SignedRequest,
    accept?: string,
  ): Promise<HttpBytesAnswer> {
    return this.signing.sendForBytes(signer, request, accept);
  }

  /**
   * A GET of a route outside `/v1` (a Digital Link's verification, EPCIS queries), signed when
   * `signer` is given; the answer as bytes, with its content type and `Link` header.
   */
  getRoute(path: string, options: RouteGetOptions): Promise<HttpBytesAnswer> {
    const accept = options.accept ?? "application/json";
    return this.signing.getBytes(options.signer, path, accept, options.signal);
  }

  /** A GET, signed by `signer` when given (a scoped read). */
  private async get(path: string, signal?: AbortSignal, signer?: Signer): Promise<unknown> {
    if (signer !== undefined) {
      return this.signedRequest(signer, { method: "GET", path, ...(signal && { signal }) });
    }
    const request: HttpRequest = { method: "GET", path, ...(signal && { signal }) };
    return (await requestJson(this.url, this.http, request)).value;
  }
}

/** A transaction id as lowercase hex, checked to be 32 bytes (`ENCODING_INVALID` otherwise). */
function idHex(id: string | Uint8Array): string {
  return toHex(fromHex(typeof id === "string" ? id : toHex(id), HASH_BYTES));
}

/** Lets TX_DUPLICATE pass (the node holds the transaction already); rethrows anything else. */
function ignoreDuplicate(error: unknown): void {
  if (!(error instanceof CareLedgerError && error.code === "TX_DUPLICATE")) throw error;
}

/** TX_DUPLICATE on a retried request: the node admitted the first attempt. */
export function isOwnDuplicate(error: unknown): boolean {
  return (
    error instanceof CareLedgerError &&
    error.code === "TX_DUPLICATE" &&
    typeof error.details.attempts === "number" &&
    error.details.attempts > 1
  );
}
