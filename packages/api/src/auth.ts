import {
  CareLedgerError,
  fromHex,
  PUBLIC_KEY_BYTES,
  REQUEST_KEY_HEADER,
  REQUEST_NODE_HEADER,
  REQUEST_SIGNATURE_HEADER,
  REQUEST_TIME_HEADER,
  REQUEST_WINDOW_MS,
  requestSigningBytes,
  SIGNATURE_BYTES,
  toHex,
} from "@careledger/protocol";
import type { FastifyRequest } from "fastify";
import type { CallerIdentity, NodeApi } from "./nodeApi.js";
import { rawBodyOf } from "./rawBody.js";

/** Signatures remembered to refuse replays; a signature older than the window is forgotten. */
export const REPLAY_CACHE_ENTRIES_MAX = 100_000;

/**
 * Checks signed requests: the key, the node they are addressed to (this one), a time within the
 * window, the signature over node, method, path, the exact body bytes received and time, a
 * signature not seen before, and a key registered (and unrevoked) on chain.
 */
export class RequestAuthenticator {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly node: NodeApi,
    private readonly now: () => number = Date.now,
  ) {}

  async authenticate(request: FastifyRequest): Promise<CallerIdentity & { key: string }> {
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
    this.remember(signatureHex.toLowerCase(), now);
    const identity = await this.node.identityOf(keyHex.toLowerCase());
    if (identity === null) throw new CareLedgerError("FORBIDDEN", "key is not registered on chain");
    return { ...identity, key: keyHex.toLowerCase() };
  }

  private remember(signature: string, now: number): void {
    if (this.seen.has(signature)) throw new CareLedgerError("REQUEST_REPLAYED");
    if (this.seen.size >= REPLAY_CACHE_ENTRIES_MAX) {
      for (const [old, at] of this.seen) {
        if (now - at <= REQUEST_WINDOW_MS * 2) break;
        this.seen.delete(old);
      }
      // Still full of fresh signatures: refuse rather than forget one that could be replayed.
      if (this.seen.size >= REPLAY_CACHE_ENTRIES_MAX) throw new CareLedgerError("RATE_LIMITED");
    }
    this.seen.set(signature, now);
  }
}
