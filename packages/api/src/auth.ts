import {
  CareLedgerError,
  fromHex,
  PUBLIC_KEY_BYTES,
  REQUEST_KEY_HEADER,
  REQUEST_SIGNATURE_HEADER,
  REQUEST_TIME_HEADER,
  REQUEST_WINDOW_MS,
  requestSigningBytes,
  SIGNATURE_BYTES,
} from "@careledger/protocol";
import type { FastifyRequest } from "fastify";
import type { CallerIdentity, NodeApi } from "./nodeApi.js";

/** Signatures remembered to refuse replays; a signature older than the window is forgotten. */
export const REPLAY_CACHE_ENTRIES_MAX = 100_000;

/**
 * Checks signed reads: the key, a time within the window, the signature over method, path, body
 * and time, a signature not seen before, and a key registered (and unrevoked) on chain.
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
    const timeText = header(REQUEST_TIME_HEADER);
    const signatureHex = header(REQUEST_SIGNATURE_HEADER);
    if (keyHex === undefined || timeText === undefined || signatureHex === undefined) {
      throw new CareLedgerError("REQUEST_UNSIGNED");
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
    const body = request.body instanceof Uint8Array ? request.body : new Uint8Array(0);
    const message = requestSigningBytes(
      this.node.status().chainId,
      request.method,
      request.url,
      body,
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
