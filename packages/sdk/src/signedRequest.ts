import {
  CareLedgerError,
  type RequestTarget,
  type Signer,
  signedRequestHeaders,
  toHex,
} from "@careledger/protocol";
import { localError } from "./errors.js";
import type { SignRead } from "./events.js";
import {
  type HttpBytesAnswer,
  type HttpOptions,
  type HttpRequest,
  requestBytes,
  requestJson,
} from "./http.js";
import type { NodeStatus } from "./wire.js";

/** A signed request: sent with exactly the body bytes it signs. */
export interface SignedRequest {
  readonly method: "GET" | "POST";
  /** The route with its query string, as the node receives it (`/v1/...`). */
  readonly path: string;
  readonly body?: Uint8Array | string;
  readonly contentType?: string;
  readonly signal?: AbortSignal;
}

/**
 * Signed requests to one node: the chain and node key they are bound to are learned once from
 * `/v1/status` (or checked against a pinned key), and every attempt is signed anew, never
 * replayed (protocol `signedRequestHeaders`).
 */
/** A GET of a route outside `/v1`: signed when `signer` is given. */
export interface RouteGetOptions {
  readonly signer?: Signer;
  readonly accept?: string;
  readonly signal?: AbortSignal;
}

export class SignedRequests {
  /** Shared by concurrent requests, so asked without any one caller's abort signal. */
  private target: Promise<RequestTarget> | undefined;

  constructor(
    private readonly url: string,
    private readonly http: HttpOptions,
    private readonly status: () => Promise<NodeStatus>,
    private readonly pinnedNodeKey: Uint8Array | undefined,
  ) {}

  /**
   * Sends `request` signed by `signer` and returns the JSON answer. A node that answers
   * REQUEST_WRONG_NODE is not the one the key was learned from (a gateway moved the client to
   * another): the key is asked again and the request signed once more.
   */
  async send(signer: Signer, request: SignedRequest): Promise<unknown> {
    return this.attempt(signer, request, async (http) => {
      return (await requestJson(this.url, this.http, http)).value;
    });
  }

  /**
   * Sends `request` signed by `signer`, asking for `accept` (a record's content as
   * `application/octet-stream`), and returns the answer's bytes as they came, bounded by
   * `responseBytesMax`; errors are the node's JSON ones, as for `send`.
   */
  async sendForBytes(
    signer: Signer,
    request: SignedRequest,
    accept = "application/octet-stream",
  ): Promise<HttpBytesAnswer> {
    return this.attempt(signer, request, (http) => requestBytes(this.url, this.http, http, accept));
  }

  /** A GET answered as bytes, signed by `signer` when given and unsigned otherwise. */
  getBytes(
    signer: Signer | undefined,
    path: string,
    accept: string,
    signal: AbortSignal | undefined,
  ): Promise<HttpBytesAnswer> {
    const request = { method: "GET" as const, path, ...(signal && { signal }) };
    if (signer !== undefined) return this.sendForBytes(signer, request, accept);
    return requestBytes(this.url, this.http, request, accept);
  }

  private async attempt<T>(
    signer: Signer,
    request: SignedRequest,
    exchange: (http: HttpRequest) => Promise<T>,
  ): Promise<T> {
    const body =
      typeof request.body === "string" ? new TextEncoder().encode(request.body) : request.body;
    for (let attempt = 1; ; attempt++) {
      const target = await this.requestTarget();
      const http: HttpRequest = {
        method: request.method,
        path: request.path,
        ...(body !== undefined && { body }),
        ...(request.contentType !== undefined && { contentType: request.contentType }),
        ...(request.signal && { signal: request.signal }),
        attemptHeaders: () =>
          signedRequestHeaders(signer, target, request.method, request.path, body),
      };
      try {
        return await exchange(http);
      } catch (error) {
        const wrongNode = error instanceof CareLedgerError && error.code === "REQUEST_WRONG_NODE";
        if (!wrongNode || attempt > 1) throw error;
        this.target = undefined;
      }
    }
  }

  /** Signs the event stream's connections: each (re)connection anew, for this node. */
  async readSigner(signer: Signer): Promise<SignRead> {
    const target = await this.requestTarget();
    return (method, pathWithQuery) => signedRequestHeaders(signer, target, method, pathWithQuery);
  }

  private requestTarget(): Promise<RequestTarget> {
    if (this.target === undefined) {
      const learned = this.status().then(({ chainId, node }) => {
        const pinned = this.pinnedNodeKey;
        if (pinned !== undefined && toHex(pinned) !== toHex(node)) {
          throw localError("bad-response", "node reports another key than the pinned one", {
            pinned: toHex(pinned),
            reported: toHex(node),
          });
        }
        return { chainId, nodeKey: node };
      });
      // A failed lookup is not kept: the next signed request asks again.
      learned.catch(() => {
        if (this.target === learned) this.target = undefined;
      });
      this.target = learned;
    }
    return this.target;
  }
}
