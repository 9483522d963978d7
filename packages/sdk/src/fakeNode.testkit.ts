import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  type Canonical,
  CareLedgerError,
  decodeTx,
  ERROR_CODES,
  type ErrorCode,
  encode,
  encodeReceipt,
  fromHex,
  type IdentityRegisterPayload,
  merkleProof,
  nobleVerifier,
  REQUEST_KEY_HEADER,
  REQUEST_SIGNATURE_HEADER,
  REQUEST_TIME_HEADER,
  type SignedTx,
  toHex,
  verifyTx,
} from "@careledger/protocol";
import {
  blockJson,
  certifiedBlock,
  type TestChain,
  TestStateTree,
  testChain,
} from "./chain.testkit.js";
import { FakeEventStream } from "./fakeEvents.testkit.js";
import type { BlockInfo } from "./wire.js";

/**
 * A node's HTTP API in miniature, over a real socket: admission (decode, chain, signature,
 * expiry, duplicates), commit after a number of polls, certified blocks, proofs, an event stream
 * that closes after a few events, and injectable faults. It answers with the api package's
 * shapes so the client's parsing, retries and errors run against real HTTP.
 */

export type Fault =
  | {
      readonly kind: "error";
      readonly status: number;
      readonly code: string;
      readonly retryAfter?: string;
    }
  | { readonly kind: "drop" }
  | { readonly kind: "hang" }
  | { readonly kind: "text"; readonly status: number; readonly body: string }
  /** Answers an event stream with this raw text, then ends it. */
  | { readonly kind: "stream"; readonly body: string }
  /** Admits a POSTed transaction, then drops the connection before answering. */
  | { readonly kind: "admit-then-drop" };

interface Committed {
  readonly height: number;
  readonly index: number;
  readonly receipt: { ok: boolean; code?: string; reason?: string; result?: unknown };
}

/**
 * A module's execution in miniature: undefined for a transaction it does not handle, else the
 * receipt's result (canonical; JSON-shaped values pass as they are). A CareLedgerError thrown
 * makes the receipt fail with its code.
 */
export type FakeModule = (signed: SignedTx, height: number) => { result?: Canonical } | undefined;

export type RouteHandler = (
  response: ServerResponse,
  match: RegExpExecArray,
  context: { request: IncomingMessage; url: URL; body: Uint8Array },
) => void;

export class FakeNode {
  readonly chain: TestChain = testChain(4);
  readonly tree = new TestStateTree();
  readonly blocks: BlockInfo[] = [];
  /** The event stream: `events.publish(...)`, `events.perConnection`. */
  readonly events = new FakeEventStream();
  /** Every request: method, path and query, and the Last-Event-ID header if any. */
  readonly requests: Array<{
    method: string;
    url: string;
    lastEventId?: string;
    /** The signature headers, on a signed request. */
    signed?: { key: string; time: string; signature: string };
  }> = [];
  readonly faults: Fault[] = [];
  /** Routes a test kit adds (module routes, queries), matched before the built-in ones. */
  readonly extraRoutes: Array<[string, RegExp, RouteHandler]> = [];
  /** Modules a test kit adds: each committed transaction goes through them in order. */
  readonly modules: FakeModule[] = [];
  /** Receipt failures to give by transaction type. */
  readonly failures = new Map<string, ErrorCode>();
  /** The body of every `POST /v1/txs`, in order. */
  readonly submitted: Uint8Array[] = [];
  /**
   * A crash after a 202: the next admission is answered, then forgotten (the mempool was lost),
   * and these faults answer the requests after it (the node down, then restarting).
   */
  crashAfterNextAdmission: Fault[] | null = null;
  /** Polls of `GET /v1/txs/:id` that answer pending before the transaction commits. */
  pendingPolls = 1;
  /** Lies to test the light client: a flipped sibling in state proofs, a forged vote. */
  corruptStateProofs = false;
  forgeCertificates = false;
  /** More lies: block answers with a transaction id left out, receipts that claim success. */
  dropTxIds = false;
  forgeReceipts = false;
  url = "";
  private readonly state = new Map<string, Uint8Array>();
  private readonly pending = new Map<string, { signed: SignedTx; polls: number }>();
  private readonly committed = new Map<string, Committed>();
  /** Each block's receipts as canonical bytes, by height. */
  private readonly receipts = new Map<number, Uint8Array[]>();
  private readonly server: Server = createServer((request, response) => {
    this.handle(request, response).catch((error: unknown) => {
      const known = error instanceof CareLedgerError ? error : new CareLedgerError("INTERNAL");
      sendError(response, known.status, known.code, known.message);
    });
  });

  static async start(): Promise<FakeNode> {
    const node = new FakeNode();
    node.blocks.push(
      certifiedBlock(node.chain, {
        height: 0,
        prevHash: new Uint8Array(32),
        txIds: [],
        stateRoot: node.tree.root(),
      }),
    );
    await new Promise<void>((resolve) => node.server.listen(0, "127.0.0.1", resolve));
    node.url = `http://127.0.0.1:${(node.server.address() as AddressInfo).port}`;
    return node;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  get height(): number {
    return this.blocks.length - 1;
  }

  /** Commits a block of these transactions (and an empty block when there are none). */
  commitBlock(txs: readonly SignedTx[]): BlockInfo {
    const height = this.blocks.length;
    const outcomes = txs.map((signed) => this.outcome(signed, height));
    const receipts = txs.map((signed, index) => {
      const { ok, code, reason, result } = outcomes[index] as Committed["receipt"];
      return encodeReceipt(
        ok
          ? { tx: signed.id, status: "ok", ...(result !== undefined && { result }) }
          : { tx: signed.id, status: "failed", code: code ?? "INTERNAL", reason: reason ?? "" },
      );
    });
    this.receipts.set(height, receipts);
    txs.forEach((signed, index) => {
      const receipt = outcomes[index] as Committed["receipt"];
      this.committed.set(toHex(signed.id), { height, index, receipt });
      this.events.publish("tx", {
        id: toHex(signed.id),
        height,
        index,
        type: signed.tx.type,
        receipt,
      });
    });
    const block = certifiedBlock(this.chain, {
      height,
      prevHash: (this.blocks[height - 1] as BlockInfo).hash,
      txIds: txs.map((signed) => signed.id),
      stateRoot: this.tree.root(),
      receipts,
    });
    this.blocks.push(block);
    return block;
  }

  /** The receipt of one transaction: an injected failure, else the modules' and identity's. */
  private outcome(signed: SignedTx, height: number): Committed["receipt"] {
    const failure = this.failures.get(signed.tx.type);
    if (failure) return { ok: false, code: failure, reason: "rule" };
    try {
      const done = this.modules.map((module) => module(signed, height)).find((one) => one);
      this.execute(signed, height);
      return { ok: true, ...(done?.result !== undefined && { result: done.result }) };
    } catch (error) {
      if (!(error instanceof CareLedgerError)) throw error;
      return { ok: false, code: error.code, reason: error.message };
    }
  }

  private execute(signed: SignedTx, height: number): void {
    if (signed.tx.type !== "identity.register") return;
    const payload = signed.tx.payload as unknown as IdentityRegisterPayload;
    const value = encode({ org: payload.org, roles: [...payload.roles], registeredAt: height });
    const key = `identity/${toHex(payload.key)}`;
    this.state.set(key, value);
    this.tree.set(key, value);
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", this.url);
    const lastEventId = request.headers["last-event-id"];
    const [key, time, signature] = [
      REQUEST_KEY_HEADER,
      REQUEST_TIME_HEADER,
      REQUEST_SIGNATURE_HEADER,
    ].map((name) => request.headers[name]);
    this.requests.push({
      method: request.method ?? "",
      url: url.pathname + url.search,
      ...(typeof lastEventId === "string" && { lastEventId }),
      ...(typeof key === "string" &&
        typeof time === "string" &&
        typeof signature === "string" && { signed: { key, time, signature } }),
    });
    const body = await readBody(request);
    const fault = this.faults.shift();
    if (fault !== undefined && this.applyFault(fault, request, response, body)) return;
    for (const [method, pattern, run] of [...this.extraRoutes, ...this.routes]) {
      const match = request.method === method ? pattern.exec(url.pathname) : null;
      if (match !== null) return run(response, match, { request, url, body });
    }
    throw new CareLedgerError("NOT_FOUND", `no route ${url.pathname}`);
  }

  private readonly routes: ReadonlyArray<[string, RegExp, RouteHandler]> = [
    ["GET", /^\/v1\/status$/, (response) => send(response, 200, this.status())],
    [
      "POST",
      /^\/v1\/txs$/,
      (response, _match, { request, body }) => {
        if (request.headers["content-type"] !== "application/msgpack") {
          throw new CareLedgerError("UNSUPPORTED_MEDIA_TYPE");
        }
        this.submitted.push(body);
        const id = this.admit(body);
        send(response, 202, { id: toHex(id) });
        if (this.crashAfterNextAdmission !== null) {
          this.pending.delete(toHex(id));
          this.faults.push(...this.crashAfterNextAdmission);
          this.crashAfterNextAdmission = null;
        }
      },
    ],
    ["POST", /^\/v1\/txs\/batch$/, (response, _match, { body }) => this.batch(response, body)],
    ["GET", /^\/v1\/txs\/([0-9a-f]{64})$/, (response, match) => this.tx(response, match[1] ?? "")],
    [
      "GET",
      /^\/v1\/txs\/([0-9a-f]{64})\/proof$/,
      (response, match) => this.txProof(response, match[1] ?? ""),
    ],
    [
      "GET",
      /^\/v1\/txs\/([0-9a-f]{64})\/receipt-proof$/,
      (response, match) => this.receiptProof(response, match[1] ?? ""),
    ],
    [
      "GET",
      /^\/v1\/blocks\/(latest|\d+)$/,
      (response, match) => {
        const height = match[1] === "latest" ? this.height : Number(match[1]);
        const block = this.blocks[height];
        if (block === undefined) throw new CareLedgerError("NOT_FOUND", `no block ${height}`);
        send(response, 200, this.blockAnswer(block));
      },
    ],
    [
      "GET",
      /^\/v1\/state\/([0-9a-f]*)$/,
      (response, match, { url }) =>
        this.stateAnswer(response, match[1] ?? "", url.searchParams.get("proof") === "true"),
    ],
    [
      "GET",
      /^\/v1\/events$/,
      (response, _match, { request, url }) => this.events.serve(request, response, url),
    ],
  ];

  private applyFault(
    fault: Fault,
    request: IncomingMessage,
    response: ServerResponse,
    body: Uint8Array,
  ): boolean {
    switch (fault.kind) {
      case "error":
        if (fault.retryAfter !== undefined) response.setHeader("retry-after", fault.retryAfter);
        sendError(response, fault.status, fault.code, "injected");
        return true;
      case "text":
        response.writeHead(fault.status, { "content-type": "text/plain" }).end(fault.body);
        return true;
      case "drop":
        request.socket.destroy();
        return true;
      case "hang":
        return true;
      case "stream":
        response.writeHead(200, { "content-type": "text/event-stream" }).end(fault.body);
        return true;
      case "admit-then-drop":
        this.admit(body);
        request.socket.destroy();
        return true;
    }
  }

  private status() {
    const head = this.blocks[this.height] as BlockInfo;
    return {
      chain: toHex(this.chain.chainId),
      node: toHex(this.chain.validators[0] as Uint8Array),
      height: this.height,
      headHash: toHex(head.hash),
      stateRoot: toHex(head.header.stateRoot),
      view: 0,
      primary: toHex(this.chain.validators[0] as Uint8Array),
      validators: this.chain.validators.map(toHex),
      peers: 3,
      syncing: false,
    };
  }

  /** Mempool admission: the checks a node makes, with its codes. */
  private admit(bytes: Uint8Array): Uint8Array {
    const signed = decodeTx(bytes);
    const id = toHex(signed.id);
    if (toHex(signed.tx.chain) !== toHex(this.chain.chainId)) {
      throw new CareLedgerError("TX_WRONG_CHAIN");
    }
    if (!verifyTx(signed.tx, nobleVerifier)) throw new CareLedgerError("TX_BAD_SIGNATURE");
    if (signed.tx.expires < this.height) throw new CareLedgerError("TX_EXPIRED");
    if (this.pending.has(id) || this.committed.has(id)) throw new CareLedgerError("TX_DUPLICATE");
    this.pending.set(id, { signed, polls: this.pendingPolls });
    return signed.id;
  }

  private batch(response: ServerResponse, body: Uint8Array): void {
    const { txs } = JSON.parse(new TextDecoder().decode(body)) as { txs: string[] };
    const results = txs.map((text) => {
      try {
        return { id: toHex(this.admit(new Uint8Array(Buffer.from(text, "base64")))) };
      } catch (error) {
        const known = error as CareLedgerError;
        return { error: { code: known.code, message: known.message } };
      }
    });
    send(response, 200, { results });
  }

  private tx(response: ServerResponse, id: string): void {
    const waiting = this.pending.get(id);
    if (waiting !== undefined) {
      if (waiting.polls > 0) {
        waiting.polls -= 1;
        send(response, 200, { id, status: "pending" });
        return;
      }
      this.pending.delete(id);
      this.commitBlock([waiting.signed]);
    }
    const found = this.committed.get(id);
    send(
      response,
      200,
      found === undefined ? { id, status: "unknown" } : { id, status: "committed", ...found },
    );
  }

  private txProof(response: ServerResponse, id: string): void {
    const found = this.committed.get(id);
    if (found === undefined) throw new CareLedgerError("NOT_FOUND", `tx ${id} is not committed`);
    const block = this.blocks[found.height] as BlockInfo;
    const proof = merkleProof(block.txIds, found.index);
    send(response, 200, {
      id,
      height: found.height,
      proof: { ...proof, siblings: proof.siblings.map(toHex) },
    });
  }

  private receiptProof(response: ServerResponse, id: string): void {
    const found = this.committed.get(id);
    if (found === undefined) throw new CareLedgerError("NOT_FOUND", `tx ${id} is not committed`);
    const leaves = this.receipts.get(found.height) ?? [];
    let receipt = leaves[found.index] as Uint8Array;
    if (this.forgeReceipts) receipt = encodeReceipt({ tx: fromHex(id), status: "ok" });
    const proof = merkleProof(leaves, found.index);
    send(response, 200, {
      id,
      height: found.height,
      receipt: toHex(receipt),
      proof: { ...proof, siblings: proof.siblings.map(toHex) },
    });
  }

  private blockAnswer(block: BlockInfo): Record<string, unknown> {
    const answer = blockJson(block);
    if (this.dropTxIds) answer.txIds = (answer.txIds as string[]).slice(1);
    const certificate = answer.certificate as { votes: Array<{ sig: string }> } | null;
    if (this.forgeCertificates && certificate !== null) {
      const first = certificate.votes[0] as { sig: string };
      first.sig = `${first.sig[0] === "0" ? "1" : "0"}${first.sig.slice(1)}`;
    }
    return answer;
  }

  private stateAnswer(response: ServerResponse, keyHex: string, withProof: boolean): void {
    const key = new TextDecoder().decode(fromHex(keyHex));
    const value = this.state.get(key);
    const proof = this.tree.prove(key);
    const siblings = proof.siblings.map(toHex);
    const leaf = proof.leaf && {
      keyHash: toHex(proof.leaf.keyHash),
      valueHash: toHex(proof.leaf.valueHash),
    };
    if (this.corruptStateProofs) {
      if (siblings.length > 0) siblings[0] = "ff".repeat(32);
      else if (leaf !== null) leaf.valueHash = "ff".repeat(32);
    }
    send(response, 200, {
      key: keyHex,
      height: this.height,
      value: value === undefined ? null : toHex(value),
      ...(withProof && { proof: { siblings, leaf } }),
    });
  }
}

export function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

function sendError(response: ServerResponse, status: number, code: string, message: string): void {
  const known = Object.hasOwn(ERROR_CODES, code);
  send(response, known ? status : status, {
    error: { code, message, details: { injected: !known } },
  });
}

async function readBody(request: IncomingMessage): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return new Uint8Array(Buffer.concat(chunks));
}
