import {
  CareLedgerError,
  fromHex,
  PUBLIC_KEY_BYTES,
  type QueryCaller,
  REQUEST_KEY_HEADER,
  REQUEST_NODE_HEADER,
  REQUEST_SIGNATURE_HEADER,
  REQUEST_TIME_HEADER,
  REQUEST_WINDOW_MS,
  requestSigningBytes,
  SIGNATURE_BYTES,
  sha256,
  toHex,
} from "@careledger/protocol";
import type { FastifyRequest } from "fastify";
import type { NodeApi } from "./nodeApi.js";
import { rawBodyOf } from "./rawBody.js";

/** Signed requests remembered to refuse replays, for two windows each, by all keys together. */
export const REPLAY_CACHE_ENTRIES_MAX = 100_000;
/**
 * Signed requests remembered for one key (about 80 a second over the two windows): a key over
 * it is RATE_LIMITED, so no one key's traffic can fill the cache for the others.
 */
export const REPLAY_ENTRIES_PER_KEY_MAX = 5_000;

/** How long a request is remembered: one window on either side of the node's clock. */
const REPLAY_RETENTION_MS = REQUEST_WINDOW_MS * 2;

export interface ReplayCacheLimits {
  readonly entriesMax: number;
  readonly entriesPerKeyMax: number;
}

const DEFAULT_LIMITS: ReplayCacheLimits = {
  entriesMax: REPLAY_CACHE_ENTRIES_MAX,
  entriesPerKeyMax: REPLAY_ENTRIES_PER_KEY_MAX,
};

/**
 * Checks signed requests: the key, the node they are addressed to (this one), a time within the
 * window, the signature over node, method, path, the exact body bytes received and time, a key
 * registered (and unrevoked) on chain, and a request (key and signed bytes) not seen before,
 * within that key's quota.
 */
export class RequestAuthenticator {
  /**
   * Requests seen, by hash of the signing key and the signed bytes (so a second signature over
   * the same bytes is a replay too), with when they were first seen; insertion order is time
   * order, so the oldest are at the head. `perKey` counts each key's entries.
   */
  private readonly seen = new Map<string, { readonly key: string; readonly at: number }>();
  private readonly perKey = new Map<string, number>();

  constructor(
    private readonly node: NodeApi,
    private readonly now: () => number = Date.now,
    private readonly limits: ReplayCacheLimits = DEFAULT_LIMITS,
  ) {}

  async authenticate(request: FastifyRequest): Promise<QueryCaller> {
    const header = (name: string) => {
      const value = request.headers[name];
      return typeof value === "string" ? value : undefined;
    };
    const keyHex = header(REQUEST_KEY_HEADER);
    const nodeHex = header(REQUEST_NODE_HEADER);
    const timeText = header(REQUEST_TIME_HEADER);
    const signatureHex = header(REQUEST_SIGNATURE_HEADER);
    if (
      keyHex === undefined ||
      nodeHex === undefined ||
      timeText === undefined ||
      signatureHex === undefined
    ) {
      throw new CareLedgerError("REQUEST_UNSIGNED");
    }
    const { chainId, nodeKey } = this.node.status();
    // The node header only says where the caller meant to send it (the signature covers this
    // node's key whatever the header says); checked first so a misdirected request gets the
    // code that tells the client to sign again for this node.
    const ownNodeHex = toHex(nodeKey);
    if (nodeHex.toLowerCase() !== ownNodeHex) {
      throw new CareLedgerError("REQUEST_WRONG_NODE", `signed for node ${nodeHex.slice(0, 64)}`, {
        node: ownNodeHex,
      });
    }
    const time = Number(timeText);
    const now = this.now();
    if (!/^\d{1,15}$/.test(timeText) || Math.abs(now - time) > REQUEST_WINDOW_MS) {
      throw new CareLedgerError("REQUEST_EXPIRED", `time ${timeText}, node clock ${now}`);
    }
    let key: Uint8Array;
    let signature: Uint8Array;
    try {
      key = fromHex(keyHex, PUBLIC_KEY_BYTES);
      signature = fromHex(signatureHex, SIGNATURE_BYTES);
    } catch {
      throw new CareLedgerError(
        "REQUEST_BAD_SIGNATURE",
        "key or signature is not hex of the right length",
      );
    }
    const message = requestSigningBytes(
      chainId,
      nodeKey,
      request.method,
      request.url,
      rawBodyOf(request),
      time,
    );
    if (!this.node.verifier.verify(key, message, signature))
      throw new CareLedgerError("REQUEST_BAD_SIGNATURE");
    // Registration first: only registered keys' requests take room in the replay cache, so keys
    // minted by the million with valid signatures cannot fill it for the members.
    const ownKeyHex = toHex(key);
    const identity = await this.node.identityOf(ownKeyHex);
    if (identity === null) throw new CareLedgerError("FORBIDDEN", "key is not registered on chain");
    const signed = new Uint8Array(key.length + message.length);
    signed.set(key);
    signed.set(message, key.length);
    this.remember(ownKeyHex, toHex(sha256(signed)), now);
    return { ...identity, key: ownKeyHex };
  }

  private remember(keyHex: string, request: string, now: number): void {
    this.forgetBefore(now - REPLAY_RETENTION_MS);
    if (this.seen.has(request)) throw new CareLedgerError("REQUEST_REPLAYED");
    const ofKey = this.perKey.get(keyHex) ?? 0;
    // Full: refuse rather than forget a request that could still be replayed.
    if (ofKey >= this.limits.entriesPerKeyMax || this.seen.size >= this.limits.entriesMax) {
      throw new CareLedgerError("RATE_LIMITED", "too many signed requests; retry later");
    }
    this.seen.set(request, { key: keyHex, at: now });
    this.perKey.set(keyHex, ofKey + 1);
  }

  /** Drops the entries first seen before `cutoff`: they are at the head, in time order. */
  private forgetBefore(cutoff: number): void {
    for (const [request, entry] of this.seen) {
      if (entry.at >= cutoff) break;
      this.seen.delete(request);
      const left = (this.perKey.get(entry.key) ?? 1) - 1;
      if (left === 0) this.perKey.delete(entry.key);
      else this.perKey.set(entry.key, left);
    }
  }
}
