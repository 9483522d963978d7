import {
  REQUEST_KEY_HEADER,
  REQUEST_NODE_HEADER,
  REQUEST_SIGNATURE_HEADER,
  REQUEST_TIME_HEADER,
  requestSigningBytes,
  type Signer,
  toHex,
} from "@careledger/protocol";
import { CHAIN } from "./memoryNode.testkit.js";

/** The memory node's key (`memoryNode().status().nodeKey`). */
export const MEMORY_NODE_KEY = new Uint8Array(32).fill(1);

export interface SignedRequestParts {
  readonly method: string;
  readonly url: string;
  readonly body?: Uint8Array;
  readonly time?: number;
  /** The node the request is signed for; the memory node by default. */
  readonly nodeKey?: Uint8Array;
}

/** Headers of a request signed as the SDK signs it (protocol `requestSigningBytes`). */
export function signedHeaders(signer: Signer, parts: SignedRequestParts): Record<string, string> {
  const nodeKey = parts.nodeKey ?? MEMORY_NODE_KEY;
  const time = parts.time ?? Date.now();
  const body = parts.body ?? new Uint8Array(0);
  const message = requestSigningBytes(CHAIN, nodeKey, parts.method, parts.url, body, time);
  return {
    [REQUEST_KEY_HEADER]: toHex(signer.publicKey),
    [REQUEST_NODE_HEADER]: toHex(nodeKey),
    [REQUEST_TIME_HEADER]: String(time),
    [REQUEST_SIGNATURE_HEADER]: toHex(signer.sign(message)),
  };
}
